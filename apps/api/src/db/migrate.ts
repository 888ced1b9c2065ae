import type { Kysely } from "kysely";
import { Migrator, type Migration, type MigrationProvider } from "kysely/migration";
import * as initial from "./migrations/2026-11-28-001-initial.js";
import * as idempotencyKeys from "./migrations/2026-12-01-001-idempotency-keys.js";
import * as inviteManagement from "./migrations/2026-12-01-010-invite-management.js";
import * as chatEvents from "./migrations/2026-12-01-020-chat-events.js";
import * as housekeeping from "./migrations/2026-12-01-030-housekeeping.js";
import type { DB } from "./schema.js";

/** Migrations in order, named with a date prefix; imported statically so the build carries them. */
const migrations: Record<string, Migration> = {
  "2026-11-28-001-initial": initial,
  "2026-12-01-001-idempotency-keys": idempotencyKeys,
  "2026-12-01-010-invite-management": inviteManagement,
  "2026-12-01-020-chat-events": chatEvents,
  "2026-12-01-030-housekeeping": housekeeping,
};

/** The names of every migration, in the order they run. */
export const MIGRATION_NAMES: readonly string[] = Object.keys(migrations);

const provider: MigrationProvider = {
  async getMigrations() {
    return migrations;
  },
};

/** Brings the database to the latest schema; returns the names it applied (none when up to date). */
export async function migrateToLatest(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`migration ${failed ?? "(unknown)"} failed: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
