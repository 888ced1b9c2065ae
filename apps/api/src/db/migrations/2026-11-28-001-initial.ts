import { PostgresAdapter, sql, type ColumnDefinitionBuilder, type Kysely } from "kysely";

// Frozen in time: this file never imports application code, so it means tomorrow what it means today.

export async function up(db: Kysely<any>): Promise<void> {
  const pg = db.getExecutor().adapter instanceof PostgresAdapter;
  const time = pg ? "bigint" : "integer";
  const id = (c: ColumnDefinitionBuilder) =>
    pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement();
  const bigId = pg ? "bigint" : "integer";

  await db.schema
    .createTable("users")
    .addColumn("id", "integer", id)
    .addColumn("username", "text", (c) => c.notNull().unique())
    .addColumn("avatar_url", "text")
    .addColumn("permission_level", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("state", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("timeout_until", time)
    .addColumn("created_at", time, (c) => c.notNull())
    .addCheckConstraint("users_permission_level_check", sql`permission_level between 0 and 3`)
    .addCheckConstraint("users_state_check", sql`state between 0 and 2`)
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("token_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", time, (c) => c.notNull())
    .addColumn("expires_at", time, (c) => c.notNull())
    .execute();
  await db.schema.createIndex("sessions_user_id").on("sessions").column("user_id").execute();

  await db.schema
    .createTable("login_codes")
    .addColumn("code_hash", "text", (c) => c.primaryKey())
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("created_at", time, (c) => c.notNull())
    .addColumn("expires_at", time, (c) => c.notNull())
    .addColumn("used_at", time)
    .execute();
  await db.schema.createIndex("login_codes_user_id").on("login_codes").column("user_id").execute();

  await db.schema
    .createTable("chats")
    .addColumn("id", "integer", id)
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("description", "text")
    .addColumn("owner_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("visibility", "text", (c) => c.notNull())
    .addColumn("slug", "text", (c) => c.unique())
    .addColumn("archived", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("created_at", time, (c) => c.notNull())
    .addCheckConstraint("chats_visibility_check", sql`visibility in ('private', 'public', 'official')`)
    .addCheckConstraint("chats_archived_check", sql`archived in (0, 1)`)
    .execute();
  await db.schema.createIndex("chats_owner_id").on("chats").column("owner_id").execute();

  await db.schema
    .createTable("chat_members")
    .addColumn("chat_id", "integer", (c) => c.notNull().references("chats.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("joined_at", time, (c) => c.notNull())
    .addColumn("invite_code", "text")
    .addPrimaryKeyConstraint("chat_members_pkey", ["chat_id", "user_id"])
    .execute();
  await db.schema.createIndex("chat_members_user_id").on("chat_members").column("user_id").execute();

  await db.schema
    .createTable("chat_bans")
    .addColumn("chat_id", "integer", (c) => c.notNull().references("chats.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("until", time)
    .addColumn("reason", "text")
    .addColumn("created_at", time, (c) => c.notNull())
    .addPrimaryKeyConstraint("chat_bans_pkey", ["chat_id", "user_id"])
    .execute();

  await db.schema
    .createTable("invites")
    .addColumn("id", bigId, id)
    .addColumn("code", "text", (c) => c.notNull().unique())
    .addColumn("chat_id", "integer", (c) => c.notNull().references("chats.id").onDelete("cascade"))
    .addColumn("created_by_id", "integer", (c) => c.references("users.id").onDelete("set null"))
    .addColumn("created_at", time, (c) => c.notNull())
    .addColumn("expires_at", time)
    .addColumn("uses", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("max_uses", "integer")
    .addColumn("revoked_at", time)
    .addCheckConstraint("invites_uses_check", sql`uses >= 0`)
    .addCheckConstraint("invites_max_uses_check", sql`max_uses is null or max_uses >= 1`)
    // A backstop only: the conditional update in the join is what keeps uses in bounds.
    .addCheckConstraint("invites_uses_within_max_check", sql`max_uses is null or uses <= max_uses`)
    .execute();
  // Live invites of a chat. Revoked and used-up invites are outside this partial index, so a chat's
  // dead history does not slow the quota count or the list; expired ones are skipped by the range.
  await db.schema
    .createIndex("invites_live_by_chat")
    .on("invites")
    .columns(["chat_id", "expires_at"])
    .where(sql<boolean>`revoked_at is null and (max_uses is null or uses < max_uses)`)
    .execute();
  await db.schema.createIndex("invites_created_by_id").on("invites").column("created_by_id").execute();

  await db.schema
    .createTable("activity_events")
    .addColumn("id", bigId, id)
    .addColumn("chat_id", "integer", (c) => c.notNull().references("chats.id").onDelete("cascade"))
    .addColumn("user_id", "integer", (c) => c.notNull().references("users.id").onDelete("cascade"))
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("method", "text")
    .addColumn("invite_code", "text")
    .addColumn("created_at", time, (c) => c.notNull())
    .addCheckConstraint("activity_events_action_check", sql`action in ('join', 'leave', 'kick', 'ban')`)
    .addCheckConstraint("activity_events_method_check", sql`method is null or method in ('direct', 'vanity', 'invite')`)
    .execute();
  await db.schema
    .createIndex("activity_events_by_chat")
    .on("activity_events")
    .columns(["chat_id", "created_at", "id"])
    .execute();
  await db.schema.createIndex("activity_events_user_id").on("activity_events").column("user_id").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ["activity_events", "invites", "chat_bans", "chat_members", "chats", "login_codes", "sessions", "users"]) {
    await db.schema.dropTable(table).execute();
  }
}
