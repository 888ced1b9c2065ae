import { sql } from "kysely";
import { preparedQuery } from "../prepared.js";
import type { ChatEventRow } from "../schema.js";
import { databaseKind, dynamicQuery, query as step, type Steps } from "../steps.js";

/**
 * The event table (SPEC section 11): `recordEvent` is a step of the change's own write
 * transaction, so an event exists exactly when its change committed; the readers below are how
 * every instance learns of them.
 */

/** The PostgreSQL channel that wakes every instance's listener: the payload is the chat id. */
export const EVENTS_CHANNEL = "portal_chat_events";

/**
 * The first key of the per-chat advisory lock under which PostgreSQL inserts a chat's events
 * ("PEVT"; the two-key form, which never meets the one-key locks of idempotency or Kysely's migrator).
 */
const EVENTS_LOCK_CLASS = 0x50455654;

const lockChatEvents = preparedQuery((db, chatId: number) =>
  db.selectNoFrom(sql<unknown>`pg_advisory_xact_lock(${sql.lit(EVENTS_LOCK_CLASS)}, cast(${chatId} as integer))`.as("locked")),
);

const notifyChat = preparedQuery((db, chatId: number) =>
  db.selectNoFrom(sql<unknown>`pg_notify(${sql.lit(EVENTS_CHANNEL)}, cast(${chatId} as text))`.as("notified")),
);

/** (Exported for the benchmark's floor, which runs the same SQL raw.) */
export const insertEvent = preparedQuery((db, chatId: number, type: string, data: string, createdAt: number) =>
  db.insertInto("chat_events").values({ chat_id: chatId, type, data, created_at: createdAt }),
);

/**
 * Records an event in the running write transaction (services call it typed, as `recordEvent` of
 * `services/events.ts`). Call it as the transaction's last steps
 * (after every row lock the change takes): on PostgreSQL it takes the chat's event lock, held to
 * the commit, so a chat's events get their ids in commit order (a reader that has seen id n never
 * later finds a smaller one of that chat), and with nothing locked after it no two transactions
 * can wait on each other across it. The NOTIFY is sent at the commit, and never on a rollback.
 * On SQLite the transaction holds the database's write lock already: ids are in commit order.
 */
export function* insertChatEvent(chatId: number, type: string, data: unknown, now: number): Steps<void> {
  const postgres = (yield* databaseKind()) === "postgres";
  if (postgres) yield* step(lockChatEvents, chatId);
  yield* step(insertEvent, chatId, type, JSON.stringify(data), now);
  // (One NOTIFY per transaction would do; PostgreSQL folds identical ones of a transaction into one.)
  if (postgres) yield* step(notifyChat, chatId);
}

const eventsOfChatAfter = preparedQuery((db, chatId: number, afterId: number, limit: number) =>
  db.selectFrom("chat_events").selectAll().where("chat_id", "=", chatId).where("id", ">", afterId).orderBy("id").limit(limit),
);

/** A chat's events after `afterId`, oldest first, at most `limit`. */
export function* listChatEventsAfter(chatId: number, afterId: number, limit: number): Steps<ChatEventRow[]> {
  return (yield* step(eventsOfChatAfter, chatId, afterId, limit)).rows;
}

const eventsAfter = preparedQuery((db, afterId: number, limit: number) =>
  db.selectFrom("chat_events").selectAll().where("id", ">", afterId).orderBy("id").limit(limit),
);

/** SQLite: every chat's events after `afterId`, oldest first (ids are in commit order over the whole database). */
export function* listEventsAfter(afterId: number, limit: number): Steps<ChatEventRow[]> {
  return (yield* step(eventsAfter, afterId, limit)).rows;
}

const lastEventOfChat = preparedQuery((db, chatId: number) =>
  db.selectFrom("chat_events").select((eb) => eb.fn.max("id").as("id")).where("chat_id", "=", chatId),
);

/** The id of the chat's newest event, 0 when it has none: where a stream without `Last-Event-ID` starts. */
export function* lastChatEventId(chatId: number): Steps<number> {
  return Number((yield* step(lastEventOfChat, chatId)).rows[0]?.id ?? 0);
}

const lastEvent = preparedQuery((db) => db.selectFrom("chat_events").select((eb) => eb.fn.max("id").as("id")));

/** The id of the newest event of any chat, 0 when there is none. */
export function* lastEventId(): Steps<number> {
  return Number((yield* step(lastEvent)).rows[0]?.id ?? 0);
}

/** The newest event id of each of these chats that has any: the safety poll's one query for every subscribed chat. */
export function* lastEventIdsOfChats(chatIds: readonly number[]): Steps<Map<number, number>> {
  if (chatIds.length === 0) return new Map();
  const { rows } = yield* dynamicQuery((db) =>
    db
      .selectFrom("chat_events")
      .select(["chat_id", (eb) => eb.fn.max("id").as("id")])
      .where("chat_id", "in", chatIds)
      .groupBy("chat_id"),
  );
  return new Map(rows.map((r) => [r.chat_id, Number(r.id)]));
}
