import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The databases the API suite runs on: always a real SQLite file; PostgreSQL too whenever a server
 * answers at TEST_DATABASE_URL (default: the local one). In CI PostgreSQL is required.
 */
export type BackendName = "sqlite" | "postgres";

export const POSTGRES_ADMIN_URL = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// global-setup.ts asked once for the whole run (and said so when PostgreSQL is down); a file run
// on its own asks here.
const postgresUp =
  process.env.PORTAL_TEST_POSTGRES !== undefined ? process.env.PORTAL_TEST_POSTGRES === "up" : await postgresReachable();
if (!postgresUp && process.env.PORTAL_TEST_POSTGRES === undefined) {
  if (process.env.CI) throw new Error(`CI needs PostgreSQL at ${POSTGRES_ADMIN_URL}, and it does not answer`);
  process.stderr.write(`PostgreSQL pass skipped: no server answers at ${POSTGRES_ADMIN_URL} (set TEST_DATABASE_URL)\n`);
}

export const BACKENDS: BackendName[] = postgresUp ? ["sqlite", "postgres"] : ["sqlite"];

export interface TestDatabase {
  backend: BackendName;
  url: string;
  /** Removes the file or drops the database. */
  drop(): Promise<void>;
}

/** A fresh, empty database: a new SQLite file in a temp folder, or a new PostgreSQL database. */
export async function createTestDatabase(backend: BackendName): Promise<TestDatabase> {
  if (backend === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "portal-test-"));
    return {
      backend,
      url: `file:${join(dir, "portal.db")}`,
      async drop() {
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = `portal_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    backend,
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}
