/// <reference types="node" />
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export const API_MAIN = here("../../../api/dist/main.js");
export const ADMIN_CLI = here("../../../api/dist/cli/portal-admin.js");
export const WEB_DIST = here("../../dist");
/** The API's test preload: the server stops when its stdin (a pipe from this process) ends. */
const EXIT_WITH_PARENT = new URL("../../../api/test/support/exit-with-parent.mjs", import.meta.url).href;

export interface RunningServer {
  url: string;
  databaseUrl: string;
  /** The folder of its database: another server can be started on it (`StartOptions.dir`). */
  dir: string;
  port: number;
  /** Freezes the process (SIGSTOP) or lets it go on (SIGCONT): a server that hangs instead of refusing. */
  pause(): void;
  resume(): void;
  /** Every line the server printed, for a failure message. */
  logs: string[];
  /** Stops the process; its database goes too, unless kept for a restart. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export interface StartOptions {
  /** A database folder a stopped server left (`stop({ keepData: true })`), instead of a new one. */
  dir?: string;
  /** A fixed port (a restart comes back where the browser expects it); 0 picks a free one. */
  port?: number;
}

/** What the e2e run needs built beforehand (turbo builds web and api before `test`). */
export function missingBuilds(): string[] {
  return [API_MAIN, ADMIN_CLI, join(WEB_DIST, "index.html")].filter((file) => !existsSync(file));
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Starts the real server (REST, tRPC and the built web app) on a free port over a fresh SQLite
 * database with the demo data, and resolves once it logs "listening".
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "portal-e2e-")));
  const databaseUrl = `file:${join(dir, "e2e.db")}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(options.port ?? 0),
    HOST: "127.0.0.1",
    DATABASE_URL: databaseUrl,
    PORTAL_DEMO: "1",
    RATE_LIMITS: "off",
    WEB_DIST,
    LOG_LEVEL: "info",
  };
  // Nothing of the surrounding environment may point the server elsewhere.
  delete env.REDIS_URL;
  delete env.TRUSTED_ORIGINS;

  // stdin: a pipe the server only watches for its end, which comes when this process is gone,
  // however it goes (a SIGKILL too).
  const child = spawn(process.execPath, ["--import", EXIT_WITH_PARENT, API_MAIN], { env, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin.on("error", () => undefined);
  // Should the test run itself be torn down, the server must not outlive it.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const logs: string[] = [];
  const stop = async ({ keepData = false }: { keepData?: boolean } = {}) => {
    process.removeListener("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGCONT");
      child.kill("SIGTERM");
      if (!(await waitForExit(child, 10_000))) {
        child.kill("SIGKILL");
        await waitForExit(child, 5_000);
      }
    }
    if (!keepData) await rm(dir, { recursive: true, force: true });
  };

  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the server did not start within 30 s")), 30_000);
      createInterface({ input: child.stderr }).on("line", (line) => logs.push(line));
      createInterface({ input: child.stdout }).on("line", (line) => {
        logs.push(line);
        try {
          const entry = JSON.parse(line) as { msg?: string; url?: string };
          if (entry.msg === "listening" && entry.url) {
            clearTimeout(timer);
            resolve(entry.url);
          }
        } catch {
          // Not a JSON log line: kept in `logs` all the same.
        }
      });
      child.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once("exit", (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited early (code ${code}, signal ${signal})`));
      });
    });
    const signal = (name: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(name);
    };
    return {
      url,
      databaseUrl,
      dir,
      port: Number(new URL(url).port),
      logs,
      pause: () => signal("SIGSTOP"),
      resume: () => signal("SIGCONT"),
      stop,
    };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${logs.join("\n")}`, { cause: error });
  }
}

/** Runs the admin CLI on the server's database and returns its JSON answer. */
export function adminCli<T>(databaseUrl: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [ADMIN_CLI, ...args, "--json"],
      { env: { ...process.env, DATABASE_URL: databaseUrl }, timeout: 20_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`portal-admin ${args.join(" ")} failed: ${stderr || error.message}`));
        try {
          resolve(JSON.parse(stdout) as T);
        } catch {
          reject(new Error(`portal-admin ${args.join(" ")} printed no JSON: ${stdout}`));
        }
      },
    );
  });
}

/** A public chat of the demo's umar for one test, so tests never share invites or settings; its id. */
export async function chatOfUmar(databaseUrl: string, name: string, description?: string): Promise<number> {
  const args = ["chat", "create", "--name", name, "--visibility", "public", "--owner", "umar"];
  const chat = await adminCli<{ id: number }>(databaseUrl, [...args, ...(description ? ["--description", description] : [])]);
  return chat.id;
}
