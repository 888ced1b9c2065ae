import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createLogger } from "../../src/logger.js";
import { createServiceDeps } from "../../src/services/context.js";
import { createTestDatabase, type BackendName } from "./backends.js";
import { Fixtures } from "./test-server.js";

/** The built server entry point; `npm test` builds before it tests. */
export const MAIN_JS = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
export const CLI_JS = fileURLToPath(new URL("../../dist/cli/portal-admin.js", import.meta.url));

/** Loaded into every server a test starts: it stops when the test process is gone (see the file). */
const EXIT_WITH_PARENT = new URL("./exit-with-parent.mjs", import.meta.url).href;

/** How long a server may take to start: generous, since a test machine may be loaded. */
export const SERVER_START_TIMEOUT_MS = 60_000;
/** How long a stopped server may take to shut down gracefully before it is killed. */
const STOP_TIMEOUT_MS = 15_000;

/** The command that starts a server for a test: `node --import exit-with-parent.mjs dist/main.js`. */
export function serverCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: ["--import", EXIT_WITH_PARENT, MAIN_JS] };
}

/** The environment of a test's server: nothing of the test's own, on a free port, no rate limits. */
export function serverEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", RATE_LIMITS: "off", WEB_DIST: "", LOG_LEVEL: "info", ...env };
}

export interface ServerProcess {
  url: string;
  process: ChildProcess;
  /** Every line the process wrote on stdout and stderr. */
  output: string[];
  /**
   * Sends the signal and waits for the exit (SIGKILL after 15 s if it is still there); resolves with
   * the exit code and signal.
   */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every server process a test of this process started and that has not exited yet. */
const running = new Set<ChildProcess>();
// Should the test process exit with servers still up, they go with it (they would also notice
// their stdin close, exit-with-parent.mjs; this is quicker).
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** A server that did not come up: why, in its message (the exit and every line it wrote). */
export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly output: string[],
    /** The process's pid (gone now), if it was started at all. */
    readonly pid: number | undefined,
  ) {
    super(`${message}; its output:\n${output.length > 0 ? output.join("\n") : "(none)"}`);
    this.name = "ServerStartError";
  }
}

function stopChild(child: ChildProcess, exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>, signal: NodeJS.Signals) {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill(signal);
  if (signal !== "SIGKILL") {
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    void exited.then(() => clearTimeout(timer));
  }
  return exited;
}

/**
 * Starts `node dist/main.js` as its own OS process and waits until it listens. A server that does
 * not come up is gone (killed, or exited) before the promise rejects, with a ServerStartError that
 * says why. The server stops by itself when the test process ends (exit-with-parent.mjs).
 */
export function spawnServer(env: Record<string, string>, timeoutMs = SERVER_START_TIMEOUT_MS): Promise<ServerProcess> {
  const { command, args } = serverCommand();
  // stdin: a pipe the server only watches for its end, which comes when this process is gone.
  const child = spawn(command, args, { env: serverEnv(env), stdio: ["pipe", "pipe", "pipe"] });
  running.add(child);
  const output: string[] = [];
  // "close", not "exit": by then every line of stdout and stderr has been read.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("close", (code: number | null, signal: NodeJS.Signals | null) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  child.stdin!.on("error", () => undefined);
  createInterface({ input: child.stderr! }).on("line", (line) => output.push(line));
  return new Promise((resolve, reject) => {
    let listening = false;
    const fail = (why: string) => reject(new ServerStartError(`server (pid ${child.pid ?? "none"}) ${why}`, output, child.pid));
    const timer = setTimeout(() => {
      void stopChild(child, exited, "SIGKILL").then(() => fail(`did not start within ${timeoutMs} ms and was killed`));
    }, timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      void stopChild(child, exited, "SIGKILL").then(() => fail(`could not be started: ${error.message}`));
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!listening) fail(`exited (code ${code}, signal ${signal}) before listening`);
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      if (listening || !line.includes('"listening"')) return;
      listening = true;
      clearTimeout(timer);
      const { url } = JSON.parse(line) as { url: string };
      resolve({ url, process: child, output, stop: (signal = "SIGTERM") => stopChild(child, exited, signal) });
    });
  });
}

/** Fires all requests at once and collects the statuses. */
export async function burst<T>(count: number, request: (i: number) => Promise<T>): Promise<T[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => request(i)));
}

export function tally(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

export interface ProcessCluster {
  servers: ServerProcess[];
  /** The shared database's DATABASE_URL, for servers a test starts itself. */
  databaseUrl: string;
  /** The test's own connection to the shared database, for fixtures and checks. */
  database: Database;
  fixtures: Fixtures;
  /** Stops the servers, closes the connection, drops the database. */
  stop(): Promise<void>;
}

/** Some servers of a cluster did not start: each one's reason; the others were stopped first. */
export class ClusterStartError extends Error {
  constructor(
    readonly failures: { index: number; error: unknown }[],
    count: number,
    /** The pids of every server of the cluster, started or not (all gone now). */
    readonly pids: number[],
  ) {
    super(
      `${failures.length} of ${count} servers did not start (the others were stopped):\n` +
        failures.map(({ index, error }) => `server ${index + 1}: ${error instanceof Error ? error.message : String(error)}`).join("\n"),
    );
    this.name = "ClusterStartError";
  }
}

export interface ProcessClusterOptions {
  /** Extra environment of server `index` (0-based), on top of DATABASE_URL. */
  env?: (index: number) => Record<string, string>;
}

/**
 * `count` server processes started at once on one fresh, unmigrated database (they race to
 * migrate it, as they would under a process manager), plus a connection for the test. When any
 * part fails, whatever did start is stopped and the database dropped before the error is raised.
 */
export async function startProcessCluster(backend: BackendName, count: number, options: ProcessClusterOptions = {}): Promise<ProcessCluster> {
  const testDatabase = await createTestDatabase(backend);
  const starts = await Promise.allSettled(
    Array.from({ length: count }, (_, index) => spawnServer({ ...options.env?.(index), DATABASE_URL: testDatabase.url })),
  );
  const pids = starts.flatMap((start) =>
    start.status === "fulfilled" ? [start.value.process.pid!] : start.reason instanceof ServerStartError && start.reason.pid ? [start.reason.pid] : [],
  );
  const servers = starts.flatMap((start) => (start.status === "fulfilled" ? [start.value] : []));
  const stopAll = async () => {
    await Promise.allSettled(servers.map((s) => s.stop()));
  };
  const failures = starts.flatMap((start, index) => (start.status === "rejected" ? [{ index, error: start.reason as unknown }] : []));
  let database: Database | undefined;
  try {
    if (failures.length > 0) throw new ClusterStartError(failures, count, pids);
    database = openDatabase(testDatabase.url);
  } catch (error) {
    await stopAll();
    await testDatabase.drop().catch(() => undefined);
    throw error;
  }
  const handle = database;
  return {
    servers,
    databaseUrl: testDatabase.url,
    database: handle,
    fixtures: new Fixtures(createServiceDeps(handle.db, createLogger("silent"))),
    async stop() {
      try {
        await stopAll();
        await handle.close();
      } finally {
        await testDatabase.drop();
      }
    },
  };
}
