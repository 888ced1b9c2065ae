/**
 * `npm run bench`: measures the API on this machine and prints one table (see the README of this
 * package). Absolute numbers on a shared machine are noisy, so every target is a ratio of two
 * figures measured in the same run, each after a warm-up, with the load generator in a process of
 * its own. Settings: BENCH_DURATION (s, 10), BENCH_CONNECTIONS (50), BENCH_WARMUP (s, 3),
 * BENCH_ROUNDS (1), BENCH_ONLY (comma-separated scenario ids), BENCH_LOG_LEVEL (warn),
 * BENCH_POOL_CHATS (10000), BENCH_INVITES (1000000), BENCH_BUSY_DEAD (100000),
 * BENCH_INPROC_OPS (5000), BENCH_INPROC_ROUNDS (7), BENCH_CPU_PROF (a folder: the servers write CPU profiles there),
 * BENCH_OUT (the JSON file, bench-results/bench.json at the repository root), BENCH_KEEP=1 (keep
 * the databases).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import type { InProcessResult, InProcessSpec } from "./inprocess.js";
import type { LoadResult, LoadSpec } from "./load.js";
import {
  benchScript,
  MAIN_JS,
  measuredLoad,
  profileFlags,
  runJsonChild,
  spawnListening,
  STEAL_NOTE_SHARE,
  type ListeningProcess,
} from "./processes.js";
import { nodeEnvOf, runSettings } from "./config.js";
import { formatReport, latencyCheckOf, median, ratioOf, type LatencyCheck, type Ratio, type Row } from "./report.js";
import { cookie, createBody, json, restCreate, trpcCreate } from "./requests.js";
import { seedBase, seedScale, type SeedInfo } from "./seed.js";

const settings = runSettings();
const ACTIVE_PER_POOL_CHAT = 3;

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

type Target = "bare-express" | "bare-trpc" | "floor-express" | "floor-express-scale" | "floor-trpc" | "empty" | "scale";

/** The database a target serves, if any. */
function databaseOf(target: Target): "empty" | "scale" | null {
  if (target === "empty" || target === "floor-express" || target === "floor-trpc") return "empty";
  if (target === "scale" || target === "floor-express-scale") return "scale";
  return null;
}

interface Scenario {
  /** `rest-create@empty`; BENCH_ONLY matches the part before the @ or the whole id. */
  id: string;
  label: string;
  target: Target;
  /** The status every response must have for the figure to count. */
  expect: number;
  build(seed: SeedInfo, url: string): Omit<LoadSpec, "connections" | "durationS" | "warmupS">;
  /** Creates invites: the ones it made are deleted afterwards, so the quota is never reached. */
  creates?: boolean;
  /** Joins: each request uses a joiner who has not joined yet. */
  joins?: boolean;
}

const baselines: Scenario[] = [
  {
    id: "bare-express",
    label: "bare Express 5 GET /hello (baseline)",
    target: "bare-express",
    expect: 200,
    build: (_seed, url) => ({ url, method: "GET", path: "/hello", headers: {} }),
  },
  {
    id: "bare-trpc",
    label: "bare tRPC query, Express adapter (baseline)",
    target: "bare-trpc",
    expect: 200,
    build: (_seed, url) => ({ url, method: "GET", path: "/trpc/hello", headers: {} }),
  },
];

/**
 * The floors: the create written by hand with raw SQL on bare Express and on bare tRPC (see
 * floor-create.ts), on the empty database, and the Express one on the large database too. No
 * implementation of the route can beat them, so they show how much of each target is reachable at
 * all on this machine: against the baselines, and what the large database costs any implementation.
 */
const floors: Scenario[] = [
  {
    id: "floor-express",
    label: "floor: Express route + raw SQL create (empty DB)",
    target: "floor-express",
    expect: 201,
    creates: true,
    build: restCreate,
  },
  {
    id: "floor-express@scale",
    label: "floor: Express route + raw SQL create (1M invites)",
    target: "floor-express-scale",
    expect: 201,
    creates: true,
    build: restCreate,
  },
  {
    id: "floor-trpc",
    label: "floor: tRPC mutation + raw SQL create (empty DB)",
    target: "floor-trpc",
    expect: 200,
    creates: true,
    build: trpcCreate,
  },
];

/** The project's scenarios; each runs on the empty and on the large database. */
function projectScenarios(db: "empty" | "scale"): Scenario[] {
  const at = db === "empty" ? "empty DB" : "1M invites";
  return [
    {
      id: `rest-create@${db}`,
      label: `REST create, random chat (${at})`,
      target: db,
      expect: 201,
      creates: true,
      build: restCreate,
    },
    {
      id: `trpc-create@${db}`,
      label: `tRPC invite.create, random chat (${at})`,
      target: db,
      expect: 200,
      creates: true,
      build: trpcCreate,
    },
    {
      id: `rest-list@${db}`,
      label: `REST list, random chat, ${ACTIVE_PER_POOL_CHAT} live (${at})`,
      target: db,
      expect: 200,
      build: (seed, url) => ({ url, method: "GET", path: "/v1/portal/chats/{chat}/invites", headers: cookie(seed), chats: seed.poolChats }),
    },
    {
      id: `rest-join@${db}`,
      label: `REST join, a new member each time (${at})`,
      target: db,
      expect: 200,
      joins: true,
      build: (seed, url) => ({ url, method: "POST", path: `/v1/portal/resolve/${seed.joinCode}`, headers: {} }),
    },
    {
      id: `busy-list@${db}`,
      label: `REST list, busy chat: 20 live${db === "scale" ? ` + ${settings.busyDeadInvites / 1000}k dead` : ""}`,
      target: db,
      expect: 200,
      build: (seed, url) => ({ url, method: "GET", path: `/v1/portal/chats/${seed.busyChatId}/invites`, headers: cookie(seed) }),
    },
    {
      id: `busy-create@${db}`,
      label: `REST create, busy chat: full, 409${db === "scale" ? ` (+ ${settings.busyDeadInvites / 1000}k dead)` : ""}`,
      target: db,
      expect: 409,
      build: (seed, url) => ({
        url,
        method: "POST",
        path: `/v1/portal/chats/${seed.busyChatId}/invites`,
        body: createBody,
        headers: { ...json, ...cookie(seed) },
      }),
    },
  ];
}

/** The baselines and floors first, then the project's scenarios, each empty figure right before its large twin. */
function schedule(): Scenario[] {
  const empty = projectScenarios("empty");
  const scale = projectScenarios("scale");
  const pairs = empty.map((e, i) => [e, scale[i]!]);
  // The floors before the project's servers start: one process at a time has a database open.
  const ordered = [baselines[0]!, floors[0]!, floors[1]!, baselines[1]!, floors[2]!, ...pairs.flat()];
  if (settings.only.length === 0) return ordered;
  return ordered.filter((s) => settings.only.includes(s.id) || settings.only.includes(s.id.split("@")[0]!));
}

function versionOf(name: string): string {
  try {
    const require = createRequire(import.meta.url);
    let dir = dirname(require.resolve(name));
    for (let i = 0; i < 5; i++) {
      try {
        const pkg = require(join(dir, "package.json")) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      } catch {
        // not here: one level up
      }
      dir = dirname(dir);
    }
  } catch {
    // not resolvable
  }
  return "?";
}

function machine() {
  const cpu = cpus();
  const sqlite = new BetterSqlite3(":memory:");
  const sqliteVersion = sqlite.prepare("select sqlite_version()").pluck().get() as string;
  sqlite.close();
  return {
    cpu: cpu[0]?.model.trim() ?? "unknown",
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 1e9),
    os: `Linux ${release()}`,
    node: process.version,
    sqlite: sqliteVersion,
    packages: Object.fromEntries(
      ["express", "@trpc/server", "kysely", "better-sqlite3", "zod", "autocannon"].map((p) => [p, versionOf(p)]),
    ),
  };
}

/**
 * Deletes the invites a scenario created and checkpoints the WAL to empty, so that the next
 * scenario on this database starts as clean as the first: the delete touches a random page of the
 * code index per invite, thousands of pages the measured server's checkpoint worker would
 * otherwise copy while the next scenario runs.
 */
function deleteCreatedInvites(path: string, maxInviteId: number): void {
  const sqlite = new BetterSqlite3(path, { timeout: 15_000 });
  try {
    sqlite.prepare("delete from invites where id > ?").run(maxInviteId);
    const [result] = sqlite.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
    if (result?.busy) say("  (the WAL could not be checkpointed after the deletes: the next scenario may copy them)");
  } finally {
    sqlite.close();
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const started = performance.now();
  const loadBefore = loadavg();
  const scenarios = schedule();
  const wanted = (target: Target) => scenarios.some((s) => s.target === target);
  const wantInProcess = settings.only.length === 0 || settings.only.includes("inprocess");
  if (scenarios.length === 0 && !wantInProcess) {
    // BENCH_ONLY named only scenarios of events.js (the second part of `npm run bench`).
    say("▶ bench: no scenario of run.js in BENCH_ONLY, nothing to do");
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "portal-bench-"));
  const paths = { empty: join(dir, "empty.db"), scale: join(dir, "scale.db") };
  const servers = new Map<Target, ListeningProcess>();
  const stopAll = async () => {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    servers.clear();
  };
  const onSignal = () => {
    for (const s of servers.values()) s.child.kill("SIGKILL");
    if (!settings.keep) rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  try {
    const perScenario = settings.warmupS + settings.durationS;
    say(
      `▶ bench: ${scenarios.length} HTTP scenarios × ${settings.rounds} round(s), ${settings.connections} connections, ` +
        `${settings.warmupS} s warm-up + ${settings.durationS} s each (about ${Math.ceil((scenarios.length * settings.rounds * (perScenario + 1)) / 60)} min), databases in ${dir}`,
    );
    // Enough joiners that no join is made by someone who already joined (up to 6,000 joins/s).
    const joiners = Math.max(20_000, settings.rounds * perScenario * 6_000);
    say(`▶ seeding the empty database: ${settings.poolChats} chats × ${ACTIVE_PER_POOL_CHAT} live invites, ${joiners} joiners with sessions`);
    const seed = await seedBase(paths.empty, { poolChats: settings.poolChats, activePerPoolChat: ACTIVE_PER_POOL_CHAT, joiners });
    say(`  done in ${seed.seconds.toFixed(1)} s`);
    const wantScale = wanted("scale") || wanted("floor-express-scale") || wantInProcess;
    let scaleSeed = { seconds: 0, maxInviteId: seed.maxInviteId, invites: 0 };
    if (wantScale) {
      copyFileSync(paths.empty, paths.scale);
      say(`▶ seeding the large database: + ${settings.poolDeadInvites} dead invites over the ${settings.poolChats} chats, + ${settings.busyDeadInvites} on the busy chat`);
      scaleSeed = await seedScale(paths.scale, seed, { poolDeadInvites: settings.poolDeadInvites, busyDeadInvites: settings.busyDeadInvites });
      say(`  done in ${scaleSeed.seconds.toFixed(1)} s: ${scaleSeed.invites} invites`);
    }
    const maxInviteId = { empty: seed.maxInviteId, scale: scaleSeed.maxInviteId };

    const rows = new Map<string, Row>();
    if (wantInProcess) {
      for (const db of ["empty", "scale"] as const) {
        say(`▶ in-process create path on the ${db} database: raw better-sqlite3 vs createInvite, ${settings.inProcessOps} creates × ${settings.inProcessRounds} rounds each`);
        const spec: InProcessSpec = {
          databaseUrl: `file:${paths[db]}`,
          ownerId: seed.ownerId,
          chats: seed.poolChats,
          operations: settings.inProcessOps,
          rounds: settings.inProcessRounds,
          warmupOperations: Math.min(2_000, settings.inProcessOps),
          maxInviteId: maxInviteId[db],
        };
        const result = await runJsonChild<InProcessResult>(benchScript("inprocess"), spec, undefined, profileFlags(`inprocess-${db}`));
        const at = db === "empty" ? "empty DB" : "1M invites";
        for (const [path, label] of [
          ["raw", `in-process raw better-sqlite3 create tx (${at})`],
          ["floor", `in-process floor: the project's SQL, raw (${at})`],
          ["service", `in-process the service's createInvite (${at})`],
        ] as const) {
          const f = result[path];
          rows.set(`inproc-${path}@${db}`, {
            id: `inproc-${path}@${db}`,
            label,
            perSec: f.opsPerSec,
            p50Ms: f.p50Ms,
            p99Ms: f.p99Ms,
            rounds: f.rounds,
            batch: `inprocess-${db}`,
            cpuUsPerOp: f.cpuUsPerOp,
            cpuShare: f.cpuShare,
            notes: [],
          });
          say(`  ${label}: ${Math.round(f.opsPerSec)}/s`);
        }
      }
    }

    const serverEnv = (db: "empty" | "scale"): Record<string, string> => ({
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: `file:${paths[db]}`,
      RATE_LIMITS: "off",
      LOG_LEVEL: settings.logLevel,
      WEB_DIST: "",
      PORTAL_DEMO: "0",
      ...nodeEnvOf(),
    });
    const launch: Record<Target, [string, Record<string, string>]> = {
      "bare-express": [benchScript("bare-express"), {}],
      "bare-trpc": [benchScript("bare-trpc"), {}],
      "floor-express": [benchScript("floor-express"), { BENCH_DB: paths.empty }],
      "floor-express-scale": [benchScript("floor-express"), { BENCH_DB: paths.scale }],
      "floor-trpc": [benchScript("floor-trpc"), { BENCH_DB: paths.empty }],
      empty: [MAIN_JS, serverEnv("empty")],
      scale: [MAIN_JS, serverEnv("scale")],
    };
    const launches = new Map<Target, number>();
    /**
     * The server of `target`, started on first use. Only one process has a database open while it
     * is measured: every server runs its own WAL checkpoint worker, and an idle process's worker
     * would do the measured one's checkpoints (on its CPU time, not the measured server's), which
     * a server alone in production does itself. So a server on another target's database is
     * stopped first.
     */
    const serverFor = async (target: Target): Promise<ListeningProcess> => {
      const db = databaseOf(target);
      for (const [other, running] of servers) {
        if (other !== target && db !== null && databaseOf(other) === db) {
          await running.stop();
          servers.delete(other);
        }
      }
      const running = servers.get(target);
      if (running) return running;
      const [script, env] = launch[target];
      const name = target === "empty" || target === "scale" ? `server-${target}` : target;
      // A restarted server profiles into a folder of its own.
      const launched = (launches.get(target) ?? 0) + 1;
      launches.set(target, launched);
      const server = await spawnListening(name, script, env, profileFlags(launched === 1 ? name : `${name}.${launched}`));
      servers.set(target, server);
      return server;
    };

    const results = new Map<string, LoadResult[]>();
    /** Server CPU seconds used during each measured run. */
    const cpu = new Map<string, number[]>();
    const joinsUsed = { empty: 0, scale: 0 };
    const notes = new Map<string, Set<string>>();
    const note = (id: string, text: string) => {
      if (!notes.has(id)) notes.set(id, new Set());
      notes.get(id)!.add(text);
    };
    for (let round = 1; round <= settings.rounds; round++) {
      for (const scenario of scenarios) {
        const server = await serverFor(scenario.target);
        const spec: LoadSpec = {
          ...scenario.build(seed, server.url),
          connections: settings.connections,
          durationS: settings.durationS,
          warmupS: settings.warmupS,
        };
        const db = databaseOf(scenario.target);
        if (scenario.joins && db) spec.sessions = { prefix: seed.joinerTokenPrefix, start: joinsUsed[db], count: seed.joiners - joinsUsed[db] };
        process.stderr.write(`▶ ${settings.rounds > 1 ? `round ${round}: ` : ""}${scenario.id} … `);
        const { result, cpuSeconds, steal } = await measuredLoad(server.child.pid, spec);
        if (steal !== null && steal >= STEAL_NOTE_SHARE) {
          note(scenario.id, `the hypervisor took ${Math.round(100 * steal)}% of this machine's CPU time while measured: the figures are low`);
        }
        cpu.set(scenario.id, [...(cpu.get(scenario.id) ?? []), cpuSeconds ?? Number.NaN]);
        if (scenario.joins && db) {
          if (joinsUsed[db] + result.sessionsUsed > seed.joiners) note(scenario.id, "ran out of new joiners: some joins were by members already");
          joinsUsed[db] = Math.min(seed.joiners, joinsUsed[db] + result.sessionsUsed);
        }
        if (scenario.creates && db) deleteCreatedInvites(paths[db], maxInviteId[db]);
        const unexpected = Object.entries(result.statusCodes).filter(([status]) => Number(status) !== scenario.expect);
        if (unexpected.length > 0) note(scenario.id, `unexpected statuses: ${unexpected.map(([s, n]) => `${n} × ${s}`).join(", ")}`);
        if (result.errors > 0 || result.timeouts > 0) note(scenario.id, `${result.errors} connection errors, ${result.timeouts} timeouts`);
        if (result.requests === 0) note(scenario.id, "no responses");
        if (server.child.exitCode !== null || server.child.signalCode !== null) {
          note(scenario.id, `${server.name} exited (${server.child.exitCode ?? server.child.signalCode}) during the run: ${server.output.slice(-3).join(" | ")}`);
          throw new Error(`${server.name} exited during ${scenario.id}:\n${server.output.slice(-20).join("\n")}`);
        }
        results.set(scenario.id, [...(results.get(scenario.id) ?? []), result]);
        const cpuNote = cpuSeconds === null ? "" : `, server CPU ${Math.round((cpuSeconds * 1e6) / Math.max(1, result.requests))} µs/req (${Math.round((100 * cpuSeconds) / settings.durationS)}% of a core)`;
        const stealNote = steal === null ? "" : `, steal ${Math.round(100 * steal)}%`;
        say(`${Math.round(result.reqPerSec)} req/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms${cpuNote}${stealNote}`);
      }
    }
    if (settings.keep) say(`▶ server output tails:\n${[...servers.values()].map((s) => `${s.name}: ${s.output.slice(-3).join(" | ")}`).join("\n")}`);
    await stopAll();

    for (const scenario of scenarios) {
      const runs = results.get(scenario.id) ?? [];
      const cpuRuns = cpu.get(scenario.id) ?? [];
      rows.set(scenario.id, {
        id: scenario.id,
        label: scenario.label,
        perSec: median(runs.map((r) => r.reqPerSec)),
        p50Ms: median(runs.map((r) => r.p50Ms)),
        p99Ms: median(runs.map((r) => r.p99Ms)),
        rounds: runs.map((r) => r.reqPerSec),
        batch: "http",
        cpuUsPerOp: median(runs.map((r, i) => ((cpuRuns[i] ?? Number.NaN) * 1e6) / Math.max(1, r.requests))),
        cpuShare: median(cpuRuns.map((c) => c / settings.durationS)),
        notes: [...(notes.get(scenario.id) ?? [])],
      });
    }

    const ratios: Ratio[] = [];
    const add = (ratio: Ratio | null) => {
      if (ratio) ratios.push(ratio);
    };
    add(ratioOf("REST create / bare Express route", rows, "rest-create@empty", "bare-express", 0.6));
    add(ratioOf("tRPC create / bare tRPC query", rows, "trpc-create@empty", "bare-trpc", 0.8));
    add(ratioOf("in-process createInvite / raw better-sqlite3 tx", rows, "inproc-service@empty", "inproc-raw@empty", 0.8));
    // What is reachable at all: the floors against the baselines, and the project against the floors.
    add(ratioOf("(reachable) floor Express create / bare Express route", rows, "floor-express", "bare-express", null));
    add(ratioOf("(reachable) floor tRPC create / bare tRPC query", rows, "floor-trpc", "bare-trpc", null));
    add(ratioOf("(how close) REST create / floor Express create", rows, "rest-create@empty", "floor-express", null));
    add(ratioOf("(how close) tRPC create / floor tRPC create", rows, "trpc-create@empty", "floor-trpc", null));
    add(ratioOf("(reachable) in-process floor / raw better-sqlite3 tx", rows, "inproc-floor@empty", "inproc-raw@empty", null));
    add(ratioOf("(how close) in-process createInvite / floor", rows, "inproc-service@empty", "inproc-floor@empty", null));
    // What the large database costs an implementation with nothing around its SQL.
    add(ratioOf("(reachable) floor Express create: 1M invites / empty DB", rows, "floor-express@scale", "floor-express", null));
    for (const id of ["rest-create", "trpc-create", "rest-list", "rest-join", "busy-list", "busy-create", "inproc-service", "inproc-floor", "inproc-raw"]) {
      add(ratioOf(`${id}: 1M invites / empty DB`, rows, `${id}@scale`, `${id}@empty`, 0.9));
    }
    const checks: LatencyCheck[] = [];
    for (const db of ["empty", "scale"]) {
      const check = latencyCheckOf(`p99 of REST create at ${settings.connections} connections (${db})`, rows, `rest-create@${db}`, 50);
      if (check) checks.push(check);
    }
    // The least any implementation could reach on this machine in this run.
    for (const [id, db] of [["floor-express", "empty"], ["floor-express@scale", "scale"]] as const) {
      const floorCheck = latencyCheckOf(`(reachable) p99 of the floor Express create (${db})`, rows, id, null);
      if (floorCheck) checks.push(floorCheck);
    }

    const info = machine();
    const loadAfter = loadavg();
    const ordered = [
      ...["bare-express", "bare-trpc", "floor-express", "floor-express@scale", "floor-trpc"].map((id) => rows.get(id)),
      ...["empty", "scale"].flatMap((db) => ["raw", "floor", "service"].map((path) => rows.get(`inproc-${path}@${db}`))),
      ...scenarios.filter((s) => !s.id.startsWith("bare-") && !s.id.startsWith("floor-")).map((s) => rows.get(s.id)),
    ].filter((r): r is Row => r !== undefined);
    const header = [
      `Portal invites benchmark, ${startedAt.toISOString()}`,
      `machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGb} GB, ${info.os}; Node ${info.node}, SQLite ${info.sqlite}`,
      `load average before/after: ${loadBefore.map((l) => l.toFixed(2)).join(" ")} / ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`,
      `HTTP: autocannon ${info.packages.autocannon} in its own process, ${settings.connections} connections, ${settings.warmupS} s warm-up then ${settings.durationS} s, ` +
        `${settings.rounds} round(s) (median shown); servers with RATE_LIMITS=off LOG_LEVEL=${settings.logLevel}`,
      `in-process: one create at a time, ${settings.inProcessOps} per round, ${settings.inProcessRounds} rounds per path (median rate; p50/p99 over all; a ratio of two paths is the median of the rounds' ratios)`,
      `data: ${settings.poolChats} chats × ${ACTIVE_PER_POOL_CHAT} live invites + a full chat (20 live); large DB adds ${settings.poolDeadInvites} dead invites over those chats and ${settings.busyDeadInvites} on the full chat`,
    ];
    process.stdout.write(formatReport(header, ordered, ratios, checks));

    const report = {
      date: startedAt.toISOString(),
      seconds: Math.round((performance.now() - started) / 1000),
      machine: { ...info, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
      settings: { ...settings, activePerPoolChat: ACTIVE_PER_POOL_CHAT, joiners: seed.joiners },
      seed: { baseSeconds: seed.seconds, scaleSeconds: scaleSeed.seconds, invitesAtScale: scaleSeed.invites },
      results: Object.fromEntries(ordered.map((r) => [r.id, { ...r, raw: results.get(r.id) ?? null }])),
      ratios,
      latencyChecks: checks,
    };
    mkdirSync(dirname(settings.out), { recursive: true });
    writeFileSync(settings.out, `${JSON.stringify(report, null, 2)}\n`);
    say(`▶ wrote ${settings.out} (${report.seconds} s in all)`);
  } finally {
    await stopAll();
    if (settings.keep) say(`▶ kept the databases in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
