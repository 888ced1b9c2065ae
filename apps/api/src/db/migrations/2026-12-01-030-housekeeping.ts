import type { Kysely } from "kysely";

// Frozen in time: this file never imports application code, so it means tomorrow what it means today.

/**
 * The housekeeping job (SPEC section 11) purges expired sessions and login codes in small batches,
 * each its own short write transaction: these indexes let a batch find its rows without reading
 * the whole table (on SQLite, under the write lock every other writer waits for).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex("sessions_expires_at").on("sessions").column("expires_at").execute();
  await db.schema.createIndex("login_codes_expires_at").on("login_codes").column("expires_at").execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex("login_codes_expires_at").execute();
  await db.schema.dropIndex("sessions_expires_at").execute();
}
