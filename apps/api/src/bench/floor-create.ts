/**
 * The least work a create can do over HTTP: what the two "floor" servers run. The same SQL as the
 * project's repositories (session lookup, chat access facts, quota count, insert … returning), as
 * raw better-sqlite3 prepared statements in one `.immediate()` transaction, with no middleware,
 * no validation library and no query builder. It only serves the benchmark's owner on chats the
 * owner owns; it is a yardstick, not an implementation.
 */
import BetterSqlite3 from "better-sqlite3";
import { MAX_ACTIVE_INVITES_PER_CHAT } from "@portal/core";
import { toWireTimestamp } from "@portal/contracts";
import { randomInviteCode, sha256Hex } from "../services/secrets.js";

interface InviteRow {
  code: string;
  chat_id: number;
  created_by_id: number | null;
  created_at: number;
  expires_at: number | null;
  uses: number;
  max_uses: number | null;
}

export type FloorResult = { status: number; body: unknown };

export function floorCreate(path: string) {
  const sqlite = new BetterSqlite3(path, { timeout: 15_000 });
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  const session = sqlite.prepare(
    'select "users".* from "sessions" inner join "users" on "users"."id" = "sessions"."user_id" where "sessions"."token_hash" = ? and "sessions"."expires_at" > ?',
  );
  const chat = sqlite.prepare(
    'select "chats".*, "owner"."permission_level" as "owner_level", case when exists (select 1 as "one" from "chat_members" where "chat_members"."chat_id" = "chats"."id" and "chat_members"."user_id" = ?) then 1 else 0 end as "is_member" from "chats" left join "users" as "owner" on "owner"."id" = "chats"."owner_id" where "chats"."id" = ?',
  );
  const count = sqlite
    .prepare(
      'select count(*) as "count" from "invites" where "invites"."chat_id" = ? and (invites.revoked_at is null and (invites.max_uses is null or invites.uses < invites.max_uses) and ("invites"."expires_at" is null or "invites"."expires_at" > ?))',
    )
    .pluck();
  const insert = sqlite.prepare(
    'insert into "invites" ("code", "chat_id", "created_by_id", "created_at", "expires_at", "max_uses", "uses", "revoked_at") values (?, ?, ?, ?, ?, ?, 0, null) on conflict ("code") do nothing returning *',
  );
  const create = sqlite.transaction((userId: number, chatId: number, maxUses: number | null, expiresAt: number | null, now: number): FloorResult => {
    const facts = chat.get(userId, chatId) as { owner_id: number | null } | undefined;
    if (!facts || facts.owner_id !== userId) return { status: 404, body: { error: "Chat not found" } };
    if ((count.get(chatId, now) as number) >= MAX_ACTIVE_INVITES_PER_CHAT) return { status: 409, body: { error: "Invite limit reached" } };
    const row = insert.get(randomInviteCode(), chatId, userId, now, expiresAt, maxUses) as InviteRow;
    return {
      status: 201,
      body: {
        code: row.code,
        chat_id: row.chat_id,
        created_by_id: row.created_by_id,
        created_at: toWireTimestamp(row.created_at),
        expires_at: row.expires_at === null ? null : toWireTimestamp(row.expires_at),
        uses: row.uses,
        max_uses: row.max_uses,
      },
    };
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
