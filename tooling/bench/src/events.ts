/**
 * `npm run bench -- events` (and the second part of `npm run bench`): live events (SPEC section 11),
 * measured on this machine with the project's own server processes (tooling/bench/README.md,
 * "Live events").
 *
 * - `events-latency@sqlite`, `events-latency@postgres`: commit-to-subscriber latency across
 *   instances. Two servers on one database (a SQLite file; a PostgreSQL database the bench creates
 *   and drops); event streams on instance B, a writer creating invites on instance A at a modest
 *   rate; latency = the time a stream got the event minus the time the writer got its 201, both in
 *   this process. Target: p99 ≤ 250 ms on each database, every delivery made.
 * - `events-throughput`: REST create throughput (autocannon, as `rest-create`) on one server with
 *   1,000 open event streams against none, alternating rounds. Target: ≥ 0.9.
 * - `events-memory`: the server's memory with 0 and with 1,000 open streams, after a full GC in
 *   the server (started with --expose-gc and the bench's memory probe): bytes per open stream.
 *
 * Settings: config.ts `eventsSettings` (BENCH_EVENTS_*, BENCH_PG_URL, BENCH_DURATION,
 * BENCH_WARMUP, BENCH_CONNECTIONS, BENCH_POOL_CHATS, BENCH_ONLY, BENCH_LOG_LEVEL, BENCH_KEEP).
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { openDatabase } from "@portal/api/bench-support";
import { eventsSettings, nodeEnvOf } from "./config.js";
import { formatEvents, latencyCheck, summarizeLatency, type LatencyResult, type MemoryResult, type MemorySample } from "./events-report.js";
import { seedEvents, type EventsSeed } from "./events-seed.js";
import type { LoadResult, LoadSpec } from "./load.js";
import { benchScript, cpuSecondsOf, MAIN_JS, measuredLoad, profileFlags, spawnListening, STEAL_NOTE_SHARE, type ListeningProcess } from "./processes.js";
import { median, ratioOf, type LatencyCheck, type Ratio, type Row } from "./report.js";
import { createBody, restCreate } from "./requests.js";
import { openStream, StreamRefused, type OpenStream, type SseFrame } from "./sse.js";

const settings = eventsSettings();
const LATENCY_TARGET_MS = 250;
const THROUGHPUT_TARGET = 0.9;
/** What the 10-per-user limit allows one user (SPEC section 11). */
const STREAMS_PER_USER = 10;
/** Live invites every seeded chat starts with; the quota is 20. */
const INVITES_PER_CHAT = 3;
/** Creates per chat in the latency scenario: 3 live + 15 stays under the quota of 20. */
const LATENCY_CREATES_PER_CHAT = 15;
/** How long after the last create a missing delivery is waited for. */
const DELIVERY_DEADLINE_MS = 5_000;

function say(message: string): void {
  process.stderr.write(`${message}\n`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function wanted(id: string): boolean {
  const { only } = settings;
  return only.length === 0 || only.includes("events") || only.includes(id) || only.includes(id.split("@")[0]!);
}

/** The server as production starts it, on `databaseUrl`, with room for every stream and the load's connections. */
function serverEnv(databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    RATE_LIMITS: "off",
    LOG_LEVEL: settings.logLevel,
    WEB_DIST: "",
    PORTAL_DEMO: "0",
    MAX_CONNECTIONS: String(Math.max(10_000, 2 * settings.streams + settings.connections + 100)),
    ...nodeEnvOf(),
  };
}

/** The soft `Max open files` of this process (Node raises it to the hard limit at start); null where unknown. */
function openFileLimit(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max open files"));
    const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
    return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : null;
  } catch {
    return null;
  }
}

const eventsPath = (chat: number) => `/v1/portal/chats/${chat}/events`;
const managerToken = (seed: EventsSeed, n: number) => `${seed.managerTokenPrefix}${n}`;

interface StreamPlan {
  chat: number;
  token: string;
}

/**
 * Opens every planned stream, `concurrency` at a time. A 429 (the user's 10 streams are still
 * counted: the leases of streams closed a moment ago) is retried for up to 30 s; anything else fails.
 */
async function openStreams(
  base: string,
  plan: StreamPlan[],
  onFrame: (index: number, frame: SseFrame, at: number) => void,
  concurrency = 50,
): Promise<OpenStream[]> {
  const streams: OpenStream[] = new Array(plan.length);
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const index = next++;
      const { chat, token } = plan[index]!;
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          streams[index] = await openStream(base, eventsPath(chat), token, (frame, at) => onFrame(index, frame, at));
          break;
        } catch (error) {
          if (error instanceof StreamRefused && error.status === 429 && Date.now() < deadline) {
            await sleep(200);
            continue;
          }
          throw error;
        }
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, plan.length) }, worker));
  } catch (error) {
    for (const stream of streams) stream?.close();
    throw error;
  }
  return streams;
}

interface CreateOutcome {
  status: number;
  body: string;
  sentAt: number;
  doneAt: number;
}

/** One REST create on `chat` as the owner, over a keep-alive agent; times are performance.now(). */
function createOn(agent: Agent, base: string, chat: number, token: string): Promise<CreateOutcome> {
  const url = new URL(`/v1/portal/chats/${chat}/invites`, base);
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    const req = request(
      { hostname: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers: { "Content-Type": "application/json", Cookie: `psession=${token}` } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (body += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, sentAt, doneAt: performance.now() }));
        res.on("error", reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error("a create had no answer within 30 s")));
    req.on("error", reject);
    req.end(createBody);
  });
}

/** The stored created_at (ms) of events by id, read after the run. */
async function storedCreatedAt(databaseUrl: string, fromId: number): Promise<Map<number, number>> {
  const database = openDatabase(databaseUrl);
  try {
    const rows = await database.db.selectFrom("chat_events").select(["id", "created_at"]).where("id", ">", fromId).execute();
    return new Map(rows.map((r) => [Number(r.id), Number(r.created_at)]));
  } finally {
    await database.close();
  }
}

interface PostgresDatabase {
  url: string;
  drop(): Promise<void>;
}

/** A database of the bench's own beside BENCH_PG_URL's, or null (with the reason) when PostgreSQL does not answer. */
async function createPostgresDatabase(adminUrl: string): Promise<PostgresDatabase | string> {
  const name = `portal_bench_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
  try {
    await admin.connect();
    await admin.query(`create database ${name}`);
  } catch (error) {
    return `PostgreSQL at ${adminUrl} did not take a new database (${(error as Error).message})`;
  } finally {
    await admin.end().catch(() => undefined);
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 3_000 });
      try {
        await client.connect();
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end().catch(() => undefined);
      }
    },
  };
}

/** Every process the run started, so a signal can stop them. */
const started = new Set<ListeningProcess>();

async function startServer(name: string, databaseUrl: string, nodeArgs: string[] = []): Promise<ListeningProcess> {
  const server = await spawnListening(name, MAIN_JS, serverEnv(databaseUrl), [...nodeArgs, ...profileFlags(name)]);
  started.add(server);
  return server;
}

async function stopServer(server: ListeningProcess): Promise<void> {
  await server.stop();
  started.delete(server);
}

function exitedNote(server: ListeningProcess): string | null {
  if (server.child.exitCode === null && server.child.signalCode === null) return null;
  return `${server.name} exited (${server.child.exitCode ?? server.child.signalCode}): ${server.output.slice(-5).join(" | ")}`;
}

/**
 * Commit-to-subscriber latency on one database: writer on instance A, streams on instance B,
 * `settings.watchers` streams on every chat written to (by different users where there are enough).
 */
async function latencyScenario(id: string, label: string, databaseUrl: string, seed: EventsSeed): Promise<LatencyResult> {
  const total = settings.warmupCreates + settings.creates;
  const chats = Math.ceil(total / LATENCY_CREATES_PER_CHAT);
  const [low] = seed.poolChats;
  const plan: StreamPlan[] = Array.from({ length: chats * settings.watchers }, (_, k) => ({ chat: low + (k % chats), token: managerToken(seed, Math.floor(k / STREAMS_PER_USER)) }));
  const a = await startServer(`${id}-A`, databaseUrl);
  const b = await startServer(`${id}-B`, databaseUrl);
  const notes: string[] = [];
  try {
    /** code → the deliveries of its invite.created: stream index, time, event id. */
    const deliveries = new Map<string, { stream: number; at: number; id: number }[]>();
    const lastId = new Array<number>(plan.length).fill(0);
    let outOfOrder = 0;
    const onFrame = (stream: number, frame: SseFrame, at: number) => {
      if (frame.event !== "invite.created") return;
      const event = JSON.parse(frame.data) as { id: string; data: { code: string } };
      const eventId = Number(frame.id ?? event.id);
      if (eventId < lastId[stream]!) outOfOrder += 1;
      lastId[stream] = Math.max(lastId[stream]!, eventId);
      const list = deliveries.get(event.data.code) ?? [];
      list.push({ stream, at, id: eventId });
      deliveries.set(event.data.code, list);
    };
    say(`  ${plan.length} streams on instance B (${chats} chats × ${settings.watchers}), writer on instance A: ${settings.warmupCreates} + ${settings.creates} creates at ${settings.ratePerSec}/s`);
    const streams = await openStreams(b.url, plan, onFrame);
    await sleep(500);
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const outcomes: { chat: number; outcome: CreateOutcome }[] = new Array(total);
    const pending: Promise<void>[] = [];
    const t0 = performance.now() + 50;
    for (let i = 0; i < total; i++) {
      const at = t0 + (i * 1000) / settings.ratePerSec;
      const wait = at - performance.now();
      if (wait > 0) await sleep(wait);
      const chat = low + (i % chats);
      pending.push(createOn(agent, a.url, chat, seed.ownerToken).then((outcome) => void (outcomes[i] = { chat, outcome })));
    }
    await Promise.all(pending);
    agent.destroy();
    const measured = outcomes.slice(settings.warmupCreates);
    const created = measured.filter((o) => o.outcome.status === 201).map((o) => ({ ...o, code: (JSON.parse(o.outcome.body) as { code: string }).code }));
    const statuses = new Map<number, number>();
    for (const o of measured) statuses.set(o.outcome.status, (statuses.get(o.outcome.status) ?? 0) + 1);
    for (const [status, count] of statuses) if (status !== 201) notes.push(`${count} creates answered ${status}`);
    const watchersOf = (chat: number) => plan.filter((p) => p.chat === chat).length;
    const expected = created.reduce((sum, c) => sum + watchersOf(c.chat), 0);
    const got = () => created.reduce((sum, c) => sum + Math.min(watchersOf(c.chat), deliveries.get(c.code)?.length ?? 0), 0);
    const deadline = performance.now() + DELIVERY_DEADLINE_MS;
    while (got() < expected && performance.now() < deadline) await sleep(50);
    const ended = new Map<string, number>();
    for (const stream of streams) {
      if (stream.ended) ended.set(stream.ended, (ended.get(stream.ended) ?? 0) + 1);
      stream.close();
    }
    for (const [how, count] of ended) notes.push(`${count} of ${streams.length} streams ${how} before the last delivery was waited for`);
    const fromResponse: number[] = [];
    const received: { at: number; id: number }[] = [];
    let duplicates = 0;
    for (const c of created) {
      const list = deliveries.get(c.code) ?? [];
      const seen = new Set<number>();
      for (const d of list) {
        if (seen.has(d.stream)) {
          duplicates += 1;
          continue;
        }
        seen.add(d.stream);
        fromResponse.push(d.at - c.outcome.doneAt);
        received.push(d);
      }
    }
    let fromCreatedAt: LatencyResult["fromCreatedAt"] = null;
    try {
      const stored = await storedCreatedAt(databaseUrl, seed.maxEventId);
      const values = received.filter((d) => stored.has(d.id)).map((d) => performance.timeOrigin + d.at - stored.get(d.id)!);
      if (values.length > 0) fromCreatedAt = summarizeLatency(values);
    } catch (error) {
      notes.push(`the events' created_at could not be read: ${(error as Error).message}`);
    }
    for (const server of [a, b]) {
      const note = exitedNote(server);
      if (note) notes.push(note);
    }
    return {
      id,
      label,
      events: created.length,
      expected,
      fromResponse: summarizeLatency(fromResponse),
      fromCreatedAt,
      writer: summarizeLatency(measured.map((o) => o.outcome.doneAt - o.outcome.sentAt)),
      missing: expected - fromResponse.length,
      duplicates,
      outOfOrder,
      notes,
    };
  } finally {
    await stopServer(a);
    await stopServer(b);
  }
}

/** Deletes what a throughput run created (invites and their events) and checkpoints the WAL, as run.ts does between scenarios. */
function deleteCreated(path: string, seed: EventsSeed): void {
  const sqlite = new BetterSqlite3(path, { timeout: 15_000 });
  try {
    sqlite.prepare("delete from invites where id > ?").run(seed.maxInviteId);
    // AUTOINCREMENT: a deleted event's id is never handed out again, so no server's cursor is fooled.
    sqlite.prepare("delete from chat_events where id > ?").run(seed.maxEventId);
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    sqlite.close();
  }
}

/** `settings.streams` streams, one per chat over the first chats of the pool, 10 per manager. */
function throughputPlan(seed: EventsSeed): StreamPlan[] {
  const [low, high] = seed.poolChats;
  const span = high - low + 1;
  return Array.from({ length: settings.streams }, (_, k) => ({ chat: low + (k % span), token: managerToken(seed, Math.floor(k / STREAMS_PER_USER)) }));
}

interface ThroughputRun {
  side: "none" | "streams";
  round: number;
  result: LoadResult;
  cpuSeconds: number;
  steal: number | null;
  /** Events the streams got while the load was measured. */
  delivered: number;
  notes: string[];
}

async function throughputScenario(path: string, seed: EventsSeed): Promise<{ rows: Row[]; runs: ThroughputRun[]; cpuRatio: Ratio | null }> {
  const server = await startServer("events-throughput", `file:${path}`);
  const runs: ThroughputRun[] = [];
  try {
    const plan = throughputPlan(seed);
    for (let round = 1; round <= settings.rounds; round++) {
      const order = round % 2 === 1 ? (["none", "streams"] as const) : (["streams", "none"] as const);
      for (const side of order) {
        const notes: string[] = [];
        let delivered = 0;
        let streams: OpenStream[] = [];
        if (side === "streams") {
          const opening = performance.now();
          streams = await openStreams(server.url, plan, () => void (delivered += 1));
          say(`  round ${round}: ${streams.length} streams open in ${Math.round(performance.now() - opening)} ms`);
          await sleep(1_000);
        }
        process.stderr.write(`▶ round ${round}: events-throughput, ${side === "none" ? "no stream" : `${settings.streams} streams`} … `);
        const spec: LoadSpec = { ...restCreate(seed, server.url), connections: settings.connections, durationS: settings.durationS, warmupS: settings.warmupS };
        const measured = await measuredLoad(server.child.pid, spec, () => void (delivered = 0));
        const { result, steal } = measured;
        const deliveredInRun = delivered;
        const exited = exitedNote(server);
        if (exited) throw new Error(`the server exited during events-throughput: ${exited}`);
        const ended = streams.filter((s) => s.ended !== null).length;
        if (ended > 0) notes.push(`${ended} streams ended during the run`);
        for (const stream of streams) stream.close();
        const unexpected = Object.entries(result.statusCodes).filter(([status]) => status !== "201");
        if (unexpected.length > 0) notes.push(`unexpected statuses: ${unexpected.map(([s, n]) => `${n} × ${s}`).join(", ")}`);
        if (result.errors > 0 || result.timeouts > 0) notes.push(`${result.errors} connection errors, ${result.timeouts} timeouts`);
        if (steal !== null && steal >= STEAL_NOTE_SHARE) notes.push(`the hypervisor took ${Math.round(100 * steal)}% of this machine's CPU time while measured: the figures are low`);
        const cpuSeconds = measured.cpuSeconds ?? Number.NaN;
        runs.push({ side, round, result, cpuSeconds, steal, delivered: deliveredInRun, notes });
        say(
          `${Math.round(result.reqPerSec)} req/s, p99 ${result.p99Ms} ms, server CPU ${Math.round((cpuSeconds * 1e6) / Math.max(1, result.requests))} µs/req` +
            `${side === "streams" ? `, ${deliveredInRun} events delivered to the streams` : ""}${steal === null ? "" : `, steal ${Math.round(100 * steal)}%`}`,
        );
        // The server lets go of the closed streams' leases; the next round's creates start clean.
        await sleep(1_000);
        deleteCreated(path, seed);
      }
    }
  } finally {
    await stopServer(server);
  }
  const rowOf = (side: "none" | "streams", label: string): Row => {
    const mine = runs.filter((r) => r.side === side);
    const notes = [...new Set(mine.flatMap((r) => r.notes))];
    if (side === "streams") {
      const share = median(mine.map((r) => r.delivered / Math.max(1, r.result.requests)));
      notes.push(`info: the streams got ${(100 * share).toFixed(1)} % as many events as the measured run made creates (one stream on ${Math.min(settings.streams, settings.poolChats)} of ${settings.poolChats} chats)`);
    }
    return {
      id: `events-create@${side}`,
      label,
      perSec: median(mine.map((r) => r.result.reqPerSec)),
      p50Ms: median(mine.map((r) => r.result.p50Ms)),
      p99Ms: median(mine.map((r) => r.result.p99Ms)),
      rounds: mine.map((r) => r.result.reqPerSec),
      batch: "events-throughput",
      cpuUsPerOp: median(mine.map((r) => (r.cpuSeconds * 1e6) / Math.max(1, r.result.requests))),
      cpuShare: median(mine.map((r) => r.cpuSeconds / settings.durationS)),
      notes,
    };
  };
  const rows = [rowOf("none", "REST create, random chat, no open stream"), rowOf("streams", `REST create, random chat, ${settings.streams} open event streams`)];
  const cpuOf = (side: "none" | "streams") => runs.filter((r) => r.side === side).map((r) => (r.cpuSeconds * 1e6) / Math.max(1, r.result.requests));
  const [none, open] = [cpuOf("none"), cpuOf("streams")];
  const cpuRatio: Ratio | null =
    none.length === open.length && none.length > 0
      ? { name: "(info) server CPU a create: with streams / none", numerator: "events-create@streams", denominator: "events-create@none", value: median(open.map((v, i) => v / none[i]!)), min: null, pass: null }
      : null;
  return { rows, runs, cpuRatio };
}

/** Reads one memory sample from the probe (SIGUSR2 → a numbered JSON line on the server's stdout). */
async function memorySample(server: ListeningProcess, counter: { n: number }): Promise<{ sample: MemorySample; gc: boolean }> {
  counter.n += 1;
  const want = counter.n;
  server.child.kill("SIGUSR2");
  const deadline = performance.now() + 15_000;
  for (;;) {
    for (let i = server.output.length - 1; i >= 0; i--) {
      const line = server.output[i]!;
      if (!line.includes('"benchMemory"')) continue;
      const parsed = JSON.parse(line) as { benchMemory: MemorySample; gc: boolean; sample: number };
      if (parsed.sample === want) return { sample: parsed.benchMemory, gc: parsed.gc };
      if (parsed.sample < want) break;
    }
    if (performance.now() > deadline) throw new Error(`the server's memory probe did not answer sample ${want}: ${server.output.slice(-5).join(" | ")}`);
    await sleep(20);
  }
}

async function memoryState(server: ListeningProcess, counter: { n: number }, samples = 5): Promise<{ sample: MemorySample; gc: boolean }> {
  const taken: MemorySample[] = [];
  let gc = true;
  for (let i = 0; i < samples; i++) {
    const s = await memorySample(server, counter);
    taken.push(s.sample);
    gc &&= s.gc;
    await sleep(200);
  }
  const of = (key: keyof MemorySample) => median(taken.map((s) => s[key]));
  return { sample: { rss: of("rss"), heapUsed: of("heapUsed"), heapTotal: of("heapTotal"), external: of("external"), arrayBuffers: of("arrayBuffers") }, gc };
}

async function idleCpuShare(server: ListeningProcess, seconds: number): Promise<number> {
  const before = cpuSecondsOf(server.child.pid);
  const t = performance.now();
  await sleep(seconds * 1000);
  const after = cpuSecondsOf(server.child.pid);
  return before === null || after === null ? Number.NaN : (after - before) / ((performance.now() - t) / 1000);
}

async function memoryScenario(path: string, seed: EventsSeed): Promise<MemoryResult> {
  const probe = pathToFileURL(benchScript("memory-probe")).href;
  const server = await startServer("events-memory", `file:${path}`, ["--expose-gc", `--import=${probe}`]);
  const counter = { n: 0 };
  const notes: string[] = [];
  const idleSeconds = 5;
  try {
    const plan = throughputPlan(seed);
    // Warm-up: every code path of a stream (open, deliver, close) runs once before the baseline.
    const warm = await openStreams(server.url, plan.slice(0, 20), () => undefined);
    const agent = new Agent({ keepAlive: true });
    for (let i = 0; i < 20; i++) await createOn(agent, server.url, plan[i]!.chat, seed.ownerToken);
    agent.destroy();
    for (const stream of warm) stream.close();
    await sleep(2_000);
    const before = await memoryState(server, counter);
    const idleNone = await idleCpuShare(server, idleSeconds);
    const opening = performance.now();
    const streams = await openStreams(server.url, plan, () => undefined);
    say(`  ${streams.length} streams open in ${Math.round(performance.now() - opening)} ms`);
    await sleep(2_000);
    const open = await memoryState(server, counter);
    const idleOpen = await idleCpuShare(server, idleSeconds);
    const ended = streams.filter((s) => s.ended !== null).length;
    if (ended > 0) notes.push(`${ended} streams ended while measured`);
    for (const stream of streams) stream.close();
    await sleep(3_000);
    const after = await memoryState(server, counter);
    const exited = exitedNote(server);
    if (exited) notes.push(exited);
    if (!before.gc) notes.push("the server ran without --expose-gc: no GC was forced before the samples");
    const per = (key: "rss" | "heapUsed") => (open.sample[key] - before.sample[key]) / settings.streams;
    const external = (m: MemorySample) => m.external + m.arrayBuffers;
    return {
      streams: settings.streams,
      before: before.sample,
      open: open.sample,
      after: after.sample,
      perStream: { rss: per("rss"), heapUsed: per("heapUsed"), external: (external(open.sample) - external(before.sample)) / settings.streams },
      idleCpu: { none: idleNone, open: idleOpen, seconds: idleSeconds },
      gc: before.gc && open.gc,
      notes,
    };
  } finally {
    await stopServer(server);
  }
}

function machine() {
  const cpu = cpus();
  return { cpu: cpu[0]?.model.trim() ?? "unknown", cores: cpu.length, memoryGb: Math.round(totalmem() / 1e9), os: `Linux ${release()}`, node: process.version };
}

async function main(): Promise<void> {
  const ids = ["events-latency@sqlite", "events-latency@postgres", "events-throughput", "events-memory"].filter(wanted);
  if (ids.length === 0) {
    say("▶ events: no events scenario in BENCH_ONLY, nothing to do");
    return;
  }
  const startedAt = new Date();
  const t0 = performance.now();
  const loadBefore = loadavg();
  const fds = openFileLimit();
  const needFds = settings.streams + settings.connections + 200;
  if ((ids.includes("events-throughput") || ids.includes("events-memory")) && fds !== null && fds < needFds) {
    throw new Error(`the bench holds ${settings.streams} streams open and has ${fds} file descriptors (Max open files): raise it to ${needFds} or more (ulimit -n ${needFds}) or lower BENCH_EVENTS_STREAMS`);
  }
  const dir = mkdtempSync(join(tmpdir(), "portal-bench-events-"));
  let postgres: PostgresDatabase | null = null;
  const onSignal = () => {
    for (const server of started) server.child.kill("SIGKILL");
    if (!settings.keep) rmSync(dir, { recursive: true, force: true });
    const drop = postgres?.drop() ?? Promise.resolve();
    void Promise.race([drop, sleep(5_000)]).finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const latency: LatencyResult[] = [];
  let memory: MemoryResult | null = null;
  let throughput: Awaited<ReturnType<typeof throughputScenario>> | null = null;
  const skipped: string[] = [];
  try {
    const total = settings.warmupCreates + settings.creates;
    const latencyChats = Math.ceil(total / LATENCY_CREATES_PER_CHAT);
    const latencyManagers = Math.ceil((latencyChats * settings.watchers) / STREAMS_PER_USER);
    const latencySeed = { chats: latencyChats, invitesPerChat: INVITES_PER_CHAT, managers: latencyManagers };
    if (ids.includes("events-latency@sqlite")) {
      const url = `file:${join(dir, "latency.db")}`;
      say(`▶ events-latency@sqlite: seeding ${latencyChats} chats, ${latencyManagers} managers`);
      const seed = await seedEvents(url, latencySeed);
      latency.push(await latencyScenario("events-latency@sqlite", "SQLite, 2 processes on one file", url, seed));
    }
    if (ids.includes("events-latency@postgres")) {
      const created = settings.postgresUrl ? await createPostgresDatabase(settings.postgresUrl) : "BENCH_PG_URL=off";
      if (typeof created === "string") {
        skipped.push(`events-latency@postgres skipped: ${created}`);
        say(`▶ ${skipped.at(-1)}`);
      } else {
        postgres = created;
        say(`▶ events-latency@postgres: seeding ${latencyChats} chats, ${latencyManagers} managers in ${new URL(created.url).pathname.slice(1)}`);
        const seed = await seedEvents(created.url, latencySeed);
        latency.push(await latencyScenario("events-latency@postgres", "PostgreSQL, 2 instances on one database", created.url, seed));
        await created.drop();
        postgres = null;
      }
    }
    if (ids.includes("events-throughput") || ids.includes("events-memory")) {
      const path = join(dir, "streams.db");
      const managers = Math.ceil(settings.streams / STREAMS_PER_USER);
      say(`▶ events: seeding ${settings.poolChats} chats × ${INVITES_PER_CHAT} live invites, ${managers} managers with sessions`);
      const seed = await seedEvents(`file:${path}`, { chats: settings.poolChats, invitesPerChat: INVITES_PER_CHAT, managers });
      say(`  done in ${seed.seconds.toFixed(1)} s`);
      if (ids.includes("events-throughput")) {
        say(`▶ events-throughput: ${settings.rounds} rounds × (no stream, ${settings.streams} streams), ${settings.connections} connections, ${settings.warmupS} s warm-up + ${settings.durationS} s each`);
        throughput = await throughputScenario(path, seed);
      }
      if (ids.includes("events-memory")) {
        say(`▶ events-memory: the server's memory with 0 and ${settings.streams} open streams`);
        memory = await memoryScenario(path, seed);
      }
    }
  } finally {
    for (const server of [...started]) await stopServer(server);
    if (postgres) await postgres.drop().catch((error: Error) => say(`  could not drop the PostgreSQL database: ${error.message}`));
    if (settings.keep) say(`▶ kept the databases in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }

  const rows = throughput?.rows ?? [];
  const ratios: Ratio[] = [];
  const rowMap = new Map(rows.map((r) => [r.id, r]));
  const ratio = ratioOf(`REST create with ${settings.streams} open streams / none`, rowMap, "events-create@streams", "events-create@none", THROUGHPUT_TARGET);
  if (ratio) ratios.push(ratio);
  if (throughput?.cpuRatio) ratios.push(throughput.cpuRatio);
  const checks: LatencyCheck[] = latency.map((r) => latencyCheck(r, LATENCY_TARGET_MS));
  const info = machine();
  const loadAfter = loadavg();
  const header = [
    `Portal invites benchmark: live events, ${startedAt.toISOString()}`,
    `machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGb} GB, ${info.os}; Node ${info.node}`,
    `load average before/after: ${loadBefore.map((l) => l.toFixed(2)).join(" ")} / ${loadAfter.map((l) => l.toFixed(2)).join(" ")}`,
    ...(latency.length > 0 ? [`latency: ${settings.warmupCreates} warm-up + ${settings.creates} creates at ${settings.ratePerSec}/s on instance A, ${settings.watchers} streams on every chat written to on instance B`] : []),
    ...(throughput
      ? [
          `throughput: autocannon, ${settings.connections} connections, ${settings.warmupS} s warm-up then ${settings.durationS} s, ${settings.rounds} alternating rounds (a ratio is the median of the rounds' ratios); ` +
            `${settings.streams} streams on ${Math.min(settings.streams, settings.poolChats)} of the ${settings.poolChats} chats the creates pick from`,
        ]
      : []),
    ...skipped.map((s) => `! ${s}`),
  ];
  process.stdout.write(formatEvents(header, latency, memory, rows, ratios, checks));
  const report = {
    date: startedAt.toISOString(),
    seconds: Math.round((performance.now() - t0) / 1000),
    machine: { ...info, loadAverageBefore: loadBefore, loadAverageAfter: loadAfter },
    settings: { ...settings, postgresUrl: settings.postgresUrl ? "(set)" : null },
    latency,
    throughput: throughput ? { rows: throughput.rows, runs: throughput.runs } : null,
    memory,
    ratios,
    latencyChecks: checks,
    skipped,
  };
  mkdirSync(dirname(settings.out), { recursive: true });
  writeFileSync(settings.out, `${JSON.stringify(report, null, 2)}\n`);
  say(`▶ wrote ${settings.out} (${report.seconds} s in all)`);
}

await main();
