/**
 * The least work a create can do over HTTP: what the two "floor" servers run. The statements the
 * project runs on SQLite (session lookup; chat access facts with the quota count; insert without
 * RETURNING; the `invite.created` event's insert), as raw better-sqlite3 prepared statements in
 * one `.immediate()` transaction, with no
 * middleware, no validation library and no query builder; the answer is written by the project's
 * own mapper. It only serves the benchmark's owner on chats the owner owns; it is a yardstick, not
 * an implementation.
 */
import { MAX_ACTIVE_INVITES_PER_CHAT } from "@portal/core";
import type BetterSqlite3 from "better-sqlite3";
import {
  chatWithActiveInviteCount,
  createLogger,
  insertEvent,
  insertInvite,
  openDatabase,
  randomInviteCode,
  sha256Hex,
  startWalCheckpointer,
  toInviteDto,
  type Database,
  type InviteRow,
} from "@portal/api/bench-support";

export type FloorResult = { status: number; body: unknown };

/**
 * The create's transaction as raw SQL: the chat's access facts with the quota count, then the
 * insert and its event's insert, in one `.immediate()` transaction (call it as `create.immediate(...)`). The SQL is the
 * project's own, taken from the repository's prepared queries, so the floor can never drift from
 * what the project runs. The in-process bench runs it without HTTP as the floor of `createInvite`.
 */
export function floorCreateTransaction(
  database: Database,
): BetterSqlite3.Transaction<(userId: number, chatId: number, maxUses: number | null, expiresAt: number | null, now: number) => FloorResult> {
  const { db, sqlite } = database;
  if (!sqlite) throw new Error("the floor runs on SQLite only");
  const chat = sqlite.prepare(chatWithActiveInviteCount.sqlAndParameters(db, [0, 0, 0]).sql);
  const insert = sqlite.prepare(insertInvite.sqlAndParameters(db, ["", 0, 0, 0, 0, 0]).sql);
  const event = sqlite.prepare(insertEvent.sqlAndParameters(db, [0, "", "", 0]).sql);
  return sqlite.transaction((userId: number, chatId: number, maxUses: number | null, expiresAt: number | null, now: number): FloorResult => {
    // Bound in the order the project's compiled SQL takes them.
    const facts = chat.get(chatWithActiveInviteCount.sqlAndParameters(db, [chatId, userId, now]).parameters) as
      | { owner_id: number | null; active_invites: number }
      | undefined;
    if (!facts || facts.owner_id !== userId) return { status: 404, body: { error: "Chat not found" } };
    if (facts.active_invites >= MAX_ACTIVE_INVITES_PER_CHAT) return { status: 409, body: { error: "Invite limit reached" } };
    const code = randomInviteCode();
    const { lastInsertRowid } = insert.run(insertInvite.sqlAndParameters(db, [code, chatId, userId, now, expiresAt, maxUses]).parameters);
    const row: InviteRow = { id: Number(lastInsertRowid), code, chat_id: chatId, created_by_id: userId, created_at: now, expires_at: expiresAt, max_uses: maxUses, uses: 0, revoked_at: null, expiry_recorded: 0 };
    const invite = toInviteDto(row);
    // The live event the create records in its transaction (SPEC section 11), as the project writes it.
    event.run(insertEvent.sqlAndParameters(db, [chatId, "invite.created", JSON.stringify(invite), now]).parameters);
    return { status: 201, body: invite };
  });
}

/** The whole create as the floor servers run it: the session lookup, then the transaction. */
export async function floorCreate(path: string) {
  // Opened as the server opens it (WAL, synchronous NORMAL, page cache, checkpoints in a worker
  // thread); only the raw handle is used.
  const database = openDatabase(`file:${path}`);
  const sqlite = database.sqlite!;
  await startWalCheckpointer(sqlite, createLogger("warn"));
  const create = floorCreateTransaction(database);
  const session = sqlite.prepare(
    'select "users".* from "sessions" inner join "users" on "users"."id" = "sessions"."user_id" where "sessions"."token_hash" = ? and "sessions"."expires_at" > ?',
  );
  return (cookieHeader: string | undefined, chatId: number, input: { max_uses?: number | null; expires_at?: string | null }): FloorResult => {
    const token = /(?:^|;\s*)psession=([^;]+)/.exec(cookieHeader ?? "")?.[1];
    const now = Date.now();
    const user = token ? (session.get(sha256Hex(token), now) as { id: number } | undefined) : undefined;
    if (!user) return { status: 401, body: { error: "Authentication required" } };
    const expiresAt = input.expires_at ? Math.floor(Date.parse(input.expires_at) / 1000) * 1000 : null;
    return create.immediate(user.id, chatId, input.max_uses ?? null, expiresAt, now);
  };
}
