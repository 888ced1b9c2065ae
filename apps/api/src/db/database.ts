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
 * membership index, and each page missed is a read from the OS (tooling/bench/README.md).
 */
export const DEFAULT_SQLITE_CACHE_MB = 64;

export interface OpenDatabaseOptions {
  /** PostgreSQL pool size. */
  poolSize?: number;
  /** SQLite page cache in MiB (default DEFAULT_SQLITE_CACHE_MB). */
  sqliteCacheMb?: number;
  /** PostgreSQL schema to work in (tests give each run its own). */
  schema?: string;
  /**
   * SQLite: how long a statement waits for another process's lock before it fails with
   * DatabaseBusyError (a 503), in milliseconds (default DEFAULT_DB_BUSY_TIMEOUT_MS). The wait is
   * asynchronous (sqlite-dialect.ts): the event loop goes on serving meanwhile.
   */
  busyTimeoutMs?: number;
  /** How long opening a SQLite file (the switch to WAL) waits for another process's lock, blocking (default 15 s). */
  openTimeoutMs?: number;
  /** Told about errors of PostgreSQL connections, idle or in use (a restarted server, say); the pool replaces them. */
  onConnectionError?: (error: Error) => void;
}

/** How long a SQLite statement waits for another process's lock by default (DB_BUSY_TIMEOUT_MS). */
export const DEFAULT_DB_BUSY_TIMEOUT_MS = 5_000;

/** How long opening a SQLite file (WAL mode and the other pragmas) waits for another process's lock. */
const SQLITE_OPEN_BUSY_TIMEOUT_MS = 15_000;

/**
 * How long a request waits for a PostgreSQL connection (a new one, or its turn in the pool) before
 * it answers 503. A server that refuses connections fails at once; this bounds a host that does
 * not answer at all, and a pool that stays exhausted.
 */
export const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;

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
  // Opening (the pragmas below) may wait for the lock on the thread, as before: nothing is served
  // yet. From then on the dialect waits off the event loop, up to busyTimeoutMs.
  const openTimeoutMs = options.openTimeoutMs ?? SQLITE_OPEN_BUSY_TIMEOUT_MS;
  const sqlite = new BetterSqlite3(path, { timeout: openTimeoutMs });
  enableWal(sqlite, openTimeoutMs);
  // WAL + NORMAL: a commit survives the process being killed; FULL would add an fsync per commit,
  // which only matters for power loss (see README, "What each backend guarantees").
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  // Negative: KiB rather than pages.
  sqlite.pragma(`cache_size = ${-1024 * Math.trunc(options.sqliteCacheMb ?? DEFAULT_SQLITE_CACHE_MB)}`);
  const db = new Kysely<DB>({
    dialect: new ImmediateSqliteDialect(sqlite, { busyTimeoutMs: options.busyTimeoutMs ?? DEFAULT_DB_BUSY_TIMEOUT_MS }),
  });
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
    // Neither a database that is down nor a pool that is exhausted holds a request forever.
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    // A peer that vanished without closing (a failover) is noticed by TCP instead of never.
    keepAlive: true,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    // Times and counts are BIGINT; all of them fit a double exactly.
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? (value: string) => Number(value)
          : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
    },
  });
  guardConnections(pool, options.onConnectionError);
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

/**
 * Keeps a cut PostgreSQL connection from taking the process down and from being used again.
 *
 * pg emits "error" on a client whose connection fails; pg.Pool listens only while the client is
 * idle, so a connection cut while a query ran on it (`pg_terminate_backend`, a failover) was an
 * unhandled "error" event, and the process died. Every client gets a listener of its own when the
 * pool creates it. And a backend that sends a FATAL error (57P01 "terminating connection due to
 * administrator command") is closing the connection: the client is ended at once, so that when
 * Kysely hands it back the pool drops it instead of giving it to the next request. The query that
 * was running fails with that error, which db/availability.ts classifies as a 503.
 */
function guardConnections(pool: pg.Pool, onConnectionError: ((error: Error) => void) | undefined): void {
  // An idle client's error reaches the pool too (which drops that client); the client's own
  // listener below reports it, once.
  pool.on("error", () => undefined);
  pool.on("connect", (client) => {
    let reported = false;
    client.on("error", (error) => {
      if (reported) return;
      reported = true;
      onConnectionError?.(error);
    });
    client.connection.on("errorMessage", (message: { severity?: string }) => {
      if (message.severity === "FATAL" || message.severity === "PANIC") void client.end().catch(() => undefined);
    });
  });
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
