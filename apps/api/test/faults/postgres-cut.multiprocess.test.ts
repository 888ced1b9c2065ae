/**
 * PostgreSQL connections cut under load (what a failover or a restart does, here
 * `pg_terminate_backend` on every backend of the test's own database): no server process dies,
 * no request answers 500 (a request whose connection was cut answers 503 with `Retry-After: 1`),
 * the pools recover by themselves, and every acknowledged create and join is in the database.
 * Then the database refuses connections for a while: `/health` answers 503, and 200 again after
 * (SPEC section 9). Only this test's database is touched.
 */
import { ErrorMessage } from "@portal/contracts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import type { ChatRow } from "../../src/db/schema.js";
import { createLogger } from "../../src/logger.js";
import { createServiceDeps } from "../../src/services/context.js";
import { BACKENDS, createTestDatabase, POSTGRES_ADMIN_URL, type TestDatabase } from "../support/backends.js";
import { http, type HttpResult } from "../support/clients.js";
import { spawnServer, tally, type ServerProcess } from "../support/processes.js";
import { Fixtures } from "../support/test-server.js";

const SERVERS = 4;
const WORKERS = 8;
const CUTS = 4;
/** Answers wanted from the servers after each cut before the next: they serve again. */
const ANSWERS_BETWEEN_CUTS = 30;
/** Bounds on every loop: requests in all, and polls of /health. */
const MAX_REQUESTS = 6_000;
const MAX_POLLS = 1_200; // 30 s of 25 ms sleeps: a bound against a hang, not a speed expectation

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.skipIf(!BACKENDS.includes("postgres"))("PostgreSQL connections cut under load", () => {
  let database: TestDatabase;
  let name: string;
  let admin: pg.Client;
  let servers: ServerProcess[] = [];
  let handle: Database;
  let fixtures: Fixtures;

  /** Ends every connection to this test's database but the admin's own (which is to another). */
  async function cutEveryConnection(): Promise<number> {
    const { rows } = await admin.query<{ pid: number }>(
      "select pg_terminate_backend(pid), pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [name],
    );
    return rows.length;
  }

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    name = new URL(database.url).pathname.slice(1);
    admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    // Four processes racing to migrate one fresh database, as under a process manager.
    servers = await Promise.all(
      Array.from({ length: SERVERS }, () => spawnServer({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: "4" })),
    );
    handle = openDatabase(database.url, { poolSize: 4 });
    fixtures = new Fixtures(createServiceDeps(handle.db, createLogger("silent")));
  });
  afterAll(async () => {
    await admin?.query(`alter database ${name} allow_connections true`).catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop()));
    await handle?.close();
    await admin?.end().catch(() => undefined);
    await database?.drop();
  });

  it(`keeps ${SERVERS} processes up and every acknowledged write through ${CUTS} cuts of every connection`, async () => {
    const chats: { chat: ChatRow; session: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const owner = await fixtures.user();
      chats.push({ chat: await fixtures.chat({ owner }), session: await fixtures.session(owner) });
    }
    const joiners: { userId: number; session: string }[] = [];
    for (let batch = 0; batch < 12; batch++) {
      const made = await Promise.all(
        Array.from({ length: 10 }, async () => {
          const user = await fixtures.user();
          return { userId: user.id, session: await fixtures.session(user) };
        }),
      );
      joiners.push(...made);
    }

    const acknowledgedCreates = new Set<string>();
    const acknowledgedJoins: { code: string; userId: number }[] = [];
    const liveCodes: string[] = [];
    const unexpected: string[] = [];
    const statuses: number[] = [];
    let answered = 0;
    let running = true;

    /** Records an answer: 503 must carry Retry-After and the error body; 5xx otherwise never. */
    const note = (what: string, res: HttpResult<unknown>, expected: number[]) => {
      statuses.push(res.status);
      answered += 1;
      if (res.status === 503) {
        const body = res.body as { error?: unknown; correlation_id?: unknown };
        const message = what.startsWith("trpc") ? (body.error as { message?: unknown } | undefined)?.message : body.error;
        if (res.headers.get("retry-after") !== "1" || message !== ErrorMessage.serviceUnavailable) {
          unexpected.push(`${what} 503 without Retry-After or the message: ${JSON.stringify(res.body)}`);
        }
      } else if (!expected.includes(res.status)) {
        unexpected.push(`${what} ${res.status} ${JSON.stringify(res.body)}`);
      }
    };

    const worker = async (id: number) => {
      let n = id;
      while (running && statuses.length < MAX_REQUESTS) {
        n += WORKERS;
        const server = servers[n % SERVERS]!;
        try {
          if (n % 3 === 0 || liveCodes.length === 0) {
            const { chat, session } = chats[n % chats.length]!;
            const body = { max_uses: 1 + (n % 3) };
            if (n % 2 === 0) {
              const res = await http<{ code: string }>(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: body });
              note("create", res, [201, 409]);
              if (res.status === 201) {
                acknowledgedCreates.add(res.body.code);
                liveCodes.push(res.body.code);
              }
              if (res.status !== 409) continue;
            } else {
              const res = await http<{ result?: { data: { code: string } } }>(server.url, "POST", "/trpc/invite.create", {
                session,
                json: { chat_id: chat.id, ...body },
              });
              note("trpc create", res, [200, 409]);
              if (res.status === 200) {
                acknowledgedCreates.add(res.body.result!.data.code);
                liveCodes.push(res.body.result!.data.code);
              }
              if (res.status !== 409) continue;
            }
            // The chat is full: revoke its oldest invite so creates keep flowing.
            const list = await http<{ invites?: { code: string }[] }>(server.url, "GET", `/v1/portal/chats/${chat.id}/invites`, { session });
            note("list", list, [200]);
            const oldest = list.body.invites?.at(-1);
            if (oldest) {
              note("revoke", await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites/${oldest.code}/delete`, { session }), [200, 404]);
            }
          } else {
            const code = liveCodes[n % liveCodes.length]!;
            const joiner = joiners[(n * 7) % joiners.length]!;
            const res = await http<{ already_member: boolean }>(server.url, "POST", `/v1/portal/resolve/${code}`, { session: joiner.session });
            note("join", res, [200, 404]);
            if (res.status === 200 && !res.body.already_member) acknowledgedJoins.push({ code, userId: joiner.userId });
          }
        } catch (error) {
          // No answer at all: the process died or hung up. Never expected.
          unexpected.push(`no answer from ${server.url}: ${String(error)}`);
          await sleep(50);
        }
      }
    };

    const workers = Array.from({ length: WORKERS }, (_, i) => worker(i));
    let cutConnections = 0;
    try {
      for (let cut = 0; cut < CUTS; cut++) {
        // Each cut lands on connections in use: wait for the servers to answer again first.
        const before = answered;
        for (let polls = 0; answered < before + ANSWERS_BETWEEN_CUTS && polls < MAX_POLLS && running; polls++) await sleep(25);
        expect(answered, `answers after cut ${cut}`).toBeGreaterThanOrEqual(before + ANSWERS_BETWEEN_CUTS);
        cutConnections += await cutEveryConnection();
      }
      const before = answered;
      for (let polls = 0; answered < before + ANSWERS_BETWEEN_CUTS && polls < MAX_POLLS; polls++) await sleep(25);
      expect(answered, "answers after the last cut").toBeGreaterThanOrEqual(before + ANSWERS_BETWEEN_CUTS);
    } finally {
      running = false;
      await Promise.all(workers);
    }

    console.info(`postgres cuts: ${cutConnections} connections cut; answers ${JSON.stringify(tally(statuses))}`);
    expect(cutConnections).toBeGreaterThanOrEqual(CUTS);
    expect(unexpected).toEqual([]);
    expect(statuses.some((s) => s >= 500 && s !== 503)).toBe(false);
    expect(acknowledgedCreates.size).toBeGreaterThan(10);

    // Every process is alive, serves, and never met an unhandled error.
    for (const server of servers) {
      expect(server.process.exitCode, server.url).toBeNull();
      expect(server.process.signalCode, server.url).toBeNull();
      expect((await http(server.url, "GET", "/health")).status).toBe(200);
      expect(server.output.filter((line) => /Unhandled|uncaught/i.test(line))).toEqual([]);
    }

    // Every acknowledged create and join is in the database, and the counts agree.
    const invites = await handle.db.selectFrom("invites").selectAll().execute();
    const stored = new Set(invites.map((invite) => invite.code));
    for (const code of acknowledgedCreates) expect(stored.has(code), code).toBe(true);
    const members = await handle.db.selectFrom("chat_members").selectAll().execute();
    for (const join of acknowledgedJoins) {
      expect(members.some((m) => m.user_id === join.userId && m.invite_code === join.code), `join of ${join.code}`).toBe(true);
    }
    for (const invite of invites) {
      if (invite.max_uses !== null) expect(invite.uses).toBeLessThanOrEqual(invite.max_uses);
      expect(invite.uses).toBe(members.filter((m) => m.invite_code === invite.code).length);
    }
  }, 180_000);

  it("answers 503 on /health and on requests while the database refuses connections, and 200 again after", async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const session = await fixtures.session(owner);
    await admin.query(`alter database ${name} allow_connections false`);
    try {
      await cutEveryConnection();
      for (const server of servers) {
        let health = await http<Record<string, unknown>>(server.url, "GET", "/health");
        // A backend being terminated may answer one last query; the next cannot.
        for (let polls = 0; health.status === 200 && polls < MAX_POLLS; polls++) {
          await sleep(25);
          health = await http<Record<string, unknown>>(server.url, "GET", "/health");
        }
        expect(health.status, server.url).toBe(503);
        expect(health.headers.get("retry-after")).toBe("1");
        expect(health.body.status).toBe("unavailable");

        const create = await http<Record<string, unknown>>(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: {} });
        expect(create.status).toBe(503);
        expect(create.headers.get("retry-after")).toBe("1");
        expect(create.body).toEqual({ error: ErrorMessage.serviceUnavailable, correlation_id: create.headers.get("x-correlation-id") });

        const trpc = await http<{ error: { message: string; data: { code: string } } }>(server.url, "GET", `/trpc/invite.list?input=${encodeURIComponent(JSON.stringify({ chat_id: chat.id }))}`, { session });
        expect(trpc.status).toBe(503);
        expect(trpc.headers.get("retry-after")).toBe("1");
        expect(trpc.body.error).toMatchObject({ message: ErrorMessage.serviceUnavailable, data: { code: "SERVICE_UNAVAILABLE" } });
      }
    } finally {
      await admin.query(`alter database ${name} allow_connections true`);
    }
    for (const server of servers) {
      let health = await http(server.url, "GET", "/health");
      for (let polls = 0; health.status !== 200 && polls < MAX_POLLS; polls++) {
        await sleep(25);
        health = await http(server.url, "GET", "/health");
      }
      expect(health.status, server.url).toBe(200);
      expect((await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: {} })).status).toBe(201);
      expect(server.process.exitCode).toBeNull();
    }
  }, 120_000);
});
