import type BetterSqlite3 from "better-sqlite3";
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from "kysely";
import { DatabaseBusyError, isSqliteBusy } from "./availability.js";

/**
 * Kysely's own SQLite driver starts every transaction with a plain (deferred) `BEGIN` and prepares
 * every statement anew. Under several processes a deferred transaction that reads and then writes
 * fails at once with SQLITE_BUSY, ignoring the busy timeout. This driver starts transactions with
 * `BEGIN IMMEDIATE` (the write lock is taken up front, so the busy timeout applies and a
 * check-then-write is atomic across processes) and keeps prepared statements in a bounded cache.
 *
 * It also waits for another process's lock itself, without blocking the event loop. SQLite's own
 * busy handler sleeps on the thread that runs the statement: for the server, every request stood
 * still while one waited (4 s of no `/health` behind a `sqlite3` shell's write). So the driver turns
 * that handler off on its connection (`busy_timeout = 0`), and where SQLITE_BUSY comes back (a
 * BEGIN IMMEDIATE, or a statement outside a transaction) it lets the connection go, sleeps on a
 * timer (1, 2, 4 … 25 ms) and tries again, up to `busyTimeoutMs`; then it fails with
 * DatabaseBusyError (a 503). While the lock is free none of this runs: the first attempt is the
 * same synchronous call as before.
 */
export class ImmediateSqliteDialect implements Dialect {
  readonly #database: BetterSqlite3.Database;
  readonly #cacheSize: number;
  readonly #busyTimeoutMs: number;
  #driver: ImmediateSqliteDriver | undefined;

  constructor(database: BetterSqlite3.Database, options: { statementCacheSize?: number; busyTimeoutMs?: number } = {}) {
    this.#database = database;
    this.#cacheSize = options.statementCacheSize ?? 256;
    this.#busyTimeoutMs = options.busyTimeoutMs ?? 5_000;
  }

  createAdapter(): DialectAdapter {
    return new ImmediateSqliteAdapter(() => this.createDriver());
  }

  createDriver(): ImmediateSqliteDriver {
    this.#driver ??= new ImmediateSqliteDriver(this.#database, this.#cacheSize, this.#busyTimeoutMs);
    return this.#driver;
  }

  createQueryCompiler(): QueryCompiler {
    return new SqliteQueryCompiler();
  }

  createIntrospector(db: Kysely<unknown>): DatabaseIntrospector {
    return new SqliteIntrospector(db);
  }
}

/**
 * SQLite does run DDL inside transactions. Saying so makes Kysely's migrator run in one
 * BEGIN IMMEDIATE transaction, which is what keeps several processes that start together on a
 * new file from migrating it twice (Kysely's SQLite migration lock is a no-op).
 */
class ImmediateSqliteAdapter extends SqliteAdapter {
  constructor(readonly driver: () => ImmediateSqliteDriver) {
    super();
  }

  override get supportsTransactionalDdl(): boolean {
    return true;
  }

  /**
   * Kysely 0.29's SQLite adapter says false, and Kysely then queues every connection request behind
   * a mutex of its own. This driver already hands its one connection out in turn (and
   * `immediateTransaction` takes the same turn), so a second queue in front of it would only add a
   * promise per query.
   */
  override get supportsMultipleConnections(): boolean {
    return true;
  }
}

/** Runs one statement at once, on the connection a synchronous transaction holds. */
export type ExecuteNow = (sql: string, parameters: readonly unknown[]) => QueryResult<unknown>;

/**
 * The driver behind a Kysely instance opened on this dialect, for a transaction that runs its
 * statements synchronously (`steps.ts`); undefined for any other database, and inside a Kysely
 * transaction (which already holds the connection).
 */
export function immediateSqliteDriverOf(db: { readonly isTransaction: boolean; getExecutor(): { readonly adapter: DialectAdapter } }): ImmediateSqliteDriver | undefined {
  if (db.isTransaction) return undefined;
  const adapter = db.getExecutor().adapter;
  return adapter instanceof ImmediateSqliteAdapter ? adapter.driver() : undefined;
}

/** The longest sleep between two tries for another process's lock, in milliseconds. */
const MAX_BUSY_SLEEP_MS = 25;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class ImmediateSqliteDriver implements Driver {
  readonly #connection: CachedStatementConnection;
  readonly #database: BetterSqlite3.Database;
  readonly #busyTimeoutMs: number;
  /** Whether a query or transaction holds the one connection; who waits for it, in turn. */
  #busy = false;
  readonly #waiting: (() => void)[] = [];
  readonly #executeNow: ExecuteNow;
  readonly #immediate: (body: (execute: ExecuteNow) => unknown, execute: ExecuteNow) => unknown;
  /** Set when an immediate transaction's body starts: a failure before it is a BEGIN that found the lock taken. */
  #entered = false;

  constructor(database: BetterSqlite3.Database, cacheSize: number, busyTimeoutMs: number) {
    this.#database = database;
    this.#busyTimeoutMs = busyTimeoutMs;
    // This driver waits for locks itself, off the event loop (see ImmediateSqliteDialect).
    database.pragma("busy_timeout = 0");
    this.#connection = new CachedStatementConnection(database, cacheSize, (error, waited) => this.#waitOutLock(error, waited));
    this.#executeNow = (sql, parameters) => this.#connection.executeNow(sql, parameters);
    const transaction = database.transaction((body: (execute: ExecuteNow) => unknown, execute: ExecuteNow) => {
      this.#entered = true;
      return body(execute);
    });
    this.#immediate = transaction.immediate;
  }

  /**
   * Runs `body` in one BEGIN IMMEDIATE transaction without yielding to the event loop between its
   * statements: once the connection is free (after any Kysely transaction that holds it), BEGIN
   * IMMEDIATE, the statements, COMMIT, all synchronous; ROLLBACK when `body` throws. The same
   * atomicity as `db.transaction()` on this driver, without a promise per statement. When another
   * process holds the write lock, BEGIN is tried again later (the body has not started: it runs
   * once), and the connection serves others meanwhile.
   */
  immediateTransaction<T>(body: (execute: ExecuteNow) => T): Promise<T> {
    const turn = this.#take();
    if (turn) return turn.then(() => this.#runImmediateOrWait(body));
    // The connection was free: run at once, without a trip through the event loop.
    try {
      return Promise.resolve(this.#runImmediate(body));
    } catch (error) {
      if (this.#lockedBeforeBody(error)) return this.#retryImmediate(body, error);
      return Promise.reject(error as Error);
    }
  }

  /** Runs the transaction on a turn taken already; a BEGIN that finds the lock taken waits for it. */
  #runImmediateOrWait<T>(body: (execute: ExecuteNow) => T): T | Promise<T> {
    try {
      return this.#runImmediate(body);
    } catch (error) {
      if (this.#lockedBeforeBody(error)) return this.#retryImmediate(body, error);
      throw error;
    }
  }

  async #retryImmediate<T>(body: (execute: ExecuteNow) => T, error: unknown): Promise<T> {
    let waited = 0;
    for (;;) {
      waited = await this.#sleepFor(error, waited);
      await this.#take();
      try {
        return this.#runImmediate(body);
      } catch (next) {
        if (!this.#lockedBeforeBody(next)) throw next;
        error = next;
      }
    }
  }

  /** Whether `error` came from BEGIN IMMEDIATE finding the write lock taken (the body never ran). */
  #lockedBeforeBody(error: unknown): boolean {
    return !this.#entered && isSqliteBusy(error);
  }

  #runImmediate<T>(body: (execute: ExecuteNow) => T): T {
    this.#entered = false;
    try {
      const result = this.#immediate(body, this.#executeNow) as T;
      if (result instanceof Promise) throw new Error("immediateTransaction: the body must be synchronous");
      return result;
    } finally {
      this.#give();
    }
  }

  /**
   * One sleep of the wait for another process's lock: after `waited` ms of it, sleeps the next step
   * of 1, 2, 4 … 25 ms and resolves with the total, or throws DatabaseBusyError once the bound is
   * reached. The caller holds no turn while it sleeps.
   */
  async #sleepFor(error: unknown, waited: number): Promise<number> {
    const remaining = this.#busyTimeoutMs - waited;
    if (remaining <= 0) throw new DatabaseBusyError(this.#busyTimeoutMs, { cause: error });
    const step = Math.min(remaining, MAX_BUSY_SLEEP_MS, 2 ** Math.min(5, Math.floor(Math.log2(waited + 1))));
    await sleep(step);
    return waited + step;
  }

  /**
   * A statement outside a transaction found the lock taken, on a turn the caller holds: lets the
   * connection go, sleeps, takes it again; resolves with the time waited so far.
   */
  async #waitOutLock(error: unknown, waited: number): Promise<number> {
    this.#give();
    try {
      return await this.#sleepFor(error, waited);
    } finally {
      await this.#take();
    }
  }

  /** Takes the connection: undefined when it was free (taken now), else a promise of its turn. */
  #take(): Promise<void> | undefined {
    if (!this.#busy) {
      this.#busy = true;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  /** Hands the connection to the next in line, or frees it. */
  #give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy = false;
  }

  async init(): Promise<void> {}

  /** One connection, handed out in turn: a transaction owns it until it ends. */
  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#take();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    // Outside a transaction still, so a BEGIN that finds the lock taken waits like any statement.
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("commit"));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // A failed COMMIT (or SQLITE_BUSY on BEGIN) may already have ended the transaction.
    if (this.#database.inTransaction) await connection.executeQuery(CompiledQuery.raw("rollback"));
  }

  async releaseConnection(): Promise<void> {
    this.#give();
  }

  async destroy(): Promise<void> {
    if (this.#database.open) this.#database.close();
  }
}

/**
 * Waits (asynchronously) for another connection's lock after `error` (SQLITE_BUSY), having waited
 * `waited` ms already; resolves with the new total, or rejects when the bound is reached.
 */
type LockWait = (error: unknown, waited: number) => Promise<number>;

class CachedStatementConnection implements DatabaseConnection {
  readonly #database: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #cacheSize: number;
  readonly #waitOutLock: LockWait;

  constructor(database: BetterSqlite3.Database, cacheSize: number, waitOutLock: LockWait) {
    this.#database = database;
    this.#cacheSize = cacheSize;
    this.#waitOutLock = waitOutLock;
  }

  /**
   * The statement for `sql`, prepared once. When the cache is full the oldest entry goes (first in,
   * first out: the hot statements are far fewer than the cache holds, and a hit costs one lookup).
   */
  #prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#database.prepare(sql);
      if (this.#statements.size >= this.#cacheSize) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    try {
      return this.executeNow(compiledQuery.sql, compiledQuery.parameters) as QueryResult<R>;
    } catch (error) {
      // Inside a transaction the statement cannot simply run again later; outside one it can.
      if (!isSqliteBusy(error) || this.#database.inTransaction) throw error;
      return this.#retryWhenUnlocked<R>(compiledQuery, error);
    }
  }

  /** A statement outside a transaction that found the lock taken: tries again until it runs or the bound is reached. */
  async #retryWhenUnlocked<R>(compiledQuery: CompiledQuery, error: unknown): Promise<QueryResult<R>> {
    let waited = 0;
    for (;;) {
      waited = await this.#waitOutLock(error, waited);
      try {
        return this.executeNow(compiledQuery.sql, compiledQuery.parameters) as QueryResult<R>;
      } catch (next) {
        if (!isSqliteBusy(next) || this.#database.inTransaction) throw next;
        error = next;
      }
    }
  }

  executeNow(sql: string, parameters: readonly unknown[]): QueryResult<unknown> {
    const statement = this.#prepare(sql);
    if (statement.reader) return { rows: statement.all(parameters) };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not supported by this SQLite driver");
  }
}
