import { createHash } from "node:crypto";
import { sql } from "kysely";
import { isPostgres } from "../database.js";
import { preparedQuery } from "../prepared.js";
import type { IdempotencyKeyRow } from "../schema.js";
import { databaseKind, query as step, type Steps } from "../steps.js";

/**
 * The PostgreSQL advisory lock of one user's key: 64 bits of sha256 over a name of its own, so it
 * cannot meet another use of advisory locks (Kysely's migration lock hashes its own name).
 */
function advisoryLockId(userId: number, key: string): string {
  return createHash("sha256").update(`portal idempotency key\0${userId}\0${key}`).digest().readBigInt64BE(0).toString();
}

const tryAdvisoryLock = preparedQuery((db, lockId: string) =>
  db.selectNoFrom(sql<boolean>`pg_try_advisory_xact_lock(cast(${lockId} as bigint))`.as("locked")),
);

/**
 * Claims a user's key for the rest of the write transaction; false when another transaction, on
 * any instance, holds it (its request is still running). On PostgreSQL a transaction-scoped
 * advisory lock, taken without waiting and released by the commit or the rollback, so a request
 * that fails or a process that dies never leaves a key claimed. On SQLite BEGIN IMMEDIATE holds the
 * database's write lock already: no other write transaction runs at the same time.
 */
export function* claimIdempotencyKey(userId: number, key: string): Steps<boolean> {
  if ((yield* databaseKind()) === "sqlite") return true;
  const { rows } = yield* step(tryAdvisoryLock, advisoryLockId(userId, key));
  return rows[0]?.locked === true;
}

const recordOf = preparedQuery((db, userId: number, key: string) =>
  db.selectFrom("idempotency_keys").selectAll().where("user_id", "=", userId).where("idempotency_key", "=", key),
);

/** The stored answer of a user's key, however old (the caller decides whether it still holds). */
export function* findIdempotencyRecord(userId: number, key: string): Steps<IdempotencyKeyRow | undefined> {
  return (yield* step(recordOf, userId, key)).rows[0];
}

const saveRecord = preparedQuery(
  (db, userId: number, key: string, requestHash: string, outcome: string, response: string, createdAt: number) =>
    db
      .insertInto("idempotency_keys")
      .values({ user_id: userId, idempotency_key: key, request_hash: requestHash, outcome, response, created_at: createdAt })
      .onConflict((oc) =>
        oc.columns(["user_id", "idempotency_key"]).doUpdateSet((eb) => ({
          request_hash: eb.ref("excluded.request_hash"),
          outcome: eb.ref("excluded.outcome"),
          response: eb.ref("excluded.response"),
          created_at: eb.ref("excluded.created_at"),
        })),
      ),
);

/** Stores a key's answer; a row of the same key past its 24 hours is replaced. */
export function* saveIdempotencyRecord(record: IdempotencyKeyRow): Steps<void> {
  yield* step(saveRecord, record.user_id, record.idempotency_key, record.request_hash, record.outcome, record.response, record.created_at);
}

/**
 * Deletes up to `limit` answers of keys first used before `usedBefore`, oldest first; returns how
 * many went. A bounded batch, so that a purge is a row of short write transactions (on PostgreSQL
 * it skips rows another purge is deleting at that moment).
 */
const purgeOlder = preparedQuery((db, usedBefore: number, limit: number) => {
  const batch = db
    .selectFrom("idempotency_keys")
    .select(["idempotency_keys.user_id", "idempotency_keys.idempotency_key"])
    .where("idempotency_keys.created_at", "<", usedBefore)
    .orderBy("idempotency_keys.created_at")
    .limit(limit);
  return db
    .deleteFrom("idempotency_keys")
    .where(sql<boolean>`(idempotency_keys.user_id, idempotency_keys.idempotency_key) in (${isPostgres(db) ? batch.forUpdate().skipLocked() : batch})`);
});

export function* purgeIdempotencyRecords(usedBefore: number, limit: number): Steps<number> {
  return Number((yield* step(purgeOlder, usedBefore, limit)).numAffectedRows ?? 0n);
}
