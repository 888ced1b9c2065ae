import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresAdapter, PostgresDialect } from "kysely";
import pg from "pg";
import type { DB } from "./schema.js";
import { ImmediateSqliteDialect } from "./sqlite-dialect.js";

export type DatabaseKind = "sqlite" | "postgres";

export interface Database {
  kind: DatabaseKind;
  db: Kysely<DB>;
  /** The raw SQLite handle, for maintenance the query builder cannot express (integrity checks). */
  sqlite: BetterSqlite3.Database | null;
  close(): Promise<void>;
}

/**
 * SQLite's page cache per connection, in MiB. SQLite's own default is 2 MiB, which a database of
 * some size outgrows at once: the access check of a create reads the chat, its owner and the
 * membership index, and each page missed is a read from the OS (bench/README.md).
 */
export const DEFAULT_SQLITE_CACHE_MB = 64;

export interface OpenDatabaseOptions {
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** SQLite page cache in MiB (default DEFAULT_SQLITE_CACHE_MB). */
  sqliteCacheMb?: number;
  /** PostgreSQL schema to work in (tests give each run its own). */
  schema?: string;
  /** SQLite busy timeout in milliseconds: how long a writer waits for another process's lock. */
  busyTimeoutMs?: number;
  /** Told about errors of idle PostgreSQL connections (a restarted server, say); the pool replaces them. */
  onConnectionError?: (error: Error) => void;
}

export function databaseKindOf(url: string): DatabaseKind {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return "postgres";
  if (url.startsWith("file:")) return "sqlite";
  throw new Error(`unsupported database URL "${url}": use file:<path> for SQLite or postgres://… for PostgreSQL`);
}

/** `file:./data/portal.db` → an absolute path (relative to the working directory). */
export function sqlitePathOf(url: string): string {
  const path = url.slice("file:".length).replace(/^\/\/(?=\/)/, "");
  if (path === "" ) throw new Error("the SQLite URL names no file: use file:./data/portal.db");
  return path === ":memory:" ? path : resolve(path);
}

export function openDatabase(url: string, options: OpenDatabaseOptions = {}): Database {
  return databaseKindOf(url) === "postgres" ? openPostgres(url, options) : openSqlite(url, options);
}

function openSqlite(url: string, options: OpenDatabaseOptions): Database {
  const path = sqlitePathOf(url);
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
  const busyTimeoutMs = options.busyTimeoutMs ?? 15_000;
  const sqlite = new BetterSqlite3(path, { timeout: busyTimeoutMs });
  enableWal(sqlite, busyTimeoutMs);
  // WAL + NORMAL: a commit survives the process being killed; FULL would add an fsync per commit,
  // which only matters for power loss (see README, "What each backend guarantees").
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  // Negative: KiB rather than pages.
  sqlite.pragma(`cache_size = ${-1024 * Math.trunc(options.sqliteCacheMb ?? DEFAULT_SQLITE_CACHE_MB)}`);
  const db = new Kysely<DB>({ dialect: new ImmediateSqliteDialect(sqlite) });
  return {
    kind: "sqlite",
    db,
    sqlite,
    async close() {
      await db.destroy();
    },
  };
}

/**
 * Switches the connection to WAL. On a brand-new file every process that opens it at once tries
 * the switch, which needs the exclusive lock while the others hold a shared one: SQLite answers
 * the losers SQLITE_BUSY ("database is locked") at once, without calling the busy handler, as
 * waiting could deadlock. So wait a little and try again, up to the busy timeout; once one process
 * has switched, the file is in WAL for good and the others find it so.
 */
function enableWal(sqlite: BetterSqlite3.Database, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  for (let delayMs = 2; ; delayMs = Math.min(delayMs * 2, 50)) {
    try {
      sqlite.pragma("journal_mode = WAL");
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== "string" || !code.startsWith("SQLITE_BUSY") || Date.now() >= deadline) throw error;
    }
    // openDatabase is synchronous: a blocking wait, only ever while another process holds the lock.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs + Math.random() * delayMs);
  }
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

function openPostgres(url: string, options: OpenDatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    // Times and counts are BIGINT; all of them fit a double exactly.
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  // Without a listener, an idle connection that the server drops would crash the process.
  pool.on("error", (error) => options.onConnectionError?.(error));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: "postgres",
    db,
    sqlite: null,
    async close() {
      await db.destroy();
    },
  };
}

const postgresFlags = new WeakMap<object, boolean>();

/** Whether a Kysely instance (or a transaction of one) talks to PostgreSQL. */
export function isPostgres(db: Kysely<DB>): boolean {
  const adapter = db.getExecutor().adapter;
  let flag = postgresFlags.get(adapter);
  if (flag === undefined) {
    flag = adapter instanceof PostgresAdapter;
    postgresFlags.set(adapter, flag);
  }
  return flag;
}

/** A unique-constraint violation, on either database. */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== "object" || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "23505";
}
