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

  constructor(database: BetterSqlite3.Database, options: { statementCacheSize?: number } = {}) {
    this.#database = database;
    this.#cacheSize = options.statementCacheSize ?? 256;
  }

  createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }

  createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#database, this.#cacheSize);
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
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDriver implements Driver {
  readonly #connection: CachedStatementConnection;
  readonly #database: BetterSqlite3.Database;
  #queue: Promise<void> = Promise.resolve();

  constructor(database: BetterSqlite3.Database, cacheSize: number) {
    this.#database = database;
    this.#connection = new CachedStatementConnection(database, cacheSize);
  }

  async init(): Promise<void> {}

  /** One connection, handed out in turn: a transaction owns it until it ends. */
  async acquireConnection(): Promise<DatabaseConnection> {
    let release!: () => void;
    const previous = this.#queue;
    this.#queue = new Promise<void>((resolve) => {
      release = resolve;
    });
    await previous;
    this.#connection.release = release;
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
    const release = this.#connection.release;
    this.#connection.release = undefined;
    release?.();
  }

  async destroy(): Promise<void> {
    if (this.#database.open) this.#database.close();
  }
}

class CachedStatementConnection implements DatabaseConnection {
  release: (() => void) | undefined;
  readonly #database: BetterSqlite3.Database;
  readonly #statements = new Map<string, BetterSqlite3.Statement>();
  readonly #cacheSize: number;

  constructor(database: BetterSqlite3.Database, cacheSize: number) {
    this.#database = database;
    this.#cacheSize = cacheSize;
  }

  #prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.#statements.get(sql);
    if (statement) {
      // Refresh its place: the map's order is the eviction order.
      this.#statements.delete(sql);
    } else {
      statement = this.#database.prepare(sql);
      if (this.#statements.size >= this.#cacheSize) {
        const oldest = this.#statements.keys().next().value;
        if (oldest !== undefined) this.#statements.delete(oldest);
      }
    }
    this.#statements.set(sql, statement);
    return statement;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#prepare(compiledQuery.sql);
    const parameters = compiledQuery.parameters as unknown[];
    if (statement.reader) return { rows: statement.all(parameters) as R[] };
    const { changes, lastInsertRowid } = statement.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not supported by this SQLite driver");
  }
}
