import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type AddressInfo } from "node:net";
import { createInterface } from "node:readline";

/**
 * A redis-server of a test's own, on a free loopback port, without persistence: a fault test kills
 * and restarts this one, never the shared Redis.
 */
export interface OwnRedis {
  port: number;
  url: string;
  /** Kills the server (SIGKILL: gone at once, as in a crash) and waits for its exit. */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it accepts commands. */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: a Redis that keeps its connections open and does not answer, then answers again. */
  pause(): void;
  resume(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `redis-server` on a free port and resolves once it is ready; `kill()` it in a finally/afterAll. */
export async function startOwnRedis(timeoutMs = 15_000): Promise<OwnRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const output: string[] = [];
      const proc = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      child = proc;
      const timer = setTimeout(() => {
        proc.kill("SIGKILL");
        reject(new Error(`redis-server did not start within ${timeoutMs} ms:\n${output.join("\n")}`));
      }, timeoutMs);
      proc.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      proc.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}:\n${output.join("\n")}`));
      });
      createInterface({ input: proc.stderr! }).on("line", (line) => output.push(line));
      createInterface({ input: proc.stdout! }).on("line", (line) => {
        output.push(line);
        if (line.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });

  const kill = async () => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGKILL");
    await exited;
  };

  const signal = (name: NodeJS.Signals) => () => {
    if (child && child.exitCode === null) child.kill(name);
  };

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, start, pause: signal("SIGSTOP"), resume: signal("SIGCONT") };
}

/** Waits (bounded) until `condition` holds; throws with `what` if it does not within `timeoutMs`. */
export async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
