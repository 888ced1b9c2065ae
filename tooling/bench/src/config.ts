/**
 * Everything the benchmark reads from its environment, in one place (the only module of this
 * package that touches `process.env`). `npm run bench` takes its settings from BENCH_* variables;
 * the processes it starts get their input through BENCH_INPUT, BENCH_DB and PORT.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root: tooling/bench/dist/config.js → ../../../. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

type Env = Record<string, string | undefined>;

function intOf(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min} (got ${JSON.stringify(raw)})`);
  return value;
}

/** `npm run bench`'s settings (the list is in run.ts's header and the README). */
export function runSettings(env: Env = process.env) {
  return {
    durationS: intOf(env, "BENCH_DURATION", 10, 1),
    connections: intOf(env, "BENCH_CONNECTIONS", 50, 1),
    warmupS: intOf(env, "BENCH_WARMUP", 3),
    rounds: intOf(env, "BENCH_ROUNDS", 1, 1),
    poolChats: intOf(env, "BENCH_POOL_CHATS", 10_000, 1),
    poolDeadInvites: intOf(env, "BENCH_INVITES", 1_000_000),
    busyDeadInvites: intOf(env, "BENCH_BUSY_DEAD", 100_000),
    inProcessOps: intOf(env, "BENCH_INPROC_OPS", 5_000, 1),
    inProcessRounds: intOf(env, "BENCH_INPROC_ROUNDS", 7, 1),
    logLevel: env.BENCH_LOG_LEVEL || "warn",
    only: (env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    out: env.BENCH_OUT || join(REPO_ROOT, "bench-results", "bench.json"),
    keep: env.BENCH_KEEP === "1",
  };
}
export type RunSettings = ReturnType<typeof runSettings>;

/**
 * The A/B comparison's settings (ab.ts): the two server builds (BENCH_AB_A, BENCH_AB_B: a built
 * `apps/api/dist/main.js`, or "self" for this checkout's), the seed module each side's database is
 * made with (BENCH_AB_SEED_A, BENCH_AB_SEED_B: a built bench `seed.js` of that checkout, so each
 * database carries that side's own migrations; "self" for this package's), and the rounds.
 */
export function abSettings(env: Env = process.env) {
  const server = (name: string, fallback?: string) => {
    const value = env[name] || fallback;
    if (!value) throw new Error(`${name} must name a built server (…/apps/api/dist/main.js) or "self" (this checkout's)`);
    return value;
  };
  return {
    a: server("BENCH_AB_A"),
    b: server("BENCH_AB_B", "self"),
    seedA: env.BENCH_AB_SEED_A || "self",
    seedB: env.BENCH_AB_SEED_B || "self",
    rounds: intOf(env, "BENCH_AB_ROUNDS", 6, 1),
    durationS: intOf(env, "BENCH_DURATION", 10, 1),
    warmupS: intOf(env, "BENCH_WARMUP", 3),
    connections: intOf(env, "BENCH_CONNECTIONS", 50, 1),
    poolChats: intOf(env, "BENCH_POOL_CHATS", 10_000, 1),
    only: (env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    logLevel: env.BENCH_LOG_LEVEL || "warn",
    out: env.BENCH_OUT || join(REPO_ROOT, "bench-results", "ab.json"),
    keep: env.BENCH_KEEP === "1",
  };
}

/**
 * The live-events benchmark's settings (events.ts, `npm run bench -- events`): commit-to-subscriber
 * latency across instances (BENCH_EVENTS_CREATES measured creates at BENCH_EVENTS_RATE a second,
 * after BENCH_EVENTS_WARMUP_CREATES dropped ones, each watched by BENCH_EVENTS_WATCHERS streams on
 * the other instance), REST create throughput with BENCH_EVENTS_STREAMS open streams against none
 * (BENCH_EVENTS_ROUNDS alternating rounds of BENCH_WARMUP + BENCH_DURATION seconds at
 * BENCH_CONNECTIONS), and memory per open stream. BENCH_PG_URL: a PostgreSQL database the bench may
 * create its own database beside (`off`: SQLite only).
 */
export function eventsSettings(env: Env = process.env) {
  const pg = env.BENCH_PG_URL || "postgres://postgres@127.0.0.1:5432/test";
  if (pg !== "off" && !/^postgres(ql)?:\/\/.+/.test(pg)) throw new Error(`BENCH_PG_URL must be postgres://user@host:port/db or "off" (got ${JSON.stringify(pg)})`);
  return {
    creates: intOf(env, "BENCH_EVENTS_CREATES", 400, 1),
    warmupCreates: intOf(env, "BENCH_EVENTS_WARMUP_CREATES", 50),
    ratePerSec: intOf(env, "BENCH_EVENTS_RATE", 25, 1),
    watchers: intOf(env, "BENCH_EVENTS_WATCHERS", 2, 1),
    streams: intOf(env, "BENCH_EVENTS_STREAMS", 1_000, 1),
    rounds: intOf(env, "BENCH_EVENTS_ROUNDS", 4, 1),
    durationS: intOf(env, "BENCH_DURATION", 10, 1),
    warmupS: intOf(env, "BENCH_WARMUP", 3),
    connections: intOf(env, "BENCH_CONNECTIONS", 50, 1),
    poolChats: intOf(env, "BENCH_POOL_CHATS", 10_000, 1),
    postgresUrl: pg === "off" ? null : pg,
    only: (env.BENCH_ONLY ?? "").split(",").map((s) => s.trim()).filter(Boolean),
    logLevel: env.BENCH_LOG_LEVEL || "warn",
    out: env.BENCH_EVENTS_OUT || join(REPO_ROOT, "bench-results", "events.json"),
    keep: env.BENCH_KEEP === "1",
  };
}
export type EventsSettings = ReturnType<typeof eventsSettings>;

/** BENCH_CPU_PROF: a folder the measured processes write CPU profiles into, or undefined. */
export function cpuProfileDir(env: Env = process.env): string | undefined {
  return env.BENCH_CPU_PROF || undefined;
}

/** What every measured server inherits from the bench's own environment: PATH only. */
export function serverBaseEnv(env: Env = process.env): Record<string, string> {
  return { PATH: env.PATH ?? "" };
}

/** NODE_ENV, when set, for the project's servers (the baselines and floors run without it). */
export function nodeEnvOf(env: Env = process.env): Record<string, string> {
  return env.NODE_ENV ? { NODE_ENV: env.NODE_ENV } : {};
}

/** The environment of a helper child (load generator, in-process measurement): ours plus `extra`. */
export function childEnv(extra: Record<string, string>, env: Env = process.env): Record<string, string | undefined> {
  return { ...env, ...extra };
}

/** The JSON input a child was started with (BENCH_INPUT), or undefined. */
export function childInputJson(env: Env = process.env): string | undefined {
  return env.BENCH_INPUT || undefined;
}

/** The database file a floor server serves (BENCH_DB). */
export function floorDatabasePath(env: Env = process.env): string {
  const path = env.BENCH_DB;
  if (!path) throw new Error("BENCH_DB must name the SQLite file of the floor server (run.js sets it)");
  return path;
}

/** The port a bench server listens on (PORT; 0: any free one). */
export function listenPort(env: Env = process.env): number {
  return Number(env.PORT ?? 0);
}
