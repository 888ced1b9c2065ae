/**
 * `writeTransaction` runs a use case's steps as one write transaction: synchronously inside BEGIN
 * IMMEDIATE on SQLite, with Kysely's transaction on PostgreSQL. Real databases on both; what the
 * steps write is read back with plain queries.
 */
import { ErrorMessage } from "@portal/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger, type LogFields } from "../logger.js";
import type { ServiceDeps } from "../services/context.js";
import { AppError } from "../services/errors.js";
import { createInvite } from "../services/invite.service.js";
import { BACKENDS } from "../../test/support/backends.js";
import { openTestDatabase, type Fixtures, type OpenTestDatabase } from "../../test/support/test-server.js";
import type { Database } from "./database.js";
import { preparedQuery } from "./prepared.js";
import { chatForNewInvite, insertInviteUnlessCodeTaken } from "./repositories/invite.repository.js";
import type { ChatRow, UserRow } from "./schema.js";
import { databaseKind, dynamicQuery, query, readSteps, writeTransaction, type Steps } from "./steps.js";

const renameChat = preparedQuery((db, id: number, name: string) => db.updateTable("chats").set({ name }).where("id", "=", id));
const chatName = preparedQuery((db, id: number) => db.selectFrom("chats").select("name").where("id", "=", id));
const insertUserNamed = preparedQuery((db, username: string, createdAt: number) =>
  db.insertInto("users").values({ username, avatar_url: null, permission_level: 0, state: 0, timeout_until: null, created_at: createdAt }),
);

function* renameThenFail(chatId: number): Steps<never> {
  yield* query(renameChat, chatId, "renamed inside");
  throw new AppError("CONFLICT", "stop here");
}

function* renameAndRead(chatId: number, name: string): Steps<string> {
  yield* query(renameChat, chatId, name);
  const { rows } = yield* query(chatName, chatId);
  return rows[0]!.name;
}

function* insertDuplicateUser(username: string, chatId: number): Steps<string> {
  yield* query(renameChat, chatId, "renamed before the error");
  try {
    yield* query(insertUserNamed, username, Date.now());
    return "inserted";
  } catch (error) {
    // The database's error reaches the steps, which may look at it (and here rethrow it).
    throw new Error(`steps saw: ${(error as Error).message}`, { cause: error });
  }
}

describe.each(BACKENDS)("writeTransaction on %s", (backend) => {
  let opened: OpenTestDatabase;
  let handle: Database;
  let deps: ServiceDeps;
  let fixtures: Fixtures;
  let owner: UserRow;

  beforeAll(async () => {
    opened = await openTestDatabase(backend);
    ({ handle, deps, fixtures } = opened);
    owner = await fixtures.user();
  });
  afterAll(async () => {
    await opened?.close();
  });

  const nameOf = async (chat: ChatRow) =>
    (await handle.db.selectFrom("chats").select("name").where("id", "=", chat.id).executeTakeFirstOrThrow()).name;

  it("tells the steps which database they run on", async () => {
    function* kind(): Steps<string> {
      return yield* databaseKind();
    }
    expect(await writeTransaction(handle.db, kind())).toBe(backend);
    expect(await readSteps(handle.db, kind())).toBe(backend);
  });

  it("runs dynamic queries (an in list) beside prepared ones, in a transaction and without one", async () => {
    const chats = [await fixtures.chat({ owner, name: "dyn a" }), await fixtures.chat({ owner, name: "dyn b" })];
    function* renameAll(ids: number[], name: string): Steps<string[]> {
      yield* dynamicQuery((db) => db.updateTable("chats").set({ name }).where("id", "in", ids));
      const { rows } = yield* dynamicQuery((db) => db.selectFrom("chats").select("name").where("id", "in", ids).orderBy("id"));
      return rows.map((r) => r.name);
    }
    expect(await writeTransaction(handle.db, renameAll(chats.map((c) => c.id), "dyn renamed"))).toEqual(["dyn renamed", "dyn renamed"]);
    function* names(ids: number[]): Steps<string[]> {
      return (yield* dynamicQuery((db) => db.selectFrom("chats").select("name").where("id", "in", ids).orderBy("id"))).rows.map((r) => r.name);
    }
    expect(await readSteps(handle.db, names(chats.map((c) => c.id)))).toEqual(["dyn renamed", "dyn renamed"]);
  });

  it("commits every statement, and a later statement sees an earlier one", async () => {
    const chat = await fixtures.chat({ owner });
    expect(await writeTransaction(handle.db, renameAndRead(chat.id, "after"))).toBe("after");
    expect(await nameOf(chat)).toBe("after");
  });

  it("rolls everything back when a step throws, and the error reaches the caller unchanged", async () => {
    const chat = await fixtures.chat({ owner, name: "before" });
    const error = await writeTransaction(handle.db, renameThenFail(chat.id)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).message).toBe("stop here");
    expect(await nameOf(chat)).toBe("before");
  });

  it("throws a failing statement's error into the steps, and rolls back what they wrote", async () => {
    const chat = await fixtures.chat({ owner, name: "before" });
    const taken = await fixtures.user();
    const error = await writeTransaction(handle.db, insertDuplicateUser(taken.username, chat.id)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^steps saw: .*unique/i);
    expect(await nameOf(chat)).toBe("before");
    // The connection is usable afterwards.
    expect(await writeTransaction(handle.db, renameAndRead(chat.id, "later"))).toBe("later");
  });

  it("inside a Kysely transaction, joins it (and goes when it rolls back)", async () => {
    const chat = await fixtures.chat({ owner, name: "before" });
    const outcome = await handle.db
      .transaction()
      .execute(async (trx) => {
        expect(await writeTransaction(trx, renameAndRead(chat.id, "inner"))).toBe("inner");
        throw new Error("outer rollback");
      })
      .catch((e: unknown) => (e as Error).message);
    expect(outcome).toBe("outer rollback");
    expect(await nameOf(chat)).toBe("before");
  });

  it("waits for a Kysely transaction that holds the connection, then runs (no nesting, nothing lost)", async () => {
    const chat = await fixtures.chat({ owner, name: "start" });
    const order: string[] = [];
    let letGo!: () => void;
    let wrote!: () => void;
    const gate = new Promise<void>((resolve) => (letGo = resolve));
    const written = new Promise<void>((resolve) => (wrote = resolve));
    const longOne = handle.db.transaction().execute(async (trx) => {
      await renameChat(trx, chat.id, "kysely");
      order.push("kysely wrote");
      wrote();
      await gate;
      order.push("kysely commits");
    });
    // The Kysely transaction holds the connection and has written before the steps ask for it.
    await written;
    const steps = writeTransaction(handle.db, renameAndRead(chat.id, "steps")).then((name) => {
      order.push("steps done");
      return name;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    letGo();
    await longOne;
    expect(await steps).toBe("steps");
    expect(order).toEqual(["kysely wrote", "kysely commits", "steps done"]);
    expect(await nameOf(chat)).toBe("steps");
  });

  it("counts a chat's active invites with its access facts, and the insert returns the stored row", async () => {
    const now = Date.now();
    const chat = await fixtures.chat({ owner, visibility: "private" });
    await fixtures.invite(chat, owner);
    await fixtures.invite(chat, owner, { revoked_at: now - 1 });
    await fixtures.invite(chat, owner, { expires_at: now - 1 });
    await fixtures.invite(chat, owner, { expires_at: now + 60_000, max_uses: 2, uses: 1 });

    const found = await writeTransaction(handle.db, chatForNewInvite(chat.id, owner.id, now));
    expect(found.activeInvites).toBe(2);
    expect(found.chat).toMatchObject({ id: chat.id, owner_id: owner.id, visibility: "private", archived: 0, owner_level: 0, is_member: 0 });
    expect(await writeTransaction(handle.db, chatForNewInvite(2_000_000_000, owner.id, now))).toEqual({ chat: undefined, activeInvites: 0 });

    const fields = { code: `steps${now}`, chat_id: chat.id, created_by_id: owner.id, created_at: now, expires_at: null, max_uses: 3 };
    const row = await writeTransaction(handle.db, insertInviteUnlessCodeTaken(fields));
    expect(row).toEqual(await fixtures.inviteRow(fields.code));
    // The same code again: no row, no error (the caller draws another).
    expect(await writeTransaction(handle.db, insertInviteUnlessCodeTaken({ ...fields, created_at: now + 1 }))).toBeUndefined();
  });

  it("createInvite draws another code when the first is taken, and says so in the log", async () => {
    const chat = await fixtures.chat({ owner });
    const taken = await fixtures.invite(chat, owner);
    const drawn = [taken.code, "fresh0code0abcde"];
    const warnings: LogFields[] = [];
    const log = { ...createLogger("silent"), warn: (_msg: string, fields?: LogFields) => void warnings.push(fields ?? {}) };
    const invite = await createInvite({ ...deps, log, newInviteCode: () => drawn.shift()! }, owner, { chat_id: chat.id, max_uses: 5 });
    expect(invite.code).toBe("fresh0code0abcde");
    expect(warnings).toEqual([{ chat_id: chat.id, attempt: 0 }]);
    expect(await fixtures.countActive(chat)).toBe(2);
  });

  it("createInvite still refuses a full or archived chat, and creates nothing", async () => {
    const chat = await fixtures.chat({ owner });
    for (let i = 0; i < 20; i++) await fixtures.invite(chat, owner);
    await expect(createInvite(deps, owner, { chat_id: chat.id })).rejects.toMatchObject({ message: ErrorMessage.inviteLimitReached });
    const archived = await fixtures.chat({ owner, archived: true });
    await expect(createInvite(deps, owner, { chat_id: archived.id })).rejects.toMatchObject({ message: ErrorMessage.chatArchived });
    expect(await fixtures.countActive(chat)).toBe(20);
    expect(await fixtures.countActive(archived)).toBe(0);
  });
});
