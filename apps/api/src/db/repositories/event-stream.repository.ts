import { sql } from "kysely";
import { preparedQuery } from "../prepared.js";
import { databaseKind, query as step, type Steps } from "../steps.js";

/**
 * Leases of open event streams (SPEC section 11: at most 10 per user, over every instance). A
 * stream holds a row while it is open; its instance renews the lease of all its rows in one
 * UPDATE, so the streams of an instance that died stop counting when their leases run out.
 */

/**
 * The first key of the per-user advisory lock under which PostgreSQL counts and inserts a user's
 * leases ("PSTR"), so two instances opening the user's 10th and 11th stream at once take turns.
 * On SQLite the write transaction's lock does that already.
 */
const STREAMS_LOCK_CLASS = 0x50535452;

const lockUser = preparedQuery((db, userId: number) =>
  db.selectNoFrom(sql<unknown>`pg_advisory_xact_lock(${sql.lit(STREAMS_LOCK_CLASS)}, cast(${userId} as integer))`.as("locked")),
);

const deleteLapsedOfUser = preparedQuery((db, userId: number, now: number) =>
  db.deleteFrom("event_streams").where("user_id", "=", userId).where("lease_until", "<=", now),
);

const liveCount = preparedQuery((db, userId: number, now: number) =>
  db
    .selectFrom("event_streams")
    .select((eb) => eb.fn.countAll<number>().as("count"))
    .where("user_id", "=", userId)
    .where("lease_until", ">", now),
);

const insertLease = preparedQuery(
  (db, id: string, userId: number, instanceId: string, chatId: number, openedAt: number, leaseUntil: number) =>
    db.insertInto("event_streams").values({ id, user_id: userId, instance_id: instanceId, chat_id: chatId, opened_at: openedAt, lease_until: leaseUntil }),
);

export interface StreamLease {
  id: string;
  userId: number;
  instanceId: string;
  chatId: number;
  openedAt: number;
  leaseUntil: number;
}

/**
 * Takes a lease for a new stream of the user when they hold fewer than `max` live ones; answers
 * whether it did. Run in a write transaction: the count and the insert are one step for every
 * instance (the user's lock on PostgreSQL, the write lock on SQLite). Lapsed leases of the user go.
 */
export function* acquireStreamLease(lease: StreamLease, max: number, now: number): Steps<boolean> {
  if ((yield* databaseKind()) === "postgres") yield* step(lockUser, lease.userId);
  yield* step(deleteLapsedOfUser, lease.userId, now);
  const live = Number((yield* step(liveCount, lease.userId, now)).rows[0]?.count ?? 0);
  if (live >= max) return false;
  yield* step(insertLease, lease.id, lease.userId, lease.instanceId, lease.chatId, lease.openedAt, lease.leaseUntil);
  return true;
}

const deleteLease = preparedQuery((db, id: string) => db.deleteFrom("event_streams").where("id", "=", id));

export function* releaseStreamLease(id: string): Steps<void> {
  yield* step(deleteLease, id);
}

const renewOfInstance = preparedQuery((db, instanceId: string, leaseUntil: number) =>
  db.updateTable("event_streams").set({ lease_until: leaseUntil }).where("instance_id", "=", instanceId),
);

/** Renews every lease of the instance in one statement; how many it holds. */
export function* renewInstanceLeases(instanceId: string, leaseUntil: number): Steps<number> {
  return Number((yield* step(renewOfInstance, instanceId, leaseUntil)).numAffectedRows ?? 0n);
}

const deleteOfInstance = preparedQuery((db, instanceId: string) => db.deleteFrom("event_streams").where("instance_id", "=", instanceId));

/** Drops every lease of the instance (it is shutting down: its streams are closed). */
export function* releaseInstanceLeases(instanceId: string): Steps<void> {
  yield* step(deleteOfInstance, instanceId);
}
