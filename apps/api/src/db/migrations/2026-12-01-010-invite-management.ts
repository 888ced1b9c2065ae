import { PostgresAdapter, sql, type Kysely } from "kysely";

// Frozen in time: this file never imports application code, so it means tomorrow what it means today.

/**
 * Invite management (SPEC section 10): a chat's invites can be paused until a time, and joins can
 * need a manager's approval; pending join requests wait in their own table.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? "bigint" : "integer";

  await db.schema.alterTable("chats").addColumn("invites_paused_until", time).execute();
  await db.schema
    .alterTable("chats")
    .addColumn("join_approval", "integer", (c) => c.notNull().defaultTo(0).check(sql`join_approval in (0, 1)`))
    .execute();

  await db.schema
    .createTable("join_requests")
    .addColumn("chat_id", "integer", (c) => c.notNull().references("chats.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    // No foreign key: an invite purged later leaves a request an approval answers 409 for.
    .addColumn("invite_code", "text", (c) => c.notNull())
    .addColumn("created_at", time, (c) => c.notNull())
    .addPrimaryKeyConstraint("join_requests_pkey", ["chat_id", "user_id"])
    .execute();
  await db.schema.createIndex("join_requests_by_chat").on("join_requests").columns(["chat_id", "created_at", "user_id"]).execute();
  await db.schema.createIndex("join_requests_user_id").on("join_requests").column("user_id").execute();
  // Who joined through an invite: the activity filtered by invite_code.
  await db.schema
    .createIndex("activity_events_by_invite")
    .on("activity_events")
    .columns(["invite_code", "created_at", "id"])
    .where(sql<boolean>`invite_code is not null`)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("activity_events_by_invite").execute();
  await db.schema.dropTable("join_requests").execute();
  await db.schema.alterTable("chats").dropColumn("join_approval").execute();
  await db.schema.alterTable("chats").dropColumn("invites_paused_until").execute();
}
