/**
 * The least work a create can do over HTTP: what the two "floor" servers run. The statements the
 * project runs on SQLite (session lookup; chat access facts with the quota count; insert without
 * RETURNING), as raw better-sqlite3 prepared statements in one `.immediate()` transaction, with no
 * middleware, no validation library and no query builder; the answer is written by the project's
 * own mapper. It only serves the benchmark's owner on chats the owner owns; it is a yardstick, not
 * an implementation.
 */
import { MAX_ACTIVE_INVITES_PER_CHAT } from "@portal/core";
import { openDatabase } from "../db/database.js";
import type { InviteRow } from "../db/schema.js";
import { toInviteDto } from "../services/mappers.js";
import { randomInviteCode, sha256Hex } from "../services/secrets.js";

export type FloorResult = { status: number; body: unknown };

export function floorCreate(path: string) {
  // Opened as the server opens it (WAL, synchronous NORMAL, page cache); only the raw handle is used.
  const sqlite = openDatabase(`file:${path}`).sqlite!;
  const session = sqlite.prepare(
    'select "users".* from "sessions" inner join "users" on "users"."id" = "sessions"."user_id" where "sessions"."token_hash" = ? and "sessions"."expires_at" > ?',
  );
  // The access facts and the quota count in one statement, as the project does on SQLite.
  const chat = sqlite.prepare(
    'select "chats"."owner_id", "owner"."permission_level" as "owner_level", case when exists (select 1 as "one" from "chat_members" where "chat_members"."chat_id" = "chats"."id" and "chat_members"."user_id" = ?) then 1 else 0 end as "is_member", ' +
      '(select count(*) from "invites" where "invites"."chat_id" = "chats"."id" and invites.revoked_at is null and (invites.max_uses is null or invites.uses < invites.max_uses) and ("invites"."expires_at" is null or "invites"."expires_at" > ?)) as "active_invites" ' +
      'from "chats" left join "users" as "owner" on "owner"."id" = "chats"."owner_id" where "chats"."id" = ?',
  );
  // No RETURNING (SQLite buffers it in a temporary table): the row is known but for its id.
  const insert = sqlite.prepare(
    'insert into "invites" ("code", "chat_id", "created_by_id", "created_at", "expires_at", "max_uses", "uses", "revoked_at") values (?, ?, ?, ?, ?, ?, 0, null)',
  );
  const create = sqlite.transaction((userId: number, chatId: number, maxUses: number | null, expiresAt: number | null, now: number): FloorResult => {
    const facts = chat.get(userId, now, chatId) as { owner_id: number | null; active_invites: number } | undefined;
    if (!facts || facts.owner_id !== userId) return { status: 404, body: { error: "Chat not found" } };
    if (facts.active_invites >= MAX_ACTIVE_INVITES_PER_CHAT) return { status: 409, body: { error: "Invite limit reached" } };
    const code = randomInviteCode();
    const { lastInsertRowid } = insert.run(code, chatId, userId, now, expiresAt, maxUses);
    const row: InviteRow = { id: Number(lastInsertRowid), code, chat_id: chatId, created_by_id: userId, created_at: now, expires_at: expiresAt, max_uses: maxUses, uses: 0, revoked_at: null };
    return { status: 201, body: toInviteDto(row) };
  });
  return (cookieHeader: string | undefined, chatId: number, input: { max_uses?: number | null; expires_at?: string | null }): FloorResult => {
    const token = /(?:^|;\s*)psession=([^;]+)/.exec(cookieHeader ?? "")?.[1];
    const now = Date.now();
    const user = token ? (session.get(sha256Hex(token), now) as { id: number } | undefined) : undefined;
    if (!user) return { status: 401, body: { error: "Authentication required" } };
    const expiresAt = input.expires_at ? Math.floor(Date.parse(input.expires_at) / 1000) * 1000 : null;
    return create.immediate(user.id, chatId, input.max_uses ?? null, expiresAt, now);
  };
}
