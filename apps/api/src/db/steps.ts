import type { Kysely, QueryResult } from "kysely";
import { isPostgres, type DatabaseKind } from "./database.js";
import type { PreparedQuery } from "./prepared.js";
import type { DB } from "./schema.js";
import { immediateSqliteDriverOf } from "./sqlite-dialect.js";

/** What a use case's steps wait for: a prepared query's result, or which database they run on. */
export type QueryRequest =
  | { readonly query: PreparedQuery<never[], unknown>; readonly args: readonly unknown[] }
  | { readonly query: "database kind" };

/**
 * A use case's database work written once as a generator that yields its queries: `yield* query(q, …)`
 * hands back the result. Whoever runs it decides how: `writeTransaction` runs it synchronously
 * inside one BEGIN IMMEDIATE on SQLite, and with Kysely's transaction on PostgreSQL. The rules in
 * between stay plain code (they throw `AppError`s as anywhere else), in one place for both.
 */
export type Steps<T> = Generator<QueryRequest, T, Answer>;
type Answer = QueryResult<unknown> | DatabaseKind;

/** Runs one prepared query as a step: `const { rows } = yield* query(countActive, chatId, now)`. */
export function* query<A extends unknown[], R>(prepared: PreparedQuery<A, R>, ...args: A): Generator<QueryRequest, QueryResult<R>, Answer> {
  return (yield { query: prepared as unknown as PreparedQuery<never[], unknown>, args }) as QueryResult<R>;
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

/** Runs steps on `db` (a database or a transaction of it), each query on its own. */
export function runSteps<T>(db: Kysely<DB>, steps: Steps<T>): Promise<T> {
  return driveAsync(steps, (request) => {
    if (request.query === "database kind") return isPostgres(db) ? "postgres" : "sqlite";
    return db.executeQuery(request.query.bind(db, request.args as never[]));
  });
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
  if (db.isTransaction) return runSteps(db, steps);
  const sqlite = immediateSqliteDriverOf(db);
  if (!sqlite) return db.transaction().execute((trx) => runSteps(trx, steps));
  return sqlite.immediateTransaction((execute) =>
    driveNow(steps, (request) => {
      if (request.query === "database kind") return "sqlite";
      const { sql, parameters } = request.query.sqlAndParameters(db, request.args as never[]);
      return execute(sql, parameters);
    }),
  );
}
