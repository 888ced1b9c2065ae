/**
 * The SQLite create path in one process, without HTTP, three ways, on one connection opened the way
 * the server opens it (WAL, synchronous NORMAL, foreign keys, busy timeout, page cache, WAL
 * checkpoints in a worker thread):
 * - raw: the yardstick, a better-sqlite3 transaction that counts the chat's active
 *   invites and inserts one (`.immediate()`, prepared statements);
 * - floor: the statements the project runs, as raw SQL (`floor-create.ts`): the chat's access
 *   facts with the count, then the insert. SPEC's permission rules need the access facts, so no
 *   implementation of the use case can beat it;
 * - service: the service's `createInvite` with its production wiring.
 * One create at a time, rounds rotating the order so that a change of machine load hits all alike.
 */
import { MAX_ACTIVE_INVITES_PER_CHAT } from "@portal/core";
import {
  createInvite,
  createLogger,
  createServiceDeps,
  findUserById,
  readSteps,
  openDatabase,
  randomInviteCode,
  startWalCheckpointer,
} from "@portal/api/bench-support";
import { floorCreateTransaction } from "./floor-create.js";
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

export const IN_PROCESS_PATHS = ["raw", "floor", "service"] as const;
export type InProcessPath = (typeof IN_PROCESS_PATHS)[number];
export type InProcessResult = Record<InProcessPath, PathFigures>;

const EXPIRES_AT = "2099-05-01T00:00:00Z";
const EXPIRES_AT_MS = Date.parse(EXPIRES_AT);
const MAX_USES = 10;

/** The active-invite predicate, written as the repository writes it (so both use the same index). */
const COUNT_ACTIVE =
  "select count(*) from invites where chat_id = ? and revoked_at is null and (max_uses is null or uses < max_uses) and (expires_at is null or expires_at > ?)";
const INSERT =
  "insert into invites (code, chat_id, created_by_id, created_at, expires_at, uses, max_uses, revoked_at) values (?, ?, ?, ?, ?, 0, ?, null)";

/** One value per path, made by `make`. */
function perPath<T>(make: (name: InProcessPath) => T): Record<InProcessPath, T> {
  return Object.fromEntries(IN_PROCESS_PATHS.map((name) => [name, make(name)])) as Record<InProcessPath, T>;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const spec = childInput<InProcessSpec>();
  const database = openDatabase(spec.databaseUrl);
  const sqlite = database.sqlite!;
  const log = createLogger("warn");
  const checkpointer = await startWalCheckpointer(sqlite, log);
  const deps = createServiceDeps(database.db, log);
  const owner = await readSteps(database.db, findUserById(spec.ownerId));
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
  const floorCreate = floorCreateTransaction(database);
  const deleteCreated = sqlite.prepare("delete from invites where id > ?");

  const createService = () => createInvite(deps, owner, { chat_id: randomChat(), max_uses: MAX_USES, expires_at: EXPIRES_AT });

  const cpu = perPath(() => ({ cpuUs: 0, wallUs: 0 }));
  /** Runs `operations` creates one after the other; the raw and floor paths stay synchronous, as they would be in use. */
  const run = async (name: InProcessPath, operations: number, latencies: Float64Array | null) => {
    const cpuBefore = process.cpuUsage();
    const started = process.hrtime.bigint();
    for (let i = 0; i < operations; i++) {
      const t0 = latencies ? process.hrtime.bigint() : 0n;
      if (name === "raw") rawCreate.immediate(randomChat(), Date.now());
      else if (name === "floor") floorCreate.immediate(owner.id, randomChat(), MAX_USES, EXPIRES_AT_MS, Date.now());
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

  for (const name of IN_PROCESS_PATHS) await run(name, spec.warmupOperations, null);

  const figures = perPath(() => ({ rounds: [] as number[], latencies: [] as Float64Array[] }));
  for (let round = 0; round < spec.rounds; round++) {
    // Rotate which path goes first, so none always runs right after another's deletes.
    const order = IN_PROCESS_PATHS.map((_, i) => IN_PROCESS_PATHS[(i + round) % IN_PROCESS_PATHS.length]!);
    for (const name of order) {
      const latencies = new Float64Array(spec.operations);
      figures[name].rounds.push(await run(name, spec.operations, latencies));
      figures[name].latencies.push(latencies);
    }
  }
  await checkpointer.stop();
  await database.close();

  const summarize = (name: InProcessPath): PathFigures => {
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
  const result: InProcessResult = perPath(summarize);
  printResult(result);
}

await main();
