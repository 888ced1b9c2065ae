import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import { isPostgres } from "../database.js";
import { preparedQuery } from "../prepared.js";
import type { DB, InviteRow } from "../schema.js";
import { databaseKind, dynamicQuery, query as step, type Steps } from "../steps.js";
import { chatAccessRowBuilder, findChatWithAccessFacts, type ChatAccessRow } from "./chat.repository.js";

/**
 * SQL twin of core's `isInviteActive` (not revoked, not expired at `now`, not used up), for the
 * queries that must filter in the database. `invite.repository.test.ts` checks that the two agree. The `revoked_at … uses < max_uses` part is written exactly as the predicate of the partial
 * index `invites_live_by_chat`, which lets both databases use that index.
 */
export function activeInvite(now: number) {
  return (eb: ExpressionBuilder<DB, "invites">) =>
    eb.and([
      sql<boolean>`invites.revoked_at is null and (invites.max_uses is null or invites.uses < invites.max_uses)`,
      eb.or([eb("invites.expires_at", "is", null), eb("invites.expires_at", ">", now)]),
    ]);
}

/** Not revoked and not used up: the predicate of the partial index `invites_live_by_chat`. */
const live = sql<boolean>`invites.revoked_at is null and (invites.max_uses is null or invites.uses < invites.max_uses)`;

/**
 * A chat's active invites as two ranges of `invites_live_by_chat (chat_id, expires_at)`: those that
 * never expire, and those that expire after `now`. Expired invites are in that index too (they are
 * neither revoked nor used up), and with `expires_at is null or expires_at > now` as one condition
 * both databases read every expired invite of the chat: 1.9 ms instead of 5 µs for a chat with
 * 33,000 expired ones. The two ranges are disjoint, so their sum (and their union) is exact.
 */
function activeInvitesOfChat(db: Kysely<DB>, chatId: number, now: number) {
  const base = db.selectFrom("invites").where("invites.chat_id", "=", chatId).where(live);
  return { neverExpiring: base.where("invites.expires_at", "is", null), expiringLater: base.where("invites.expires_at", ">", now) };
}

/** The number of a chat's active invites, as an expression: the two ranges counted and added. */
function activeInviteCount(db: Kysely<DB>, chatId: number, now: number) {
  const { neverExpiring, expiringLater } = activeInvitesOfChat(db, chatId, now);
  const count = (q: typeof neverExpiring) => q.select((eb) => eb.fn.countAll<number>().as("n"));
  return sql<number>`${count(neverExpiring)} + ${count(expiringLater)}`;
}

/** The quota count's query, as a builder (tests read its plan). */
export function countActiveInvitesQuery(db: Kysely<DB>, chatId: number, now: number) {
  return db.selectNoFrom(activeInviteCount(db, chatId, now).as("count"));
}

const countActive = preparedQuery((db, chatId: number, now: number) => countActiveInvitesQuery(db, chatId, now));

export function* countActiveInvites(chatId: number, now: number): Steps<number> {
  const { rows } = yield* step(countActive, chatId, now);
  return Number(rows[0]?.count ?? 0);
}

export function* countActiveInvitesByChat(chatIds: readonly number[], now: number): Steps<Map<number, number>> {
  if (chatIds.length === 0) return new Map();
  const { rows } = yield* dynamicQuery((db) =>
    db
      .selectFrom("invites")
      .select(["invites.chat_id", (eb) => eb.fn.countAll<number>().as("count")])
      .where("invites.chat_id", "in", chatIds)
      .where(activeInvite(now))
      .groupBy("invites.chat_id"),
  );
  return new Map(rows.map((r) => [r.chat_id, Number(r.count)]));
}

/**
 * SQLite only: what the permission rules need of the chat and its active invites counted, in one
 * statement. (Exported for the benchmark's floor, which runs the same SQL raw.)
 */
export const chatWithActiveInviteCount = preparedQuery((db, chatId: number, userId: number, now: number) =>
  chatAccessRowBuilder(db, chatId, userId).select(activeInviteCount(db, chatId, now).as("active_invites")),
);

/**
 * The chat a new invite is for, with its access facts, and how many active invites it has, for a
 * write transaction's quota check. On PostgreSQL the chat row is locked first and the count
 * follows as its own statement: counted in the locking statement, it would see the snapshot taken
 * before the lock was granted (READ COMMITTED). On SQLite, BEGIN IMMEDIATE already holds the write
 * lock, so one statement does both.
 */
export function* chatForNewInvite(
  chatId: number,
  userId: number,
  now: number,
): Steps<{ chat: ChatAccessRow | undefined; activeInvites: number }> {
  if ((yield* databaseKind()) === "sqlite") {
    const row = (yield* step(chatWithActiveInviteCount, chatId, userId, now)).rows[0];
    // (The row keeps its `active_invites` column: one copy fewer on the hot path.)
    return { chat: row, activeInvites: Number(row?.active_invites ?? 0) };
  }
  const chat = yield* findChatWithAccessFacts(chatId, userId, { lock: true });
  return { chat, activeInvites: chat ? yield* countActiveInvites(chatId, now) : 0 };
}

/**
 * The insert of a new invite, unless its code is taken. On SQLite without RETURNING (which makes
 * SQLite buffer the row in a temporary table: a tenth of a create's time); the new id is the
 * statement's last insert rowid. PostgreSQL returns the id. (Exported for the benchmark's floor.)
 */
export const insertInvite = preparedQuery(
  (db, code: string, chatId: number, createdById: number | null, createdAt: number, expiresAt: number | null, maxUses: number | null) => {
    const insert = db
      .insertInto("invites")
      .values({ code, chat_id: chatId, created_by_id: createdById, created_at: createdAt, expires_at: expiresAt, max_uses: maxUses, uses: 0, revoked_at: null })
      .onConflict((oc) => oc.column("code").doNothing());
    return isPostgres(db) ? insert.returning("id") : insert;
  },
);

type NewInvite = Omit<InviteRow, "id" | "uses" | "revoked_at" | "expiry_recorded">;

/** Inserts an invite; returns undefined when the code is taken (the caller draws another). */
export function* insertInviteUnlessCodeTaken(invite: NewInvite): Steps<InviteRow | undefined> {
  const result = yield* step(insertInvite, invite.code, invite.chat_id, invite.created_by_id, invite.created_at, invite.expires_at, invite.max_uses);
  const returned = result.rows[0] as { id: number } | undefined;
  const id = returned ? returned.id : result.numAffectedRows ? Number(result.insertId) : undefined;
  return id === undefined ? undefined : { id, ...invite, uses: 0, revoked_at: null, expiry_recorded: 0 };
}

const listActive = preparedQuery((db, chatId: number, now: number) => {
  const { neverExpiring, expiringLater } = activeInvitesOfChat(db, chatId, now);
  return neverExpiring.selectAll().unionAll(expiringLater.selectAll()).orderBy("created_at", "desc").orderBy("id", "desc");
});

/** Active invites of a chat, newest first. */
export function* listActiveInvites(chatId: number, now: number): Steps<InviteRow[]> {
  return (yield* step(listActive, chatId, now)).rows;
}

/** Revokes an invite of this chat that is not revoked yet; false when there is none. */
const revoke = preparedQuery((db, chatId: number, code: string, now: number) =>
  db.updateTable("invites").set({ revoked_at: now }).where("chat_id", "=", chatId).where("code", "=", code).where("revoked_at", "is", null),
);

export function* revokeInvite(chatId: number, code: string, now: number): Steps<boolean> {
  return ((yield* step(revoke, chatId, code, now)).numAffectedRows ?? 0n) > 0n;
}

const inviteByCode = preparedQuery((db, code: string) => db.selectFrom("invites").selectAll().where("code", "=", code));

export function* findInviteByCode(code: string): Steps<InviteRow | undefined> {
  return (yield* step(inviteByCode, code)).rows[0];
}

/**
 * Counts one use of an invite, only while it is still active: one conditional update, so concurrent
 * joins can never push `uses` past `max_uses` (PostgreSQL re-checks the WHERE on the row version it
 * waited for; SQLite runs it under the write lock). Returns the invite after the update, or
 * undefined when it was no longer active.
 */
const consumeUse = preparedQuery((db, code: string, now: number) =>
  db
    .updateTable("invites")
    .set((eb) => ({ uses: eb("uses", "+", 1) }))
    .where("invites.code", "=", code)
    .where(activeInvite(now))
    .returningAll(),
);

export function* consumeInviteUse(code: string, now: number): Steps<InviteRow | undefined> {
  return (yield* step(consumeUse, code, now)).rows[0];
}

/**
 * When an invite counts as dead, for the purges (the housekeeping job and `portal-admin invites
 * purge`): created before `createdBefore`, and dead by `deadBy` in one of three ways:
 * - revoked at or before `deadBy`;
 * - expired at or before `deadBy`;
 * - used up, with nobody joining through it after `deadBy` (when the last use was taken is not
 *   stored: the last join through it is when it got used up, unless an edit lowered `max_uses`
 *   onto its uses later, which then counts from the last join too).
 * The housekeeping job passes `now - 30 days` for both ("dead for 30 days"); the CLI passes `now`
 * and `now - N days` ("dead now, created over N days ago").
 */
function deadInvite(deadBy: number, createdBefore: number) {
  return (eb: ExpressionBuilder<DB, "invites">) =>
    eb.and([
      eb("invites.created_at", "<", createdBefore),
      eb.or([
        eb.and([eb("invites.revoked_at", "is not", null), eb("invites.revoked_at", "<=", deadBy)]),
        eb.and([eb("invites.expires_at", "is not", null), eb("invites.expires_at", "<=", deadBy)]),
        eb.and([
          eb("invites.max_uses", "is not", null),
          eb("invites.uses", ">=", eb.ref("invites.max_uses")),
          eb.not(
            eb.exists(
              eb
                .selectFrom("activity_events")
                .select("activity_events.id")
                .whereRef("activity_events.invite_code", "=", "invites.code")
                .where("activity_events.created_at", ">", deadBy),
            ),
          ),
        ]),
      ]),
    ]);
}

/** Which invites a purge deletes: `deadInvite`'s cutoffs. */
export interface DeadInviteCutoffs {
  deadBy: number;
  createdBefore: number;
}

const deadAfter = preparedQuery((db, afterId: number, deadBy: number, createdBefore: number, limit: number) =>
  db.selectFrom("invites").select("invites.id").where("invites.id", ">", afterId).where(deadInvite(deadBy, createdBefore)).orderBy("invites.id").limit(limit),
);

/**
 * The ids of up to `limit` dead invites after `afterId`, in id order: the read half of a purge
 * batch. It reads outside any write transaction (the invites table has no index for the dead ones,
 * and a scan under SQLite's write lock would hold every writer back), so the delete re-checks.
 */
export function* findDeadInviteIds(cutoffs: DeadInviteCutoffs, afterId: number, limit: number): Steps<number[]> {
  const { rows } = yield* step(deadAfter, afterId, cutoffs.deadBy, cutoffs.createdBefore, limit);
  return rows.map((row) => Number(row.id));
}

/**
 * Deletes those of `ids` that are still dead (an edit may have revived an expired or used-up one
 * since the read); returns how many went. On PostgreSQL rows another purge is deleting at the
 * same moment are skipped, not waited for.
 */
export function* deleteDeadInvites(ids: readonly number[], cutoffs: DeadInviteCutoffs): Steps<number> {
  if (ids.length === 0) return 0;
  const postgres = (yield* databaseKind()) === "postgres";
  const { numAffectedRows } = yield* dynamicQuery((db) => {
    const dead = db.selectFrom("invites").select("invites.id").where("invites.id", "in", ids).where(deadInvite(cutoffs.deadBy, cutoffs.createdBefore));
    return db.deleteFrom("invites").where("invites.id", "in", postgres ? dead.forUpdate().skipLocked() : dead);
  });
  return Number(numAffectedRows ?? 0n);
}

const inviteOfChat = preparedQuery((db, chatId: number, code: string) =>
  db.selectFrom("invites").selectAll().where("chat_id", "=", chatId).where("code", "=", code).where("revoked_at", "is", null),
);

/** An invite of this chat that is not revoked (expired and used-up ones included: they can be edited). */
export function* findUnrevokedInviteOfChat(chatId: number, code: string): Steps<InviteRow | undefined> {
  return (yield* step(inviteOfChat, chatId, code)).rows[0];
}

/**
 * Sets an invite's `max_uses` and `expires_at`, only while it is not revoked and its uses are at
 * most the new `max_uses`: the bound is part of the UPDATE itself, so a join landing between the
 * edit's read and its write cannot leave `uses > max_uses` (PostgreSQL re-checks the WHERE on the
 * row version it waited for; SQLite runs it under the write lock). Returns the invite after the
 * update, or undefined when the condition failed.
 *
 * An expiry moved into the future (or removed) is an expiry still to come: `expiry_recorded` goes
 * back to 0, so the sweep tells of it when it passes. An expiry left in the past keeps the column
 * as it is in the row (never a value read earlier: the sweep may have set it since).
 */
const updateLimits = preparedQuery((db, chatId: number, code: string, maxUses: number | null, expiresAt: number | null, expiryAhead: number) =>
  db
    .updateTable("invites")
    .set({
      max_uses: maxUses,
      expires_at: expiresAt,
      expiry_recorded: sql<number>`case when cast(${expiryAhead} as integer) = 1 then 0 else invites.expiry_recorded end`,
    })
    .where("invites.chat_id", "=", chatId)
    .where("invites.code", "=", code)
    .where("invites.revoked_at", "is", null)
    .where(sql<boolean>`(cast(${maxUses} as integer) is null or invites.uses <= cast(${maxUses} as integer))`)
    .returningAll(),
);

export function* updateInviteLimits(
  chatId: number,
  code: string,
  maxUses: number | null,
  expiresAt: number | null,
  now: number,
): Steps<InviteRow | undefined> {
  const expiryAhead = expiresAt === null || expiresAt > now ? 1 : 0;
  return (yield* step(updateLimits, chatId, code, maxUses, expiresAt, expiryAhead)).rows[0];
}

/** Revokes every active invite of the chat; returns their codes. */
const revokeActive = preparedQuery((db, chatId: number, now: number) =>
  db.updateTable("invites").set({ revoked_at: now }).where("invites.chat_id", "=", chatId).where(activeInvite(now)).returning("invites.code"),
);

export function* revokeActiveInvites(chatId: number, now: number): Steps<string[]> {
  return (yield* step(revokeActive, chatId, now)).rows.map((row) => row.code);
}

/**
 * Invites whose expiry has passed and was not told yet: the range of the partial index
 * `invites_expiry_pending`, soonest first. The first three conditions are written as that index's
 * predicate, so both databases use it. Used-up ones are among them (the sweep marks them without
 * an event: `invite.used_up` told of their end). As a builder: tests read its plan.
 */
export function expiryPendingQuery(db: Kysely<DB>, now: number, limit: number) {
  return db
    .selectFrom("invites")
    .select("invites.id")
    .where(sql<boolean>`expiry_recorded = 0 and expires_at is not null and revoked_at is null`)
    .where("invites.expires_at", "<=", now)
    .orderBy("invites.expires_at")
    .orderBy("invites.id")
    .limit(limit);
}

const expiryPending = preparedQuery((db, now: number, limit: number) => expiryPendingQuery(db, now, limit));

export function* listExpiryPending(now: number, limit: number): Steps<number[]> {
  return (yield* step(expiryPending, now, limit)).rows.map((row) => Number(row.id));
}

/**
 * Marks an invite's passed expiry as told, once: a single conditional update that changes the
 * row only while `expiry_recorded` is 0 and the expiry is still past and the invite not revoked
 * (an edit may have moved it, a revoke may have come first). Of any number of sweeps, on any
 * instance, exactly one gets the row back (PostgreSQL re-checks the WHERE on the row version it
 * waited for; SQLite runs it under the write lock); the others get undefined.
 */
const markExpiry = preparedQuery((db, id: number, now: number) =>
  db
    .updateTable("invites")
    .set({ expiry_recorded: 1 })
    .where("invites.id", "=", id)
    .where("invites.expiry_recorded", "=", 0)
    .where("invites.revoked_at", "is", null)
    .where("invites.expires_at", "<=", now)
    .returning(["invites.chat_id", "invites.code", "invites.uses", "invites.max_uses"]),
);

export function* markExpiryRecorded(
  id: number,
  now: number,
): Steps<Pick<InviteRow, "chat_id" | "code" | "uses" | "max_uses"> | undefined> {
  return (yield* step(markExpiry, id, now)).rows[0];
}
