#!/usr/bin/env node
// The README's commands on a machine that has only Node and npm: runs under the pinned Node 24
// (fetched from the npm registry into .tools/ when the Node on the PATH is outside `engines`),
// installs pnpm and the dependencies when they are missing, builds, then starts, tests or
// benchmarks. Everything it starts (pnpm, turbo, vitest, the servers the tests spawn, the CLI)
// finds that Node first on the PATH.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const PNPM_VERSION = manifest.packageManager.split("@")[1];
/** The Node the project is built, tested and measured on (`.node-version`), and the range it supports. */
const NODE_VERSION = readFileSync(join(root, ".node-version"), "utf8").trim();
const NODE_RANGE = manifest.engines.node;

/** The folders of pnpm-workspace.yaml's packages: where the test reports are. */
const WORKSPACE_FOLDERS = ["apps", "packages", "tooling"];

const env = { ...process.env, TURBO_TELEMETRY_DISABLED: "1", TURBO_NO_UPDATE_NOTIFIER: "1" };
function say(message) {
  process.stderr.write(`\n▶ ${message}\n`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", env, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(command, args, options) {
  const status = run(command, args, options);
  if (status !== 0) {
    process.stderr.write(`\n✖ ${command} ${args.join(" ")} failed (exit ${status})\n`);
    process.exit(status);
  }
}

function pnpmVersion(bin) {
  const result = spawnSync(bin, ["--version"], { env, encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : null;
}

/** The pinned pnpm: the one on the PATH when it is the right version, else installed under .tools/ (never globally). */
function ensurePnpm() {
  if (pnpmVersion("pnpm") === PNPM_VERSION) return "pnpm";
  const bin = join(root, ".tools", "node_modules", ".bin");
  const local = join(bin, "pnpm");
  if (!(existsSync(local) && pnpmVersion(local) === PNPM_VERSION)) {
    say(`installing pnpm ${PNPM_VERSION} into .tools/`);
    must("npm", ["install", "--prefix", join(root, ".tools"), "--no-save", "--no-package-lock", "--no-audit", "--no-fund", `pnpm@${PNPM_VERSION}`]);
  }
  // On the PATH for every child too: turbo runs each package's scripts with the `pnpm` it finds there.
  env.PATH = `${bin}${delimiter}${env.PATH ?? ""}`;
  return local;
}

/** Whether `version` ("24.22.3") is in `range`: `engines` is written as "^MAJOR.MINOR.PATCH". */
function inRange(version, range) {
  const want = /^\^(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!want) throw new Error(`package.json engines.node must read "^MAJOR.MINOR.PATCH", not "${range}"`);
  const have = version.replace(/^v/, "").split(".").map(Number);
  const [major, minor, patch] = want.slice(1).map(Number);
  if (have[0] !== major) return false;
  return have[1] > minor || (have[1] === minor && have[2] >= patch);
}

/**
 * The Node everything runs under: this one when it is in range, else the pinned version from the
 * npm registry's `node-<os>-<cpu>` package (a binary and its headers), installed under .tools/.
 */
function ensureNode() {
  if (inRange(process.versions.node, NODE_RANGE)) {
    // better-sqlite3 needs no compiler, but anything native that does finds Debian's headers here.
    if (!env.npm_config_nodedir && process.execPath === "/usr/bin/node" && existsSync("/usr/include/node/node.h")) env.npm_config_nodedir = "/usr";
    return process.execPath;
  }
  const os = process.platform === "win32" ? "win" : process.platform;
  const pkg = `node-${os}-${process.arch}`;
  const prefix = join(root, ".tools", `node-${NODE_VERSION}`);
  const home = join(prefix, "node_modules", pkg);
  const bin = join(home, "bin", process.platform === "win32" ? "node.exe" : "node");
  const fetched = existsSync(bin) && spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout?.trim() === `v${NODE_VERSION}`;
  const how = fetched ? `running under Node ${NODE_VERSION}, fetched earlier into .tools/` : `fetching Node ${NODE_VERSION} from the npm registry into .tools/ and running under it`;
  say(`Node ${process.version} is outside this project's range (${NODE_RANGE}): ${how} (nothing global changes)`);
  if (!fetched) must("npm", ["install", "--prefix", prefix, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", `${pkg}@${NODE_VERSION}`]);
  // First on the PATH for every child; native builds compile against its own headers.
  env.PATH = `${dirname(bin)}${delimiter}${env.PATH ?? ""}`;
  env.npm_config_nodedir = home;
  return bin;
}

const node = ensureNode();
if (process.argv[2] === "portal-admin") {
  // The admin CLI (`pnpm portal-admin ...`): only the right Node, none of the install below.
  process.exit(run(node, [join(root, "apps/api/dist/cli/portal-admin.js"), ...process.argv.slice(3)], { cwd: process.cwd() }));
}
const pnpm = ensurePnpm();

function install() {
  say("installing dependencies");
  must(pnpm, ["install", "--frozen-lockfile"]);
}

function turbo(args) {
  return run(pnpm, ["exec", "turbo", "run", ...args]);
}

/** Sums the vitest JSON reports every package wrote and prints the one closing line CI reads. */
function summarize() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  /** "package › file › test: first line of the error", for each failure: CI shows only the tail of the output. */
  const failures = [];
  const reports = [];
  for (const base of WORKSPACE_FOLDERS) {
    for (const name of readdirSync(join(root, base))) {
      const dir = join(root, base, name, "test-results");
      if (!existsSync(dir)) continue;
      for (const file of readdirSync(dir)) if (file.endsWith(".json")) reports.push(join(dir, file));
    }
  }
  for (const file of reports) {
    const report = JSON.parse(readFileSync(file, "utf8"));
    const pkg = file.slice(root.length + 1).split("/test-results/")[0];
    if (Array.isArray(report.suites)) {
      // Playwright's JSON report.
      passed += report.stats?.expected ?? 0;
      failed += (report.stats?.unexpected ?? 0) + (report.stats?.flaky ?? 0);
      skipped += report.stats?.skipped ?? 0;
    } else {
      passed += report.numPassedTests ?? 0;
      failed += report.numFailedTests ?? 0;
      // A file that failed outside any test (an import or a beforeAll) counts as one failure.
      for (const file of report.testResults ?? []) {
        const where = `${pkg} › ${relative(join(root, pkg), file.name ?? "")}`;
        const failedTests = (file.assertionResults ?? []).filter((t) => t.status === "failed");
        for (const test of failedTests) {
          // (A timeout's message in vitest's report is only "STACK_TRACE_ERROR": the duration tells.)
          const took = typeof test.duration === "number" ? ` (${Math.round(test.duration)} ms)` : "";
          failures.push(`${where} › ${test.fullName}${took}: ${firstLine(test.failureMessages?.[0])}`);
        }
        if (file.status === "failed" && failedTests.length === 0) {
          failed += 1;
          failures.push(`${where}: ${firstLine(file.message)}`);
        }
      }
      skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    }
  }
  return { passed, failed, skipped, failures, reports: reports.length };
}

function firstLine(text) {
  const line = String(text ?? "no message").split("\n").find((l) => l.trim() !== "") ?? "no message";
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

function clearReports() {
  for (const base of WORKSPACE_FOLDERS) {
    for (const name of readdirSync(join(root, base))) rmSync(join(root, base, name, "test-results"), { recursive: true, force: true });
  }
}

const command = process.argv[2];
switch (command) {
  case "start": {
    install();
    say("building");
    if (turbo(["build"]) !== 0) process.exit(1);
    env.PORTAL_DEMO ??= "1";
    say(`starting on http://localhost:${env.PORT ?? 3000} (demo data: ${env.PORTAL_DEMO === "1" ? "on" : "off"})`);
    process.exit(run(node, ["apps/api/dist/main.js"]));
    break;
  }
  case "test": {
    install();
    clearReports();
    say("building, type-checking, linting and testing every package; knip looks for dead code");
    // `//#knip` is the root's task (turbo.json): unused files, exports and dependencies fail the run.
    const status = turbo(["build", "typecheck", "lint", "test", "//#knip", "--continue"]);
    const { passed, failed, skipped, failures, reports } = summarize();
    if (reports === 0) process.stderr.write("no test reports were written\n");
    if (failures.length > 0) process.stdout.write(`\nFailed:\n${failures.map((f) => `  ✖ ${f}`).join("\n")}\n`);
    // The closing line is exactly "N passed, N failed" (CI reads it); skipped tests are said before it.
    if (skipped > 0) process.stdout.write(`\n${skipped} skipped (a test of one database only, in the other database's pass; or a service this machine lacks, outside CI)\n`);
    process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
    process.exit(status !== 0 || failed > 0 || reports === 0 ? 1 : 0);
    break;
  }
  case "bench": {
    install();
    // The bench package and what it depends on (the api and its packages); not the web app.
    if (turbo(["build", "--filter=@portal/bench..."]) !== 0) process.exit(1);
    // `npm run bench -- ab`: two server builds side by side (tooling/bench/README.md, "A/B");
    // `npm run bench -- events`: the live-events part alone; no argument: the main part, then events.
    const part = process.argv[3];
    if (part === "ab") process.exit(run(pnpm, ["--filter", "@portal/bench", "run", "bench:ab"]));
    if (part === "events") process.exit(run(pnpm, ["--filter", "@portal/bench", "run", "bench:events"]));
    if (part !== undefined) {
      process.stderr.write(`usage: npm run bench [-- ab|events] (not "${part}")\n`);
      process.exit(2);
    }
    const main = run(pnpm, ["--filter", "@portal/bench", "run", "bench"]);
    const events = run(pnpm, ["--filter", "@portal/bench", "run", "bench:events"]);
    process.exit(main !== 0 ? main : events);
    break;
  }
  case "dev": {
    install();
    env.PORTAL_DEMO ??= "1";
    say("API on http://localhost:3000, web app with hot reload on http://localhost:5173");
    process.exit(turbo(["dev"]));
    break;
  }
  default:
    process.stderr.write("usage: node scripts/run.mjs start|test|bench|dev|portal-admin\n");
    process.exit(2);
}
