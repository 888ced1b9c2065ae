#!/usr/bin/env node
/**
 * Reproduces issue 18's failed cluster start: many rounds of N `dist/main.js` processes started at
 * once on one fresh, unmigrated database (as startProcessCluster and a process manager do), with the
 * machine's cores kept busy by `yes > /dev/null` per core. Prints each failed start's output.
 *
 *   node apps/api/scripts/cluster-start-repro.mjs [--rounds 30] [--processes 4] [--backend sqlite|postgres|both] [--no-load]
 *
 * Build first (`pnpm exec turbo run build`). Bounded: every round waits at most 60 s per process,
 * and every process it starts (servers and `yes`) is killed before it exits.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pg from "pg";

const MAIN_JS = fileURLToPath(new URL("../dist/main.js", import.meta.url));
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(option("rounds", "30"));
const processes = Number(option("processes", "4"));
const backendOption = option("backend", "both");
const backends = backendOption === "both" ? ["sqlite", "postgres"] : [backendOption];
const load = !args.includes("--no-load");
const ADMIN_URL = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";

const children = new Set();
const killAll = () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
};
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => process.exit(130));

const hogs = load ? Array.from({ length: availableParallelism() }, () => spawn("sh", ["-c", "exec yes > /dev/null"], { stdio: "ignore" })) : [];
for (const hog of hogs) children.add(hog);

function start(databaseUrl) {
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", RATE_LIMITS: "off", WEB_DIST: "", LOG_LEVEL: "info", DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  const output = [];
  const started = Date.now();
  const result = new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, why: "timeout 60 s", output, ms: Date.now() - started }), 60_000);
    createInterface({ input: child.stderr }).on("line", (line) => output.push(line));
    createInterface({ input: child.stdout }).on("line", (line) => {
      output.push(line);
      if (line.includes('"listening"')) {
        clearTimeout(timer);
        resolve({ ok: true, output, ms: Date.now() - started });
      }
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ ok: false, why: `exit ${code} ${signal ?? ""}`, output, ms: Date.now() - started });
    });
  });
  return { child, result };
}

async function freshDatabase(backend) {
  if (backend === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "portal-repro-"));
    return { url: `file:${join(dir, "portal.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `portal_repro_${Math.random().toString(16).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

let failures = 0;
let slowest = 0;
for (const backend of backends) {
  for (let round = 1; round <= rounds; round++) {
    const database = await freshDatabase(backend);
    const started = Array.from({ length: processes }, () => start(database.url));
    const results = await Promise.all(started.map((s) => s.result));
    for (const { child } of started) {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", resolve)));
      children.delete(child);
    }
    await database.drop();
    const failed = results.filter((r) => !r.ok);
    slowest = Math.max(slowest, ...results.map((r) => r.ms));
    process.stdout.write(`${backend} round ${round}: ${processes - failed.length}/${processes} started (slowest ${Math.max(...results.map((r) => r.ms))} ms)\n`);
    for (const f of failed) {
      failures++;
      process.stdout.write(`  FAILED (${f.why}, after ${f.ms} ms):\n    ${f.output.join("\n    ")}\n`);
    }
  }
}
process.stdout.write(`${failures} failed start(s); slowest start ${slowest} ms\n`);
killAll();
process.exit(failures === 0 ? 0 : 1);
