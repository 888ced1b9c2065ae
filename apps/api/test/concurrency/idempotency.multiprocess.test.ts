/**
 * An Idempotency-Key holds across server processes sharing one database, and across a restart:
 * a burst of retries of one create, split over two processes, creates exactly one invite; the
 * others get that invite again (201, Idempotent-Replayed) or 409 while the first is running.
 */
import { ErrorMessage } from "@portal/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import { createLogger } from "../../src/logger.js";
import { createServiceDeps } from "../../src/services/context.js";
import { BACKENDS, createTestDatabase, type TestDatabase } from "../support/backends.js";
import { http, type HttpResult } from "../support/clients.js";
import { burst, spawnServer, tally, type ServerProcess } from "../support/processes.js";
import { Fixtures } from "../support/test-server.js";

const BURST = 10;

describe.each(BACKENDS)("Idempotency-Key across two server processes on %s", (backend) => {
  let testDatabase: TestDatabase;
  let servers: ServerProcess[] = [];
  let database: Database;
  let fixtures: Fixtures;

  beforeAll(async () => {
    testDatabase = await createTestDatabase(backend);
    // Started at once on an unmigrated database: they race to migrate it, as under a process manager.
    servers = await Promise.all([0, 1].map(() => spawnServer({ DATABASE_URL: testDatabase.url })));
    database = openDatabase(testDatabase.url);
    fixtures = new Fixtures(createServiceDeps(database.db, createLogger("silent")));
  });

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await database?.close();
    await testDatabase?.drop();
  });

  const create = (server: ServerProcess, session: string, chatId: number, body: unknown, key: string) =>
    http<Record<string, unknown>>(server.url, "POST", `/v1/portal/chats/${chatId}/invites`, {
      session,
      json: body,
      headers: { "idempotency-key": key },
    });
  const invitesOf = async (chatId: number) =>
    database.db.selectFrom("invites").select("code").where("chat_id", "=", chatId).execute();

  it(`${BURST} same-key requests at once, split over both processes, create exactly one invite`, async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const session = await fixtures.session(owner);

    const results = await burst(BURST, (i) => create(servers[i % 2]!, session, chat.id, { max_uses: 3 }, "burst-key"));
    const invites = await invitesOf(chat.id);
    expect(invites).toHaveLength(1);
    const code = invites[0]!.code;

    const ran = results.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") === null);
    const replays = results.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") === "true");
    const inProgress = results.filter((r) => r.status === 409);
    expect(ran).toHaveLength(1);
    expect(ran.length + replays.length + inProgress.length).toBe(BURST);
    for (const r of [...ran, ...replays]) expect(r.body.code).toBe(code);
    for (const r of inProgress) expect(r.body.error).toBe(ErrorMessage.idempotencyKeyInProgress);

    // Once the first has finished, every retry, on either process, is a replay.
    const retries = await Promise.all(servers.map((s) => create(s, session, chat.id, { max_uses: 3 }, "burst-key")));
    for (const r of retries) expect([r.status, r.body.code, r.headers.get("idempotent-replayed")]).toEqual([201, code, "true"]);
    expect(await invitesOf(chat.id)).toHaveLength(1);
  });

  it("the same key with a different body on the other process answers 422", async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const session = await fixtures.session(owner);

    const first = await create(servers[0]!, session, chat.id, { max_uses: 1 }, "conflicting-key");
    const later = await create(servers[1]!, session, chat.id, { max_uses: 2 }, "conflicting-key");
    expect(first.status).toBe(201);
    expect([later.status, later.body.error]).toEqual([422, ErrorMessage.idempotencyKeyMismatch]);
    expect(await invitesOf(chat.id)).toHaveLength(1);
  });

  it("two different requests under one key at once: one creates, the other gets 422 or 409, never a second invite", async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const session = await fixtures.session(owner);

    const results: HttpResult<Record<string, unknown>>[] = await burst(BURST, (i) =>
      create(servers[i % 2]!, session, chat.id, { max_uses: (i % 2) + 1 }, "racing-key"),
    );
    const statuses = tally(results.map((r) => r.status));
    expect(Object.keys(statuses).every((s) => ["201", "409", "422"].includes(s))).toBe(true);
    const fresh = results.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") === null);
    expect(fresh).toHaveLength(1);
    const winner = fresh[0]!.body.max_uses;
    // Replays are of the winner's body; the loser's body only ever gets 422 or 409.
    results.forEach((r, i) => {
      if (r.status === 201) expect((i % 2) + 1).toBe(winner);
      if (r.status === 422) expect((i % 2) + 1).not.toBe(winner);
    });
    expect(await invitesOf(chat.id)).toHaveLength(1);
  });

  it("a restart keeps the key: a new process on the same database answers the retry the same way", async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const session = await fixtures.session(owner);
    const first = await create(servers[0]!, session, chat.id, {}, "restart-key");
    expect(first.status).toBe(201);

    await Promise.all(servers.map((s) => s.stop()));
    servers = [await spawnServer({ DATABASE_URL: testDatabase.url }), await spawnServer({ DATABASE_URL: testDatabase.url })];

    const again = await create(servers[1]!, session, chat.id, {}, "restart-key");
    expect([again.status, again.body, again.headers.get("idempotent-replayed")]).toEqual([201, first.body, "true"]);
    expect(await invitesOf(chat.id)).toHaveLength(1);
  });
});
