import { isPostgres } from "../database.js";
import { preparedQuery } from "../prepared.js";
import { query as step, type Steps } from "../steps.js";

/*
 * The housekeeping job's purges (SPEC section 11), one bounded batch a call: each deletes at most
 * `limit` rows picked through an index (events: through their primary key), so a batch is a short write transaction of its own and
 * never holds SQLite's write lock for long. On PostgreSQL the batch skips rows another instance's
 * purge is deleting at that moment (`FOR UPDATE SKIP LOCKED`) instead of waiting for them, so
 * purges running at once on several instances neither wait on nor deadlock with each other.
 * (Dead invites are purged by invite.repository's `deleteDeadInvites`, Idempotency-Key answers by
 * idempotency.repository's `purgeIdempotencyRecords`.)
 */

const deleted = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0n);

/*
 * Events are purged from the oldest id on, with no index on `created_at`: every create writes an
 * event, and a second index on the table is one more page in every create's commit (about 7 µs of
 * CPU a create in-process, measured with tooling/bench beside one without). Ids follow the clock
 * (on SQLite writers take turns; on PostgreSQL within milliseconds), so the oldest ids are the
 * oldest events: a batch is the first `limit` ids, of which those past retention go. A batch that
 * deletes fewer than `limit` has reached the retained events, and the purge stops (a row a few
 * milliseconds out of order goes with a later run). Each batch reads at most `limit` rows.
 */
const purgeEvents = preparedQuery((db, createdBefore: number, limit: number) => {
  const oldest = db.selectFrom("chat_events").select("chat_events.id").orderBy("chat_events.id").limit(limit);
  return db
    .deleteFrom("chat_events")
    .where("chat_events.id", "in", isPostgres(db) ? oldest.forUpdate().skipLocked() : oldest)
    .where("chat_events.created_at", "<", createdBefore);
});

/** Deletes, of the `limit` oldest events, those recorded before `createdBefore` (past their retention). */
export function* purgeEventsBefore(createdBefore: number, limit: number): Steps<number> {
  return deleted(yield* step(purgeEvents, createdBefore, limit));
}

const purgeSessions = preparedQuery((db, now: number, limit: number) => {
  const batch = db.selectFrom("sessions").select("sessions.token_hash").where("sessions.expires_at", "<=", now).limit(limit);
  return db.deleteFrom("sessions").where("sessions.token_hash", "in", isPostgres(db) ? batch.forUpdate().skipLocked() : batch);
});

/** Deletes up to `limit` sessions that have expired (a session at its `expires_at` is over). */
export function* purgeExpiredSessions(now: number, limit: number): Steps<number> {
  return deleted(yield* step(purgeSessions, now, limit));
}

const purgeLoginCodes = preparedQuery((db, now: number, limit: number) => {
  const batch = db.selectFrom("login_codes").select("login_codes.code_hash").where("login_codes.expires_at", "<=", now).limit(limit);
  return db.deleteFrom("login_codes").where("login_codes.code_hash", "in", isPostgres(db) ? batch.forUpdate().skipLocked() : batch);
});

/**
 * Deletes up to `limit` login codes past their expiry, used or not (a used one can never be used
 * again, and every code expires ten minutes after it is issued).
 */
export function* purgeExpiredLoginCodes(now: number, limit: number): Steps<number> {
  return deleted(yield* step(purgeLoginCodes, now, limit));
}

const purgeLeases = preparedQuery((db, leaseEndedBefore: number, limit: number) => {
  const batch = db.selectFrom("event_streams").select("event_streams.id").where("event_streams.lease_until", "<", leaseEndedBefore).limit(limit);
  return db.deleteFrom("event_streams").where("event_streams.id", "in", isPostgres(db) ? batch.forUpdate().skipLocked() : batch);
});

/**
 * Deletes up to `limit` event stream leases that ran out before `leaseEndedBefore`: streams of an
 * instance that died without closing them (a live instance renews its leases, and deletes them when
 * its streams close). They stopped counting toward the limit when they ran out; this only tidies.
 */
export function* purgeStaleStreamLeases(leaseEndedBefore: number, limit: number): Steps<number> {
  return deleted(yield* step(purgeLeases, leaseEndedBefore, limit));
}
