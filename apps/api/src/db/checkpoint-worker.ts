/**
 * The WAL checkpoint worker's thread (`checkpointer.ts` starts it and explains why). Small on
 * purpose: open the file on a connection of its own, checkpoint on a timer, report, close.
 *
 * It is loaded by URL, as `dist/db/checkpoint-worker.js` in the build and as this `.ts` file under
 * the tests, which Node 24 runs by stripping its types: so it uses only type syntax that can be
 * erased (no enums, no parameter properties) and imports nothing of ours.
 */
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { CheckpointStats, CheckpointWorkerData, WorkerMessage } from "./checkpointer.js";

const port = parentPort;
if (port === null) throw new Error("checkpoint-worker runs as a worker thread of checkpointer.ts");
const { path, intervalMs, busyTimeoutMs } = workerData as CheckpointWorkerData;

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${error.message} (${code})` : error.message;
  }
  return String(error);
}

function send(message: WorkerMessage): void {
  port!.postMessage(message);
}

let db: Database.Database | undefined;
try {
  db = new Database(path, { fileMustExist: true, timeout: busyTimeoutMs });
  // A checkpoint syncs the WAL before copying and the database file after, as the server's own
  // connection would (synchronous=NORMAL).
  db.pragma("synchronous = NORMAL");
} catch (error) {
  db?.close();
  db = undefined;
  send({ type: "failed", message: describe(error) });
  port.close();
}

if (db !== undefined) run(db);

function run(db: Database.Database): void {
  const stats: CheckpointStats = { passes: 0, busy: 0, pagesCopied: 0, maxWalPages: 0, checkpointMs: 0 };
  let last = 0;
  let timer: NodeJS.Timeout | undefined;

  const pass = () => {
    const started = performance.now();
    const [result] = db.pragma("wal_checkpoint(PASSIVE)") as { busy: number; log: number; checkpointed: number }[];
    stats.checkpointMs += performance.now() - started;
    stats.passes += 1;
    if (result === undefined) return;
    if (result.busy) stats.busy += 1;
    if (result.log > stats.maxWalPages) stats.maxWalPages = result.log;
    // "checkpointed" counts every page of the WAL copied so far, and starts over with the WAL.
    stats.pagesCopied += result.checkpointed >= last ? result.checkpointed - last : result.checkpointed;
    last = result.checkpointed;
  };

  const loop = () => {
    try {
      pass();
    } catch (error) {
      send({ type: "failed", message: describe(error) });
      db.close();
      port!.close();
      return;
    }
    timer = setTimeout(loop, intervalMs);
  };

  port!.on("message", (message: unknown) => {
    if (message === "stats") send({ type: "stats", stats });
    if (message === "stop") {
      clearTimeout(timer);
      db.close();
      send({ type: "stopped", stats });
      port!.close();
    }
  });
  send({ type: "ready" });
  loop();
}
