/**
 * SQLite's write lock held by another process (the admin CLI, a backup, the `sqlite3` shell):
 * a request that needs it waits without blocking the event loop (health checks and reads keep
 * being answered meanwhile), goes through once the lock is released, and answers 503 with
 * `Retry-After` when the lock is held past DB_BUSY_TIMEOUT_MS (SPEC section 9). Real server
 * processes, a real file, and a real second process holding `BEGIN IMMEDIATE`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { ErrorMessage } from "@portal/contracts";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DatabaseBusyError, isDatabaseUnavailable } from "../../src/db/availability.js";
import { openDatabase, sqlitePathOf, type Database } from "../../src/db/database.js";
import type { ChatRow } from "../../src/db/schema.js";
import { createLogger } from "../../src/logger.js";
import { createServiceDeps } from "../../src/services/context.js";
import { createTestDatabase, type TestDatabase } from "../support/backends.js";
import { http, trpcClient, trpcOutcome } from "../support/clients.js";
import { spawnServer, type ServerProcess } from "../support/processes.js";
import { Fixtures } from "../support/test-server.js";

const API_DIR = fileURLToPath(new URL("../..", import.meta.url));
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
/** Rounds of /health + list sent while a create waits for the lock. */
const ROUNDS = 5;

/**
 * Another process that takes the write lock (`BEGIN IMMEDIATE`) on the file and holds it until
 * told to let go (a line on its stdin) or until its stdin closes (the test died).
 */
class LockHolder {
  private constructor(private readonly child: ChildProcess) {}

  static async hold(path: string): Promise<LockHolder> {
    const script = `
      const Database = require("better-sqlite3");
      const db = new Database(process.argv[1], { timeout: 10000 });
      db.exec("BEGIN IMMEDIATE");
      process.stdout.write("locked\\n");
      const release = () => { if (db.inTransaction) db.exec("COMMIT"); db.close(); process.exit(0); };
      process.stdin.on("data", release);
      process.stdin.on("end", release);
    `;
    const child = spawn(process.execPath, ["-e", script, path], { cwd: API_DIR, stdio: ["pipe", "pipe", "inherit"] });
    const holder = new LockHolder(child);
    try {
      const lines = createInterface({ input: child.stdout! });
      const exited = once(child, "exit").then(([code]) => {
        throw new Error(`the lock holder exited with ${String(code)} before taking the lock`);
      });
      await Promise.race([once(lines, "line"), exited]);
    } catch (error) {
      holder.kill();
      throw error;
    }
    return holder;
  }

  /** Commits (nothing) and exits; resolves once the process is gone, so the lock is free. */
  async release(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.stdin!.end("release\n");
    await exited;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

/** Settles with the outcome and notes when it did, relative to other events in `order`. */
function track<T>(order: string[], name: string, promise: Promise<T>): Promise<T> {
  return promise.finally(() => order.push(name));
}

describe("SQLite write lock held by another process", () => {
  let database: TestDatabase;
  let patient: ServerProcess | null = null; // waits long for the lock: a create goes through once released
  let impatient: ServerProcess | null = null; // DB_BUSY_TIMEOUT_MS=500: a create answers 503
  let handle: Database;
  let fixtures: Fixtures;
  let chat: ChatRow;
  let session: string;
  let holder: LockHolder | null = null;

  beforeAll(async () => {
    database = await createTestDatabase("sqlite");
    // Not a timing assumption: the patient server's bound only has to outlast the test's own
    // requests, which run while the lock is held on purpose.
    patient = await spawnServer({ DATABASE_URL: database.url, DB_BUSY_TIMEOUT_MS: "120000" });
    impatient = await spawnServer({ DATABASE_URL: database.url, DB_BUSY_TIMEOUT_MS: "500" });
    handle = openDatabase(database.url, { busyTimeoutMs: 120_000 });
    fixtures = new Fixtures(createServiceDeps(handle.db, createLogger("silent")));
    const owner = await fixtures.user();
    chat = await fixtures.chat({ owner });
    session = await fixtures.session(owner);
  });
  afterEach(() => {
    holder?.kill();
    holder = null;
  });
  afterAll(async () => {
    holder?.kill();
    await patient?.stop();
    await impatient?.stop();
    await handle?.close();
    await database?.drop();
  });

  it("keeps answering /health and reads while a create waits, and the create goes through after the release", async () => {
    holder = await LockHolder.hold(sqlitePathOf(database.url));
    const order: string[] = [];
    const url = patient!.url;
    const create = track(order, "create", http<{ code: string }>(url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: {} }));
    const trpcCreate = track(order, "trpc create", trpcOutcome(() => trpcClient(url, session).invite.create.mutate({ chat_id: chat.id })));

    for (let round = 0; round < ROUNDS; round++) {
      const health = await http(url, "GET", "/health");
      expect(health.status).toBe(200);
      const list = await http<{ invites: unknown[] }>(url, "GET", `/v1/portal/chats/${chat.id}/invites`, { session });
      expect(list.status).toBe(200);
      const trpcList = await trpcOutcome(() => trpcClient(url, session).invite.list.query({ chat_id: chat.id }));
      expect(trpcList.status).toBe(200);
      order.push(`round ${round}`);
    }
    // Every round was answered while both creates still waited for the lock.
    expect(order).toEqual(Array.from({ length: ROUNDS }, (_, round) => `round ${round}`));

    await holder.release();
    const created = await create;
    expect(created.status).toBe(201);
    const trpcCreated = await trpcCreate;
    expect(trpcCreated.status).toBe(200);
    const codes = [created.body.code, (trpcCreated.body as { code: string }).code];
    for (const code of codes) expect(await fixtures.inviteRow(code)).toMatchObject({ chat_id: chat.id, uses: 0 });
  });

  it("answers 503 Service temporarily unavailable with Retry-After once the lock is held past DB_BUSY_TIMEOUT_MS, over REST", async () => {
    holder = await LockHolder.hold(sqlitePathOf(database.url));
    const before = await fixtures.countActive(chat);
    // The lock is let go only after the answer: the create cannot have had it.
    const res = await http<Record<string, unknown>>(impatient!.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: {} });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(Object.keys(res.body).sort()).toEqual(["correlation_id", "error"]);
    expect(res.body.error).toBe(ErrorMessage.serviceUnavailable);
    expect(res.body.correlation_id).toMatch(UUID_V4);
    expect(res.headers.get("x-correlation-id")).toBe(res.body.correlation_id);
    // Meanwhile the impatient server still answers reads and health.
    expect((await http(impatient!.url, "GET", "/health")).status).toBe(200);
    await holder.release();
    expect(await fixtures.countActive(chat)).toBe(before);
    // And once the lock is free it creates again.
    expect((await http(impatient!.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: {} })).status).toBe(201);
    const line = impatient!.output.find((l) => l.includes(`"correlation_id":"${String(res.body.correlation_id)}"`));
    expect(line).toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ status: 503, error: ErrorMessage.serviceUnavailable });
  });

  it("answers SERVICE_UNAVAILABLE (HTTP 503, Retry-After) over tRPC", async () => {
    holder = await LockHolder.hold(sqlitePathOf(database.url));
    const outcome = await trpcOutcome(() => trpcClient(impatient!.url, session).invite.create.mutate({ chat_id: chat.id }));
    expect(outcome.status).toBe(503);
    expect(outcome.body).toMatchObject({ error: ErrorMessage.serviceUnavailable, code: "SERVICE_UNAVAILABLE" });
    expect((outcome.body as { correlation_id: string }).correlation_id).toMatch(UUID_V4);

    // The same call on the wire, for the header the client does not show.
    const raw = await http<{ error: { message: string; data: { code: string; httpStatus: number } } }>(
      impatient!.url,
      "POST",
      "/trpc/invite.create",
      { session, json: { chat_id: chat.id } },
    );
    expect(raw.status).toBe(503);
    expect(raw.headers.get("retry-after")).toBe("1");
    expect(raw.body.error).toMatchObject({ message: ErrorMessage.serviceUnavailable, data: { code: "SERVICE_UNAVAILABLE", httpStatus: 503 } });
    await holder.release();
  });

  it("waits in this process too, off the event loop: plain writes and Kysely transactions wait, reads do not, and the bound ends in DatabaseBusyError", async () => {
    holder = await LockHolder.hold(sqlitePathOf(database.url));
    const order: string[] = [];
    const insert = track(order, "insert", fixtures.user());
    const transaction = track(
      order,
      "transaction",
      handle.db.transaction().execute((trx) => trx.updateTable("chats").set({ name: "Renamed" }).where("id", "=", chat.id).execute()),
    );
    const read = await handle.db.selectFrom("chats").select("name").where("id", "=", chat.id).executeTakeFirstOrThrow();
    order.push("read");
    expect(read.name).toBe("Test chat");

    // A second connection with a short bound gives up with the error that maps to 503.
    const short = openDatabase(database.url, { busyTimeoutMs: 100 });
    try {
      const failed = await short.db.insertInto("users").values({
        username: "never_written",
        avatar_url: null,
        permission_level: 0,
        state: 0,
        timeout_until: null,
        created_at: Date.now(),
      }).execute().then(() => null, (error: unknown) => error);
      expect(failed).toBeInstanceOf(DatabaseBusyError);
      expect(isDatabaseUnavailable(failed)).toBe(true);
      const failedTransaction = await short.db.transaction().execute(async () => "ran").then(() => null, (error: unknown) => error);
      expect(failedTransaction).toBeInstanceOf(DatabaseBusyError);
    } finally {
      await short.close();
    }
    expect(order).toEqual(["read"]);

    await holder.release();
    await Promise.all([insert, transaction]);
    expect(order.slice(0, 1)).toEqual(["read"]);
    const renamed = await handle.db.selectFrom("chats").select("name").where("id", "=", chat.id).executeTakeFirstOrThrow();
    expect(renamed.name).toBe("Renamed");
    expect(await handle.db.selectFrom("users").select("id").where("username", "=", "never_written").executeTakeFirst()).toBeUndefined();
  });
});
