import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import type { DB, InviteRow } from "../schema.js";

/**
 * SQL twin of core's `isInviteActive` (not revoked, not expired at `now`, not used up), for the
 * queries that must filter in the database. `invite-active-condition.test.ts` checks that the two
 * agree. The `revoked_at … uses < max_uses` part is written exactly as the predicate of the partial
 * index `invites_live_by_chat`, which lets both databases use that index.
 */
export function activeInvite(now: number) {
  return (eb: ExpressionBuilder<DB, "invites">) =>
    eb.and([
      sql<boolean>`invites.revoked_at is null and (invites.max_uses is null or invites.uses < invites.max_uses)`,
      eb.or([eb("invites.expires_at", "is", null), eb("invites.expires_at", ">", now)]),
    ]);
}

/** The quota count's query, as a builder (tests read its plan). */
export function countActiveInvitesQuery(db: Kysely<DB>, chatId: number, now: number) {
  return db
    .selectFrom("invites")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("invites.chat_id", "=", chatId)
    .where(activeInvite(now));
}

export async function countActiveInvites(db: Kysely<DB>, chatId: number, now: number): Promise<number> {
  const row = await countActiveInvitesQuery(db, chatId, now).executeTakeFirstOrThrow();
  return Number(row.count);
}

export async function countActiveInvitesByChat(
  db: Kysely<DB>,
  chatIds: readonly number[],
  now: number,
): Promise<Map<number, number>> {
  if (chatIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("invites")
    .select(["invites.chat_id", (eb) => eb.fn.countAll<number>().as("count")])
    .where("invites.chat_id", "in", chatIds)
    .where(activeInvite(now))
    .groupBy("invites.chat_id")
    .execute();
  return new Map(rows.map((r) => [r.chat_id, Number(r.count)]));
}

/** Inserts an invite; returns undefined when the code is taken (the caller draws another). */
export async function insertInviteUnlessCodeTaken(
  db: Kysely<DB>,
  invite: Omit<InviteRow, "id" | "uses" | "revoked_at">,
): Promise<InviteRow | undefined> {
  return db
    .insertInto("invites")
    .values({ ...invite, uses: 0, revoked_at: null })
    .onConflict((oc) => oc.column("code").doNothing())
    .returningAll()
    .executeTakeFirst();
}

/** Active invites of a chat, newest first. */
export async function listActiveInvites(db: Kysely<DB>, chatId: number, now: number): Promise<InviteRow[]> {
  return db
    .selectFrom("invites")
    .selectAll()
    .where("invites.chat_id", "=", chatId)
    .where(activeInvite(now))
    .orderBy("invites.created_at", "desc")
    .orderBy("invites.id", "desc")
    .execute();
}

/** Revokes an invite of this chat that is not revoked yet; false when there is none. */
export async function revokeInvite(db: Kysely<DB>, chatId: number, code: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable("invites")
    .set({ revoked_at: now })
    .where("chat_id", "=", chatId)
    .where("code", "=", code)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function findInviteByCode(db: Kysely<DB>, code: string): Promise<InviteRow | undefined> {
  return db.selectFrom("invites").selectAll().where("code", "=", code).executeTakeFirst();
}

/**
 * Counts one use of an invite, only while it is still active: one conditional update, so concurrent
 * joins can never push `uses` past `max_uses` (PostgreSQL re-checks the WHERE on the row version it
 * waited for; SQLite runs it under the write lock). Returns the invite after the update, or
 * undefined when it was no longer active.
 */
export async function consumeInviteUse(db: Kysely<DB>, code: string, now: number): Promise<InviteRow | undefined> {
  return db
    .updateTable("invites")
    .set((eb) => ({ uses: eb("uses", "+", 1) }))
    .where("invites.code", "=", code)
    .where(activeInvite(now))
    .returningAll()
    .executeTakeFirst();
}

/**
 * Deletes invites that are dead now (revoked, expired or used up) and were created before
 * `createdBefore`. Returns how many went.
 */
export async function purgeDeadInvites(db: Kysely<DB>, now: number, createdBefore: number): Promise<number> {
  const result = await db
    .deleteFrom("invites")
    .where("created_at", "<", createdBefore)
    .where((eb) =>
      eb.or([
        eb("revoked_at", "is not", null),
        eb.and([eb("expires_at", "is not", null), eb("expires_at", "<=", now)]),
        eb.and([eb("max_uses", "is not", null), eb("uses", ">=", eb.ref("max_uses"))]),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
