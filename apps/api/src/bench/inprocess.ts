/**
 * The SQLite create path in one process, without HTTP: the raw better-sqlite3 transaction (count
 * the chat's active invites, insert one, in `.immediate()`, prepared statements) against the
 * service's `createInvite` with its production wiring, on one connection opened the way the server
 * opens it (WAL, synchronous NORMAL, foreign keys, busy timeout). One create at a time, rounds
 * alternating between the two so that a change of machine load hits both alike.
 */
import { MAX_ACTIVE_INVITES_PER_CHAT } from "@portal/core";
import { openDatabase } from "../db/database.js";
import { findUserById } from "../db/repositories/user.repository.js";
import { createLogger } from "../logger.js";
import { createServiceDeps } from "../services/context.js";
import { createInvite } from "../services/invite.service.js";
import { randomInviteCode } from "../services/secrets.js";
import { childInput, printResult } from "./processes.js";
import { median } from "./report.js";

export interface InProcessSpec {
  databaseUrl: string;
  ownerId: number;
  chats: [number, number];
  /** Creates per round and per path. */
  operations: number;
  rounds: number;
  warmupOperations: number;
  /** Invites above this id are deleted after every round, so the quota is never reached. */
  maxInviteId: number;
}

export interface PathFigures {
  opsPerSec: number;
  /** Every round's rate, in the order run. */
  rounds: number[];
  p50Ms: number;
  p99Ms: number;
  /** Process CPU time per create, in microseconds (all rounds). */
  cpuUsPerOp: number;
  /** CPU time over wall time while measured: below ~0.9 the process was starved of CPU. */
  cpuShare: number;
}

export interface InProcessResult {
  raw: PathFigures;
  service: PathFigures;
}

const EXPIRES_AT = "2099-05-01T00:00:00Z";
const EXPIRES_AT_MS = Date.parse(EXPIRES_AT);
const MAX_USES = 10;

/** The active-invite predicate, written as the repository writes it (so both use the same index). */
const COUNT_ACTIVE =
  "select count(*) from invites where chat_id = ? and revoked_at is null and (max_uses is null or uses < max_uses) and (expires_at is null or expires_at > ?)";
const INSERT =
  "insert into invites (code, chat_id, created_by_id, created_at, expires_at, uses, max_uses, revoked_at) values (?, ?, ?, ?, ?, 0, ?, null)";

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const spec = childInput<InProcessSpec>();
  const database = openDatabase(spec.databaseUrl);
  const sqlite = database.sqlite!;
  const deps = createServiceDeps(database.db, createLogger("warn"));
  const owner = await findUserById(database.db, spec.ownerId);
  if (!owner) throw new Error(`no user ${spec.ownerId}`);
  const [low, high] = spec.chats;
  const span = high - low + 1;
  const randomChat = () => low + Math.floor(Math.random() * span);

  const countActive = sqlite.prepare(COUNT_ACTIVE).pluck();
  const insert = sqlite.prepare(INSERT);
  const rawCreate = sqlite.transaction((chatId: number, now: number) => {
    if ((countActive.get(chatId, now) as number) >= MAX_ACTIVE_INVITES_PER_CHAT) throw new Error("quota reached");
    insert.run(randomInviteCode(), chatId, owner.id, now, EXPIRES_AT_MS, MAX_USES);
  });
  const deleteCreated = sqlite.prepare("delete from invites where id > ?");

  const createService = () => createInvite(deps, owner, { chat_id: randomChat(), max_uses: MAX_USES, expires_at: EXPIRES_AT });
  type PathName = "raw" | "service";

  /** Runs `operations` creates one after the other; the raw path stays synchronous, as it would be in use. */
  const cpu: Record<PathName, { cpuUs: number; wallUs: number }> = { raw: { cpuUs: 0, wallUs: 0 }, service: { cpuUs: 0, wallUs: 0 } };
  const run = async (name: PathName, operations: number, latencies: Float64Array | null) => {
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < operations; i++) {
      const t0 = latencies ? process.hrtime.bigint() : 0n;
      if (name === "raw") rawCreate.immediate(randomChat(), Date.now());
      else await createService();
      if (latencies) latencies[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (latencies) {
      const used = process.cpuUsage(cpuBefore);
      cpu[name].cpuUs += used.user + used.system;
      cpu[name].wallUs += seconds * 1e6;
    }
    deleteCreated.run(spec.maxInviteId);
    return operations / seconds;
  };

  for (const name of ["raw", "service"] as const) await run(name, spec.warmupOperations, null);

  const figures: Record<PathName, { rounds: number[]; latencies: Float64Array[] }> = {
    raw: { rounds: [], latencies: [] },
    service: { rounds: [], latencies: [] },
  };
  for (let round = 0; round < spec.rounds; round++) {
    // Alternate which path goes first, so neither always runs right after a checkpoint.
    const order: PathName[] = round % 2 === 0 ? ["raw", "service"] : ["service", "raw"];
    for (const name of order) {
      const latencies = new Float64Array(spec.operations);
      figures[name].rounds.push(await run(name, spec.operations, latencies));
      figures[name].latencies.push(latencies);
    }
  }
  await database.close();

  const summarize = (name: PathName): PathFigures => {
    const all = new Float64Array(spec.operations * spec.rounds);
    figures[name].latencies.forEach((l, i) => all.set(l, i * spec.operations));
    all.sort();
    return {
      opsPerSec: median(figures[name].rounds),
      rounds: figures[name].rounds,
      p50Ms: percentile(all, 50),
      p99Ms: percentile(all, 99),
      cpuUsPerOp: cpu[name].cpuUs / (spec.operations * spec.rounds),
      cpuShare: cpu[name].cpuUs / cpu[name].wallUs,
    };
  };
  const result: InProcessResult = { raw: summarize("raw"), service: summarize("service") };
  printResult(result);
}

await main();
