/**
 * Child processes of the benchmark: every measured server, the load generator and the in-process
 * measurements run in processes of their own, so none of them takes CPU from another's event loop.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect, createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { SERVER_ENTRY } from "@portal/api/bench-support";
import { childEnv, childInputJson, cpuProfileDir, serverBaseEnv } from "./config.js";
import type { LoadResult, LoadSpec } from "./load.js";

/** The api's built server (`node apps/api/dist/main.js`), as production runs it. */
export const MAIN_JS = SERVER_ENTRY;

/** A script of this package, built: `benchScript("load")` → tooling/bench/dist/load.js. */
export function benchScript(name: string): string {
  return fileURLToPath(new URL(`./${name}.js`, import.meta.url));
}

export interface ListeningProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** The last lines the process wrote (stdout and stderr), for error messages. */
  output: string[];
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Node flags for a measured process: `--cpu-prof` into the folder BENCH_CPU_PROF/<name> when
 * BENCH_CPU_PROF is set. Every thread writes its own profile there under Node's default name
 * (`CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile`; the main thread is thread 0, the WAL
 * checkpoint worker another): one fixed name for all would let the worker's overwrite the main one's.
 */
export function profileFlags(name: string): string[] {
  const dir = cpuProfileDir();
  if (!dir) return [];
  return ["--cpu-prof", `--cpu-prof-dir=${join(dir, name)}`];
}

const KEEP_LINES = 200;

/** A TCP port nobody listens on right now (the OS picks it). */
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

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Starts `node <script>` with PORT set to a free port and waits until that port takes connections
 * (the server logs nothing at LOG_LEVEL=warn, so its "listening" line cannot be waited for). Its
 * output is drained and only the last lines are kept, so a server that logs every request cannot
 * block on a full pipe.
 */
export async function spawnListening(
  name: string,
  script: string,
  env: Record<string, string>,
  nodeArgs: string[] = [],
  timeoutMs = 60_000,
): Promise<ListeningProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...serverBaseEnv(), ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const keep = (line: string) => {
    output.push(line);
    if (output.length > KEEP_LINES) output.shift();
  };
  createInterface({ input: child.stdout! }).on("line", keep);
  createInterface({ input: child.stderr! }).on("line", keep);
  let exit: string | null = null;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = String(code ?? signal);
      resolve();
    }),
  );
  const deadline = Date.now() + timeoutMs;
  while (!(await accepts(port))) {
    if (exit !== null) throw new Error(`${name} exited (${exit}) before listening:\n${output.join("\n")}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`${name} did not listen within ${timeoutMs} ms:\n${output.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    output,
    stop: async (graceMs = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
      child.kill("SIGTERM");
      await exited;
      clearTimeout(kill);
    },
  };
}

/**
 * Runs `node <script>` with its input as JSON in BENCH_INPUT and resolves with the JSON object of
 * the last line it printed on stdout. Its stderr goes to ours (progress and errors).
 */
export function runJsonChild<T>(script: string, input: unknown, onLine?: (line: string) => void, flags: string[] = []): Promise<T> {
  const child = spawn(process.execPath, [...flags, script], {
    env: childEnv({ BENCH_INPUT: JSON.stringify(input) }),
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  createInterface({ input: child.stdout! }).on("line", (line) => {
    stdout += `${line}\n`;
    onLine?.(line);
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code !== 0) return reject(new Error(`${script} failed (${code ?? signal}):\n${stdout.slice(-2000)}`));
      const last = stdout.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON result:\n${stdout.slice(-2000)}`));
      }
    });
  });
}

/**
 * CPU time (user + system, seconds) a process has used so far, from /proc; null where there is no
 * /proc. Clock ticks are taken as 100 per second, as on every Linux Node supports.
 */
export function cpuSecondsOf(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

/** The machine's CPU time so far from /proc/stat: all of it, and what the hypervisor stole. */
export interface MachineCpu {
  total: number;
  steal: number;
}

export function machineCpu(): MachineCpu | null {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!;
    // "cpu  user nice system idle iowait irq softirq steal guest guest_nice", in clock ticks.
    const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: ticks.reduce((a, b) => a + b, 0), steal: ticks[7] ?? 0 };
  } catch {
    return null;
  }
}

/** The share of the machine's CPU time the hypervisor gave to other machines between two readings. */
export function stealShare(before: MachineCpu | null, after: MachineCpu | null): number | null {
  if (!before || !after || after.total <= before.total) return null;
  return (after.steal - before.steal) / (after.total - before.total);
}

/** Hypervisor steal (CPU time given to other machines) from which a measured row is flagged as suspect. */
export const STEAL_NOTE_SHARE = 0.1;

/**
 * One load run (`load.js` with `spec`) against the server process `pid`, with what the server and
 * the machine did during the measured phase only: from load's `"phase":"run"` line (the warm-up is
 * over; `onMeasuring` is called then) to its end. `cpuSeconds` is the server's CPU time over that
 * phase, null where /proc cannot tell; `steal` the hypervisor's share of the machine's.
 */
export async function measuredLoad(
  pid: number | undefined,
  spec: LoadSpec,
  onMeasuring?: () => void,
): Promise<{ result: LoadResult; cpuSeconds: number | null; steal: number | null }> {
  let cpuAtStart: number | null = null;
  let machineAtStart: MachineCpu | null = null;
  const result = await runJsonChild<LoadResult>(benchScript("load"), spec, (line) => {
    if (line.includes('"phase":"run"')) {
      cpuAtStart = cpuSecondsOf(pid);
      machineAtStart = machineCpu();
      onMeasuring?.();
    }
  });
  const cpuAtEnd = cpuSecondsOf(pid);
  const steal = stealShare(machineAtStart, machineCpu());
  return { result, cpuSeconds: cpuAtStart !== null && cpuAtEnd !== null ? cpuAtEnd - cpuAtStart : null, steal };
}

/** The input a child was started with (see runJsonChild). */
export function childInput<T>(): T {
  const raw = childInputJson();
  if (!raw) throw new Error("BENCH_INPUT is not set: this script is started by tooling/bench/dist/run.js");
  return JSON.parse(raw) as T;
}

/** Prints a child's result: one JSON line, the last one on stdout. */
export function printResult(result: unknown): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
