/**
 * Operating the server: graceful shutdown on SIGTERM, /health when the database is gone, bad
 * configuration refused at start, and logs that never hold a session token or a login code.
 */
import { spawnSync } from "node:child_process";
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueLoginCode } from "../../src/services/auth.service.js";
import { createTestDatabase, type TestDatabase } from "../support/backends.js";
import { http } from "../support/clients.js";
import { MAIN_JS, spawnServer } from "../support/processes.js";
import { startTestServer, Fixtures } from "../support/test-server.js";
import { openDatabase } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { createLogger } from "../../src/logger.js";
import { createServiceDeps } from "../../src/services/context.js";

describe("graceful shutdown", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("finishes the request in flight, refuses new ones, closes the database and exits 0", async () => {
    const handle = openDatabase(database.url);
    await migrateToLatest(handle.db);
    const fixtures = new Fixtures(createServiceDeps(handle.db, createLogger("silent")));
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const session = await fixtures.session(owner);
    await handle.close();

    const server = await spawnServer({ DATABASE_URL: database.url });
    const { port } = new URL(server.url);
    const body = JSON.stringify({ max_uses: 5 });
    // A request whose body is still arriving when SIGTERM comes.
    const inFlight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: `/v1/portal/chats/${chat.id}/invites`,
          headers: { "content-type": "application/json", "content-length": String(body.length), cookie: `psession=${session}` },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => (text += chunk.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, 5));
      setTimeout(() => req.end(body.slice(5)), 600);
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    const started = Date.now();
    const exited = server.stop("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 150));
    // New connections are refused while the old request finishes.
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    const finished = await inFlight;
    expect(finished.status).toBe(201);
    expect(JSON.parse(finished.body)).toMatchObject({ max_uses: 5, chat_id: chat.id });
    const { code } = await exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(server.output.some((line) => line.includes('"shut down cleanly"'))).toBe(true);

    // The invite is there, and the file is consistent.
    const after = openDatabase(database.url);
    try {
      expect(await after.db.selectFrom("invites").selectAll().where("chat_id", "=", chat.id).execute()).toHaveLength(1);
      expect(after.sqlite!.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      await after.close();
    }
  });
});

describe("health", () => {
  it("answers 503 when the database is gone, and a request that needs it gets a bare 500", async () => {
    const server = await startTestServer("sqlite");
    try {
      const owner = await server.fixtures.user();
      const token = await server.fixtures.session(owner);
      expect((await http(server.url, "GET", "/health")).status).toBe(200);
      server.database.sqlite!.close();
      const health = await http(server.url, "GET", "/health");
      expect(health.status).toBe(503);
      expect(health.body).toMatchObject({ status: "unavailable" });
      const res = await http(server.url, "GET", "/v1/users/me", { session: token });
      expect(res.status).toBe(500);
      expect(res.body).toEqual({ error: "Internal server error", correlation_id: res.headers.get("x-correlation-id") });
      expect(server.logs.some((l) => l.level === "error" && l.correlation_id === res.headers.get("x-correlation-id"))).toBe(true);
    } finally {
      await server.stop().catch(() => undefined);
    }
  });
});

describe("configuration", () => {
  it.each([
    ["PORT", "abc"],
    ["PORT", "70000"],
    ["DATABASE_URL", "mysql://localhost/portal"],
    ["RATE_LIMITS", "maybe"],
    ["PORTAL_DEMO", "yes"],
    ["LOG_LEVEL", "loud"],
    ["TRUSTED_ORIGINS", "not a url"],
    ["REDIS_URL", "localhost:6379"],
    ["DATABASE_POOL_SIZE", "0"],
    ["SQLITE_CACHE_MB", "lots"],
    ["EXPIRY_SWEEP_MS", "0"],
    ["HOUSEKEEPING_INTERVAL_MS", "hourly"],
    ["EVENTS_RETENTION_DAYS", "0"],
  ])("refuses %s=%s at start with a message naming the variable", (variable, value) => {
    const result = spawnSync(process.execPath, [MAIN_JS], {
      env: { PATH: process.env.PATH ?? "", PORT: "0", DATABASE_URL: "file::memory:", [variable]: value },
      encoding: "utf8",
      timeout: 20_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Invalid configuration: ${variable} must be`);
    expect(result.stderr).toContain(JSON.stringify(value));
    // Refused, not hung: spawnSync's timeout would have ended it with a signal and no status.
    expect(result.stdout).not.toContain("listening");
  });
});

describe("logs", () => {
  it("never contain a session token or a login code", async () => {
    const server = await startTestServer("sqlite", { LOG_LEVEL: "debug" });
    try {
      const user = await server.fixtures.user();
      const { code } = await issueLoginCode(server.deps, user);
      const verified = await http(server.url, "POST", "/v1/authentication/verify", { json: { code } });
      const token = verified.headers.getSetCookie()[0]!.split(";")[0]!.slice("psession=".length);
      await http(server.url, "POST", "/v1/authentication/verify", { json: { code } });
      await http(server.url, "GET", "/v1/users/me", { session: token });
      await http(server.url, "GET", `/trpc/user.me?input=${encodeURIComponent(JSON.stringify({ token }))}`, { session: token });
      await http(server.url, "POST", "/trpc/auth.verify", { json: { code } });
      await http(server.url, "POST", "/v1/authentication/logout", { session: token });
      const text = JSON.stringify(server.logs);
      expect(server.logs.filter((l) => l.msg === "request").length).toBeGreaterThanOrEqual(6);
      expect(text).not.toContain(token);
      expect(text).not.toContain(code);
    } finally {
      await server.stop();
    }
  });
});
