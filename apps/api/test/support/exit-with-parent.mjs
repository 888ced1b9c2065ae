// Loaded (`node --import`) into every server process a test starts, never into production: the
// server stops when the test process that started it is gone. The test holds the write end of the
// server's stdin; when the test process exits, however it exits (a failed test, a timeout, a
// SIGKILL of the vitest worker), the pipe closes and stdin ends here. Start it only with stdin
// a pipe that the parent keeps open (processes.ts does).
import process from "node:process";
import { setTimeout } from "node:timers";
import { isMainThread } from "node:worker_threads";

// Preloads run in worker threads too (the WAL checkpointer), whose stdin is not the parent's pipe.
if (isMainThread) {
  const stop = () => {
    // Whatever the server still logs goes to pipes nobody reads any more (EPIPE): let it go.
    process.stdout.on("error", () => undefined);
    process.stderr.on("error", () => undefined);
    // SIGTERM: the server's own graceful shutdown (or death, before it has installed its handler).
    process.kill(process.pid, "SIGTERM");
    setTimeout(() => process.kill(process.pid, "SIGKILL"), 10_000).unref();
  };
  process.stdin.once("end", stop);
  process.stdin.once("error", stop);
  process.stdin.resume();
  // Watching stdin must not be what keeps a server alive (stdin is a pipe here: a socket).
  if (typeof process.stdin.unref === "function") process.stdin.unref();
}
