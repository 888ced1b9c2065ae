/**
 * The load generator: autocannon in a process of its own (never the server's), a warm-up run whose
 * figures are dropped, then the measured run. Started by run.ts with a LoadSpec in BENCH_INPUT;
 * prints one JSON LoadResult line.
 */
import { createRequire } from "node:module";
import { childInput, printResult } from "./processes.js";

export interface LoadSpec {
  url: string;
  method: "GET" | "POST";
  /** May contain `{chat}`, replaced per request by a random id of `chats`. */
  path: string;
  /** May contain `{chat}` too. */
  body?: string;
  headers: Record<string, string>;
  /** Inclusive range of chat ids to pick from at random, for `{chat}`. */
  chats?: [number, number];
  /**
   * One session per request, in order: the cookie `psession=<prefix><n>` for n = start, start+1, …
   * (wrapping after `count`), so that every join is made by a user who has not joined yet.
   */
  sessions?: { prefix: string; start: number; count: number };
  connections: number;
  durationS: number;
  warmupS: number;
}

export interface LoadResult {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  requests: number;
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** How many sessions of `spec.sessions` the warm-up and the run used. */
  sessionsUsed: number;
}

interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  statusCodeStats: Record<string, { count: number }>;
  errors: number;
  timeouts: number;
}

type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests: AutocannonRequest[];
}) => Promise<AutocannonResult>;

// autocannon ships CommonJS without type declarations; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

function requestOf(spec: LoadSpec, counter: { next: number }): AutocannonRequest {
  const request: AutocannonRequest = { method: spec.method, path: spec.path, headers: spec.headers };
  if (spec.body !== undefined) request.body = spec.body;
  const dynamic = spec.chats !== undefined || spec.sessions !== undefined;
  if (!dynamic) return request;
  const [low, high] = spec.chats ?? [0, 0];
  const span = high - low + 1;
  const sessions = spec.sessions;
  request.setupRequest = (req) => {
    const next: AutocannonRequest = { ...req };
    if (spec.chats) {
      const chat = String(low + Math.floor(Math.random() * span));
      next.path = spec.path.replace("{chat}", chat);
      if (spec.body !== undefined) next.body = spec.body.replace("{chat}", chat);
    }
    if (sessions) {
      const n = sessions.start + (counter.next % sessions.count);
      counter.next += 1;
      next.headers = { ...req.headers, Cookie: `psession=${sessions.prefix}${n}` };
    }
    return next;
  };
  return request;
}

async function main(): Promise<void> {
  const spec = childInput<LoadSpec>();
  const counter = { next: 0 };
  const requests = [requestOf(spec, counter)];
  if (spec.warmupS > 0) {
    await autocannon({ url: spec.url, connections: spec.connections, duration: spec.warmupS, requests });
  }
  // Tells run.ts the measured part starts now (it reads the server's CPU time here).
  process.stdout.write(`${JSON.stringify({ phase: "run" })}\n`);
  const result = await autocannon({ url: spec.url, connections: spec.connections, duration: spec.durationS, requests });
  const statusCodes: Record<string, number> = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) statusCodes[status] = count;
  const out: LoadResult = {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    meanMs: result.latency.average,
    requests: result.requests.total,
    statusCodes,
    errors: result.errors,
    timeouts: result.timeouts,
    sessionsUsed: counter.next,
  };
  printResult(out);
}

await main();
