/**
 * Starting servers (issue 18): several processes started together on one fresh database all come
 * up and migrate it once, on both databases; and no server a test starts outlives it, whether the
 * cluster's start fails or the test process itself dies.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MIGRATION_NAMES } from "../../src/db/migrate.js";
import { BACKENDS, createTestDatabase, type TestDatabase } from "../support/backends.js";
import { http } from "../support/clients.js";
import { ClusterStartError, serverCommand, serverEnv, startProcessCluster, type ProcessCluster } from "../support/processes.js";

const PROCESSES = 6;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits (bounded) until the process is gone; says whether it went. */
async function gone(pid: number, withinMs = 30_000): Promise<boolean> {
  for (const deadline = Date.now() + withinMs; Date.now() < deadline; ) {
    if (!alive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !alive(pid);
}

describe.each(BACKENDS)(`${PROCESSES} server processes started together on a fresh %s database`, (backend) => {
  let cluster: ProcessCluster;

  beforeAll(async () => {
    cluster = await startProcessCluster(backend, PROCESSES);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("all listen, answer /health, and the schema was migrated once", async () => {
    expect(cluster.servers).toHaveLength(PROCESSES);
    const health = await Promise.all(cluster.servers.map((s) => http(s.url, "GET", "/health")));
    expect(health.map((h) => h.status)).toEqual(Array(PROCESSES).fill(200));
    const migrated = await cluster.database.db
      .selectFrom("kysely_migration" as never)
      .select("name" as never)
      .execute();
    expect(migrated.map((row) => (row as { name: string }).name)).toEqual(MIGRATION_NAMES);
    const migrationLogs = cluster.servers.filter((s) => s.output.some((line) => line.includes('"database migrated"')));
    expect(migrationLogs).toHaveLength(1);
    if (backend === "sqlite") expect(cluster.database.sqlite!.pragma("journal_mode", { simple: true })).toBe("wal");
  });
});

describe("a cluster start that fails", () => {
  it("says why, and stops the servers that did start before it rejects", async () => {
    // The third of four servers is misconfigured: it exits at once, the others come up.
    const error = await startProcessCluster("sqlite", 4, { env: (i): Record<string, string> => (i === 2 ? { PORT: "not-a-port" } : {}) }).then(
      () => new Error("the cluster started"),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClusterStartError);
    const failure = error as ClusterStartError;
    expect(failure.message).toContain("1 of 4 servers did not start");
    expect(failure.message).toContain("server 3: server (pid");
    expect(failure.message).toContain("Invalid configuration: PORT must be");
    expect(failure.pids).toHaveLength(4);
    // Stopped, not merely signalled: every pid is gone when the promise rejects.
    expect(failure.pids.filter(alive)).toEqual([]);
  });
});

describe("a server whose test process dies", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("stops by itself", async () => {
    // A stand-in for a vitest worker: it starts a server as spawnServer does, says its pid, and
    // is then killed with SIGKILL (no exit handler of its own runs).
    const { command, args } = serverCommand();
    const parentSource = `
      const { spawn } = require("node:child_process");
      const [command, args, env] = JSON.parse(process.argv[1]);
      const child = spawn(command, args, { env, stdio: ["pipe", "pipe", "inherit"] });
      child.stdout.on("data", (d) => { if (String(d).includes('"listening"')) console.log("server " + child.pid); });
    `;
    const parent = spawn(process.execPath, ["-e", parentSource, JSON.stringify([command, args, serverEnv({ DATABASE_URL: database.url })])], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let serverPid: number | undefined;
    try {
      serverPid = await new Promise<number>((resolve, reject) => {
        parent.once("exit", (code) => reject(new Error(`the parent exited with ${code} before its server listened`)));
        createInterface({ input: parent.stdout! }).on("line", (line) => {
          if (line.startsWith("server ")) resolve(Number(line.slice("server ".length)));
        });
      });
      expect(alive(serverPid)).toBe(true);
      parent.kill("SIGKILL");
      expect(await gone(serverPid)).toBe(true);
    } finally {
      if (parent.exitCode === null && parent.signalCode === null) parent.kill("SIGKILL");
      if (serverPid !== undefined && alive(serverPid)) process.kill(serverPid, "SIGKILL");
    }
  });
});
