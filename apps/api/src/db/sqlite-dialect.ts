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

/**
 * Kysely's own SQLite driver starts every transaction with a plain (deferred) `BEGIN` and prepares
 * every statement anew. Under several processes a deferred transaction that reads and then writes
 * fails at once with SQLITE_BUSY, ignoring the busy timeout. This driver starts transactions with
 * `BEGIN IMMEDIATE` (the write lock is taken up front, so the busy timeout applies and a
 * check-then-write is atomic across processes) and keeps prepared statements in a bounded cache.
 */
export class ImmediateSqliteDialect implements Dialect {
  readonly #database: BetterSqlite3.Database;
  readonly #cacheSize: number;
  #driver: ImmediateSqliteDriver | undefined;

  constructor(database: BetterSqlite3.Database, options: { statementCacheSize?: number } = {}) {
    this.#database = database;
    this.#cacheSize = options.statementCacheSize ?? 256;
  }

  createAdapter(): DialectAdapter {
    return new ImmediateSqliteAdapter(() => this.createDriver());
  }

  createDriver(): ImmediateSqliteDriver {
    this.#driver ??= new ImmediateSqliteDriver(this.#database, this.#cacheSize);
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

export class ImmediateSqliteDriver implements Driver {
  readonly #connection: CachedStatementConnection;
  readonly #database: BetterSqlite3.Database;
  /** Whether a query or transaction holds the one connection; who waits for it, in turn. */
  #busy = false;
  readonly #waiting: (() => void)[] = [];
  readonly #executeNow: ExecuteNow;
  readonly #immediate: (body: (execute: ExecuteNow) => unknown, execute: ExecuteNow) => unknown;

  constructor(database: BetterSqlite3.Database, cacheSize: number) {
    this.#database = database;
    this.#connection = new CachedStatementConnection(database, cacheSize);
    this.#executeNow = (sql, parameters) => this.#connection.executeNow(sql, parameters);
    const transaction = database.transaction((body: (execute: ExecuteNow) => unknown, execute: ExecuteNow) => body(execute));
    this.#immediate = transaction.immediate;
  }

  /**
   * Runs `body` in one BEGIN IMMEDIATE transaction without yielding to the event loop between its
   * statements: once the connection is free (after any Kysely transaction that holds it), BEGIN
   * IMMEDIATE, the statements, COMMIT, all synchronous; ROLLBACK when `body` throws. The same
   * atomicity as `db.transaction()` on this driver, without a promise per statement.
   */
  immediateTransaction<T>(body: (execute: ExecuteNow) => T): Promise<T> {
    const turn = this.#take();
    if (turn) return turn.then(() => this.#runImmediate(body));
    // The connection was free: run at once, without a trip through the event loop.
    try {
      return Promise.resolve(this.#runImmediate(body));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  #runImmediate<T>(body: (execute: ExecuteNow) => T): T {
    try {
      const result = this.#immediate(body, this.#executeNow) as T;
      if (result instanceof Promise) throw new Error("immediateTransaction: the body must be synchronous");
      return result;
    } finally {
      this.#give();
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

class CachedStatementConnection implements DatabaseConnection {
  readonly #database: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #cacheSize: number;

  constructor(database: BetterSqlite3.Database, cacheSize: number) {
    this.#database = database;
    this.#cacheSize = cacheSize;
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
    return this.executeNow(compiledQuery.sql, compiledQuery.parameters) as QueryResult<R>;
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
