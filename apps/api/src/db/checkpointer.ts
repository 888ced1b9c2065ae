/**
 * Moves SQLite's WAL checkpoints off the event loop.
 *
 * In WAL mode every commit appends pages to the `-wal` file, and a checkpoint copies them back into
 * the database file and syncs it. By default SQLite runs that checkpoint inside the commit that
 * takes the WAL past 1,000 pages, on the thread that committed: for the server, the event loop. A
 * checkpoint copies a few hundred pages and calls fsync twice, 10–20 ms in which no request of any
 * connection moves (measured: 40 % of a create transaction's time went there, in stalls every ~270
 * creates; tooling/bench/README.md).
 *
 * Here a worker thread with a connection of its own checkpoints every few milliseconds
 * (`PASSIVE`: it never waits for and never blocks a writer), so the copying and syncing run on the
 * other core. The server's connection keeps an automatic checkpoint, but at
 * SERVER_AUTOCHECKPOINT_PAGES instead of 1,000: a checkpoint that runs behind the writer never
 * lets the WAL start over from its beginning, and that commit's checkpoint, with little left to
 * copy, is the one that does. It is also the safety net: if the worker stops, the WAL stays
 * bounded and the server only loses the speed-up (and says so in the log).
 *
 * Crash safety is SQLite's own: a checkpoint interrupted at any point is redone from the WAL.
 */
import { Worker } from "node:worker_threads";
import type BetterSqlite3 from "better-sqlite3";
import { errorFields, type Logger } from "../logger.js";

/** SQLite's own default for `wal_autocheckpoint`, restored when the worker stops. */
export const SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES = 1_000;
/** The server connection's automatic checkpoint while the worker runs (4 KiB pages: about 40 MB). */
export const SERVER_AUTOCHECKPOINT_PAGES = 10_000;
/** How often the worker checkpoints. A pass with nothing to copy costs a few microseconds. */
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 20;

export interface CheckpointStats {
  /** Checkpoint passes run. */
  passes: number;
  /** Passes that found another connection checkpointing and left it to it. */
  busy: number;
  /** Pages copied into the database file, over all passes. */
  pagesCopied: number;
  /** The most pages the WAL held at the start of a pass. */
  maxWalPages: number;
  /** Milliseconds spent checkpointing, in the worker. */
  checkpointMs: number;
}

export interface WalCheckpointer {
  /** The worker's counts so far. */
  stats(): Promise<CheckpointStats>;
  /**
   * Stops the worker after its current pass and gives the server connection SQLite's default
   * automatic checkpoint back. Call before closing the database.
   */
  stop(): Promise<void>;
}

export interface WalCheckpointerOptions {
  intervalMs?: number;
  /** The server connection's automatic checkpoint while the worker runs (tests set it low). */
  serverAutocheckpointPages?: number;
  /** How long the worker's connection waits for a lock when it opens the file. */
  busyTimeoutMs?: number;
}

/** What the worker is started with. */
export interface CheckpointWorkerData {
  path: string;
  intervalMs: number;
  busyTimeoutMs: number;
}

/** What the worker says. */
export interface WorkerMessage {
  type: "ready" | "stats" | "stopped" | "failed";
  stats?: CheckpointStats;
  message?: string;
}

/**
 * The worker's own module, beside this one: `.js` in the build, `.ts` when the tests run the
 * sources (Node 24 strips the types of a worker started from a `.ts` file).
 */
const WORKER_URL = new URL(import.meta.url.endsWith(".ts") ? "./checkpoint-worker.ts" : "./checkpoint-worker.js", import.meta.url);

/**
 * Starts the checkpoint worker for a SQLite connection on a file (not `:memory:`) and lowers the
 * connection's own automatic checkpoint. Resolves once the worker has opened the file.
 */
export async function startWalCheckpointer(
  sqlite: BetterSqlite3.Database,
  log: Logger,
  options: WalCheckpointerOptions = {},
): Promise<WalCheckpointer> {
  if (sqlite.memory) throw new Error("an in-memory SQLite database has no WAL to checkpoint");
  const workerData: CheckpointWorkerData = {
    path: sqlite.name,
    intervalMs: options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    busyTimeoutMs: options.busyTimeoutMs ?? 15_000,
  };
  const worker = new Worker(WORKER_URL, { workerData });

  const restoreDefault = () => {
    if (sqlite.open) sqlite.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES}`);
  };
  let stopped = false;
  let statsWaiters: ((stats: CheckpointStats) => void)[] = [];
  let lastStats: CheckpointStats = { passes: 0, busy: 0, pagesCopied: 0, maxWalPages: 0, checkpointMs: 0 };
  const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(new Error(`the WAL checkpoint worker could not start on ${sqlite.name}: ${error.message}`));
    worker.once("error", onError);
    worker.once("message", (message: WorkerMessage) => {
      worker.off("error", onError);
      if (message.type === "ready") resolve();
      else reject(new Error(`the WAL checkpoint worker could not open ${sqlite.name}: ${message.message ?? message.type}`));
    });
  });

  // Only the server's shutdown stops it; it must never be what keeps a process alive, except
  // while somebody waits for its answer.
  worker.unref();

  /** The worker is gone without being asked to stop: the server's connection checkpoints again. */
  const fallBack = (what: string, fields?: Record<string, unknown>) => {
    if (stopped) return;
    stopped = true;
    restoreDefault();
    log.error(`WAL checkpoint worker ${what}: the server checkpoints on its own connection again`, fields);
  };
  worker.on("message", (message: WorkerMessage) => {
    if (message.stats) lastStats = message.stats;
    if (message.type === "stats") {
      const waiters = statsWaiters;
      statsWaiters = [];
      for (const waiter of waiters) waiter(lastStats);
    }
    if (message.type === "failed") fallBack("failed", { err: { message: message.message } });
  });
  worker.on("error", (error) => fallBack("crashed", errorFields(error)));
  void exited.then(() => {
    fallBack("exited");
    // A worker gone for whatever reason answers no more questions.
    for (const waiter of statsWaiters) waiter(lastStats);
    statsWaiters = [];
  });

  sqlite.pragma(`wal_autocheckpoint = ${options.serverAutocheckpointPages ?? SERVER_AUTOCHECKPOINT_PAGES}`);
  log.debug("WAL checkpoint worker started", { interval_ms: options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS });

  return {
    stats() {
      if (stopped) return Promise.resolve(lastStats);
      worker.ref();
      return new Promise((resolve) => {
        statsWaiters.push((stats) => {
          worker.unref();
          resolve(stats);
        });
        worker.postMessage("stats");
      });
    },
    async stop() {
      if (!stopped) {
        stopped = true;
        worker.ref();
        worker.postMessage("stop");
        restoreDefault();
      }
      await exited;
      log.debug("WAL checkpoint worker stopped", { ...lastStats });
    },
  };
}
