/**
 * `node tooling/bench/dist/ab.js` (or `npm run bench -- ab`): two builds of the server, A and B,
 * measured side by side on REST create and tRPC create. Each side's database is seeded once by
 * that side's own seed module (its own migrations) and copied fresh before every run, so every run
 * starts from the same set-up; one server runs at a time, started for the run and stopped after.
 * Rounds alternate the order (A B, then B A, …) so that a drift of the machine's load hits both
 * sides alike; the report is the median over rounds of B/A for req/s and for the server's CPU per
 * request. Settings: BENCH_AB_A (required), BENCH_AB_B, BENCH_AB_SEED_A, BENCH_AB_SEED_B (see
 * config.ts), BENCH_AB_ROUNDS (6), BENCH_DURATION (s, 10), BENCH_WARMUP (s, 3),
 * BENCH_CONNECTIONS (50), BENCH_POOL_CHATS (10000), BENCH_ONLY (rest-create, trpc-create),
 * BENCH_LOG_LEVEL (warn), BENCH_CPU_PROF, BENCH_OUT (bench-results/ab.json), BENCH_KEEP=1.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { formatAb, summarizeAb, type AbRun, type Side } from "./ab-report.js";
import { abSettings, nodeEnvOf } from "./config.js";
import type { LoadSpec } from "./load.js";
import { benchScript, MAIN_JS, measuredLoad, profileFlags, runJsonChild, spawnListening, type ListeningProcess } from "./processes.js";
import { restCreate, trpcCreate } from "./requests.js";
import type { SeedInfo } from "./seed.js";

const settings = abSettings();
const ACTIVE_PER_POOL_CHAT = 3;
const JOINERS = 1_000;

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

const scenarios = [
  { id: "rest-create", expect: 201, build: restCreate },
  { id: "trpc-create", expect: 200, build: trpcCreate },
].filter((s) => settings.only.length === 0 || settings.only.includes(s.id));

const serverOf = (value: string) => (value === "self" ? MAIN_JS : resolve(value));
const seedModuleOf = (value: string) => (value === "self" ? new URL("./seed.js", import.meta.url).href : pathToFileURL(resolve(value)).href);

function removeDatabase(path: string): void {
  for (const suffix of ["", "-wal", "-shm"]) rmSync(`${path}${suffix}`, { force: true });
}

async function main(): Promise<void> {
  const started = performance.now();
  const startedAt = new Date();
  const loadBefore = loadavg();
  const sides = {
    A: { server: serverOf(settings.a), seed: seedModuleOf(settings.seedA) },
    B: { server: serverOf(settings.b), seed: seedModuleOf(settings.seedB) },
  };
  for (const [side, { server }] of Object.entries(sides)) {
    if (!existsSync(server)) throw new Error(`side ${side}: no built server at ${server} (build that checkout first)`);
  }
  const dir = mkdtempSync(join(tmpdir(), "portal-ab-"));
  let current: ListeningProcess | null = null;
  const onSignal = () => {
    current?.child.kill("SIGKILL");
    if (!settings.keep) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const seeds = {} as Record<Side, SeedInfo>;
    for (const side of ["A", "B"] as const) {
      say(`▶ seeding side ${side}'s database with ${sides[side].seed}: ${settings.poolChats} chats × ${ACTIVE_PER_POOL_CHAT} live invites`);
      seeds[side] = await runJsonChild<SeedInfo>(benchScript("ab-seed"), {
        module: sides[side].seed,
        path: join(dir, `base-${side}.db`),
        options: { poolChats: settings.poolChats, activePerPoolChat: ACTIVE_PER_POOL_CHAT, joiners: JOINERS },
      });
    }
    const runs: AbRun[] = [];
    const total = settings.rounds * scenarios.length * 2;
    say(
      `▶ A = ${sides.A.server}\n  B = ${sides.B.server}\n▶ ${total} runs: ${settings.rounds} rounds × ${scenarios.map((s) => s.id).join(", ")} × A and B, ` +
        `${settings.connections} connections, ${settings.warmupS} s warm-up + ${settings.durationS} s each`,
    );
    for (let round = 1; round <= settings.rounds; round++) {
      const order: Side[] = round % 2 === 1 ? ["A", "B"] : ["B", "A"];
      for (const scenario of scenarios) {
        for (const side of order) {
          const base = join(dir, `base-${side}.db`);
          const work = join(dir, `run-${side}.db`);
          removeDatabase(work);
          copyFileSync(base, work);
          const server = await spawnListening(
            `server-${side}`,
            sides[side].server,
            { DATABASE_URL: `file:${work}`, RATE_LIMITS: "off", LOG_LEVEL: settings.logLevel, WEB_DIST: "", PORTAL_DEMO: "0", ...nodeEnvOf() },
            profileFlags(`ab-${side}-${scenario.id}-r${round}`),
          );
          current = server;
          try {
            const spec: LoadSpec = { ...scenario.build(seeds[side], server.url), connections: settings.connections, durationS: settings.durationS, warmupS: settings.warmupS };
            process.stderr.write(`▶ round ${round}: ${scenario.id} on ${side} … `);
            const measured = await measuredLoad(server.child.pid, spec);
            const { result, steal } = measured;
            if (server.child.exitCode !== null || server.child.signalCode !== null) {
              throw new Error(`server ${side} exited during ${scenario.id}:\n${server.output.slice(-20).join("\n")}`);
            }
            const cpuSeconds = measured.cpuSeconds ?? Number.NaN;
            const notes: string[] = [];
            const unexpected = Object.entries(result.statusCodes).filter(([status]) => Number(status) !== scenario.expect);
            if (unexpected.length > 0) notes.push(`unexpected statuses: ${unexpected.map(([s, n]) => `${n} × ${s}`).join(", ")}`);
            if (result.errors > 0 || result.timeouts > 0) notes.push(`${result.errors} connection errors, ${result.timeouts} timeouts`);
            const run: AbRun = {
              scenario: scenario.id,
              side,
              round,
              reqPerSec: result.reqPerSec,
              cpuUsPerReq: (cpuSeconds * 1e6) / Math.max(1, result.requests),
              p50Ms: result.p50Ms,
              p99Ms: result.p99Ms,
              requests: result.requests,
              steal,
              notes,
            };
            runs.push(run);
            say(
              `${Math.round(run.reqPerSec)} req/s, server CPU ${Math.round(run.cpuUsPerReq)} µs/req, p99 ${run.p99Ms} ms` +
                `${steal === null ? "" : `, steal ${Math.round(100 * steal)}%`}${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`,
            );
          } finally {
            await server.stop();
            current = null;
          }
        }
      }
    }
    const summaries = scenarios.map((s) => summarizeAb(s.id, runs));
    const loadAfter = loadavg();
    const header = [
      `Portal invites A/B, ${startedAt.toISOString()}: Node ${process.version}`,
      `A = ${sides.A.server}`,
      `B = ${sides.B.server}`,
      `load average before/after: ${loadBefore.map((l) => l.toFixed(2)).join(" ")} / ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`,
      `${settings.rounds} rounds (A B, then B A, …), each run a fresh server on a fresh copy of its side's database, ` +
        `${settings.connections} connections, ${settings.warmupS} s warm-up + ${settings.durationS} s; ratios are B/A, the median of the rounds' ratios`,
    ];
    process.stdout.write(formatAb(header, summaries));
    const noted = runs.filter((r) => r.notes.length > 0);
    if (noted.length > 0) process.stdout.write(`notes:\n${noted.map((r) => `  round ${r.round} ${r.scenario} ${r.side}: ${r.notes.join("; ")}`).join("\n")}\n`);
    mkdirSync(dirname(settings.out), { recursive: true });
    const report = { date: startedAt.toISOString(), seconds: Math.round((performance.now() - started) / 1000), node: process.version, sides, settings, loadBefore, loadAfter, summaries, runs };
    writeFileSync(settings.out, `${JSON.stringify(report, null, 2)}\n`);
    say(`▶ wrote ${settings.out} (${report.seconds} s in all)`);
  } finally {
    if (settings.keep) say(`▶ kept the databases in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
