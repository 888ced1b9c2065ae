import type { Compilable, Kysely, QueryResult } from "kysely";
import { isPostgres, type DatabaseKind } from "./database.js";
import type { PreparedQuery } from "./prepared.js";
import type { DB } from "./schema.js";
import { immediateSqliteDriverOf } from "./sqlite-dialect.js";

/** What a use case's steps wait for: a prepared or a dynamic query's result, or which database they run on. */
export type QueryRequest =
  | { readonly query: PreparedQuery<never[], unknown>; readonly args: readonly unknown[] }
  | { readonly query: "dynamic"; readonly build: (db: Kysely<DB>) => Compilable<unknown> }
  | { readonly query: "database kind" };

/**
 * A use case's database work written once as a generator that yields its queries: `yield* query(q, …)`
 * hands back the result. Whoever runs it decides how: `writeTransaction` runs it synchronously
 * inside one BEGIN IMMEDIATE on SQLite, and with Kysely's transaction on PostgreSQL; `readSteps`
 * runs each query on its own. The rules in between stay plain code (they throw `AppError`s as
 * anywhere else), in one place for both. This is the only way services reach the database
 * (docs/decisions/0001-transactions-as-steps.md).
 */
export type Steps<T> = Generator<QueryRequest, T, Answer>;
type Answer = QueryResult<unknown> | DatabaseKind;

/** Runs one prepared query as a step: `const { rows } = yield* query(countActive, chatId, now)`. */
export function* query<A extends unknown[], R>(prepared: PreparedQuery<A, R>, ...args: A): Generator<QueryRequest, QueryResult<R>, Answer> {
  return (yield { query: prepared as unknown as PreparedQuery<never[], unknown>, args }) as QueryResult<R>;
}

/**
 * Runs a query built on the spot against the database (or transaction) the steps run on:
 * `const { rows } = yield* dynamicQuery((db) => db.selectFrom("users").selectAll().where("id", "in", ids))`.
 * For queries off the hot paths, and those whose shape depends on the arguments (an `in` list, an
 * optional filter, the columns an update sets), which a prepared query cannot express. It is built
 * and compiled on every call.
 */
export function* dynamicQuery<R>(build: (db: Kysely<DB>) => Compilable<R>): Generator<QueryRequest, QueryResult<R>, Answer> {
  return (yield { query: "dynamic", build }) as QueryResult<R>;
}

/**
 * Which database the steps run on, for the rare step whose *statements* differ (not just their
 * SQL, which a prepared query already compiles per dialect).
 */
export function* databaseKind(): Generator<QueryRequest, DatabaseKind, Answer> {
  return (yield { query: "database kind" }) as DatabaseKind;
}

/** Drives steps to their end, executing each query with `execute`; a query's error is thrown into the steps. */
function driveNow<T>(steps: Steps<T>, execute: (request: QueryRequest) => Answer): T {
  let next = steps.next();
  while (!next.done) {
    let result: Answer;
    try {
      result = execute(next.value);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

async function driveAsync<T>(steps: Steps<T>, execute: (request: QueryRequest) => Answer | Promise<Answer>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    let result: Answer;
    try {
      result = await execute(next.value);
    } catch (error) {
      next = steps.throw(error);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

/** Runs steps on `db`, a database or a transaction of it, awaiting each query. */
function driveOn<T>(db: Kysely<DB>, steps: Steps<T>): Promise<T> {
  return driveAsync(steps, (request) => {
    if (request.query === "database kind") return isPostgres(db) ? "postgres" : "sqlite";
    if (request.query === "dynamic") return db.executeQuery(request.build(db).compile());
    return db.executeQuery(request.query.bind(db, request.args as never[]));
  });
}

/**
 * Runs a use case that only reads (`readSteps(db, previewSteps(…))`): each query on its own, with
 * no transaction and no write lock. Every use case that writes runs in `writeTransaction` instead.
 */
export function readSteps<T>(db: Kysely<DB>, steps: Steps<T>): Promise<T> {
  return driveOn(db, steps);
}

/**
 * Runs steps (a generator not yet started: `writeTransaction(db, createInviteSteps(…))`) as one
 * write transaction. On SQLite: BEGIN IMMEDIATE, every statement, COMMIT, with
 * no await in between (the write lock is held for microseconds, and no promise is made per
 * statement: tooling/bench/README.md). On PostgreSQL: Kysely's transaction at the default isolation, so the
 * steps take the row locks they need (`FOR NO KEY UPDATE` on the chat). Inside a transaction
 * already (`db.isTransaction`), they join it.
 */
export function writeTransaction<T>(db: Kysely<DB>, steps: Steps<T>): Promise<T> {
  if (db.isTransaction) return driveOn(db, steps);
  const sqlite = immediateSqliteDriverOf(db);
  if (!sqlite) return db.transaction().execute((trx) => driveOn(trx, steps));
  return sqlite.immediateTransaction((execute) =>
    driveNow(steps, (request) => {
      if (request.query === "database kind") return "sqlite";
      if (request.query === "dynamic") {
        const { sql, parameters } = request.build(db).compile();
        return execute(sql, parameters);
      }
      const { sql, parameters } = request.query.sqlAndParameters(db, request.args as never[]);
      return execute(sql, parameters);
    }),
  );
}
