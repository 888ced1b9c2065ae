import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { openDatabase, type Database } from "../db/database.js";
import { createLogger } from "../logger.js";
import { createServiceDeps } from "../services/context.js";
import { createTestDatabase, type BackendName } from "./backends.js";
import { Fixtures } from "./test-server.js";

/** The built server entry point; `npm test` builds before it tests. */
export const MAIN_JS = fileURLToPath(new URL("../../dist/main.js", import.meta.url));
export const CLI_JS = fileURLToPath(new URL("../../dist/cli/portal-admin.js", import.meta.url));

export interface ServerProcess {
  url: string;
  process: ChildProcess;
  /** Every line the process wrote on stdout and stderr. */
  output: string[];
  /** Sends the signal and waits for the exit; resolves with the exit code and signal. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node dist/main.js` as its own OS process and waits until it listens. */
export function spawnServer(env: Record<string, string>, timeoutMs = 30_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN_JS], {
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", RATE_LIMITS: "off", WEB_DIST: "", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  createInterface({ input: child.stderr! }).on("line", (line) => output.push(line));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${output.join("\n")}`));
    }, timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output.join("\n")}`));
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      output.push(line);
      if (!line.includes('"listening"')) return;
      clearTimeout(timer);
      const { url } = JSON.parse(line) as { url: string };
      resolve({
        url,
        process: child,
        output,
        stop: async (signal = "SIGTERM") => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
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
  /** The test's own connection to the shared database, for fixtures and checks. */
  database: Database;
  fixtures: Fixtures;
  /** Stops the servers, closes the connection, drops the database. */
  stop(): Promise<void>;
}

/**
 * `count` server processes started at once on one fresh, unmigrated database (they race to
 * migrate it, as they would under a process manager), plus a connection for the test.
 */
export async function startProcessCluster(backend: BackendName, count: number): Promise<ProcessCluster> {
  const testDatabase = await createTestDatabase(backend);
  const servers = await Promise.all(Array.from({ length: count }, () => spawnServer({ DATABASE_URL: testDatabase.url })));
  const database = openDatabase(testDatabase.url);
  return {
    servers,
    database,
    fixtures: new Fixtures(createServiceDeps(database.db, createLogger("silent"))),
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await database.close();
      await testDatabase.drop();
    },
  };
}
