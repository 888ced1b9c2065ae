import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen in time: this file never imports application code, so it means tomorrow what it means today.

/**
 * Live events (SPEC section 11): every change to a chat's invites and joins is a row of
 * `chat_events`, written in the change's own transaction. The id is the event's cursor: on SQLite
 * writers are serialized, so ids are in commit order; on PostgreSQL an event is inserted under a
 * per-chat transaction lock taken last, so within a chat ids are in commit order too.
 *
 * `invites.expiry_recorded` is 1 once `invite.expired` was recorded for the invite: the sweep's
 * conditional update of it makes the event happen once however many instances sweep.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? "bigint" : "integer";

  await db.schema
    .createTable("chat_events")
    .addColumn("id", pg ? "bigint" : "integer", (c) => (pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement()))
    .addColumn("chat_id", "integer", (c) => c.notNull().references("chats.id").onDelete("cascade"))
    .addColumn("type", "text", (c) => c.notNull())
    /** The event's data as JSON text, exactly as it goes on the wire. */
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("created_at", time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("chat_events_by_chat").on("chat_events").columns(["chat_id", "id"]).execute();
  // No index on created_at: the retention purge reads the oldest ids first (housekeeping.repository.ts).

  await db.schema
    .alterTable("invites")
    .addColumn("expiry_recorded", "integer", (c) => c.notNull().defaultTo(0).check(sql`expiry_recorded in (0, 1)`))
    .execute();
  // Invites that expired before events existed expired with nobody to tell: none is announced now.
  await db
    .updateTable("invites")
    .set({ expiry_recorded: 1 })
    .where("expires_at", "is not", null)
    .where("expires_at", "<=", Date.now())
    .execute();
  // The expiry sweep's range: invites with an expiry not yet recorded, soonest first.
  await db.schema
    .createIndex("invites_expiry_pending")
    .on("invites")
    .columns(["expires_at", "id"])
    .where(sql<boolean>`expiry_recorded = 0 and expires_at is not null and revoked_at is null`)
    .execute();

  // Streams open per user, over every instance (at most 10): a lease per open stream, renewed by
  // its instance while the stream lives, so a killed instance's streams stop counting when their
  // leases run out.
  await db.schema
    .createTable("event_streams")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("instance_id", "text", (c) => c.notNull())
    .addColumn("chat_id", "integer", (c) => c.notNull())
    .addColumn("opened_at", time, (c) => c.notNull())
    .addColumn("lease_until", time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("event_streams_by_user").on("event_streams").columns(["user_id", "lease_until"]).execute();
  await db.schema.createIndex("event_streams_by_instance").on("event_streams").column("instance_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable("event_streams").execute();
  await db.schema.dropIndex("invites_expiry_pending").execute();
  await db.schema.alterTable("invites").dropColumn("expiry_recorded").execute();
  await db.schema.dropTable("chat_events").execute();
}
