import { createQueryId, type CompiledQuery, type Compilable, type Kysely, type QueryResult, type RootOperationNode } from "kysely";
import type { DB } from "./schema.js";

/** Stands for the i-th argument while a prepared query is compiled. */
class Placeholder {
  constructor(readonly index: number) {}
}

interface Compiled {
  sql: string;
  query: RootOperationNode;
  /** The compiled parameters; a Placeholder where an argument goes. */
  parameters: readonly unknown[];
}

/** A query compiled once per database; call it to run it, or run it as a step of a use case (`steps.ts`). */
export interface PreparedQuery<A extends unknown[], R> {
  (db: Kysely<DB>, ...args: A): Promise<QueryResult<R>>;
  /** The query compiled for `db`'s dialect with these arguments, for Kysely's executor. */
  bind(db: Kysely<DB>, args: A): CompiledQuery<R>;
  /** Only the SQL and parameters, for a driver that runs it at once (SQLite's synchronous transaction). */
  sqlAndParameters(db: Kysely<DB>, args: A): { sql: string; parameters: unknown[] };
}

/**
 * A query Kysely builds and compiles once per dialect and then only re-binds. Building and
 * compiling cost more than SQLite takes to run the statement (tooling/bench/README.md), and the hot paths
 * run the same few shapes over and over. `build` gets one stand-in per argument and must use each
 * only where a value goes (a `where`/`values`/`set` value; not `sql.lit`, not an `in` list whose
 * length varies), so that the SQL does not depend on the arguments. It may look at `db` (its
 * dialect) to build differently per database: it is compiled once for each.
 */
export function preparedQuery<A extends unknown[], R>(build: (db: Kysely<DB>, ...args: A) => Compilable<R>): PreparedQuery<A, R> {
  // By adapter: a transaction shares its database's, and SQLite and PostgreSQL compile differently.
  const cache = new WeakMap<object, Compiled>();
  const compile = (db: Kysely<DB>, arity: number): Compiled => {
    const marks = Array.from({ length: arity }, (_, i) => new Placeholder(i));
    const { sql, query, parameters } = build(db, ...(marks as unknown as A)).compile();
    for (const mark of marks) {
      if (!parameters.includes(mark)) {
        throw new Error(`prepared query: argument ${mark.index} must appear as a value in: ${sql}`);
      }
    }
    return { sql, query, parameters };
  };
  const compiledFor = (db: Kysely<DB>, arity: number): Compiled => {
    const adapter = db.getExecutor().adapter;
    let compiled = cache.get(adapter);
    if (!compiled) {
      compiled = compile(db, arity);
      cache.set(adapter, compiled);
    }
    return compiled;
  };
  const fill = (compiled: Compiled, args: A) => compiled.parameters.map((p) => (p instanceof Placeholder ? args[p.index] : p));
  const sqlAndParameters = (db: Kysely<DB>, args: A) => {
    const compiled = compiledFor(db, args.length);
    return { sql: compiled.sql, parameters: fill(compiled, args) };
  };
  const bind = (db: Kysely<DB>, args: A): CompiledQuery<R> => {
    const compiled = compiledFor(db, args.length);
    return { sql: compiled.sql, query: compiled.query, parameters: fill(compiled, args), queryId: createQueryId() } as CompiledQuery<R>;
  };
  const run = (db: Kysely<DB>, ...args: A): Promise<QueryResult<R>> => db.executeQuery<R>(bind(db, args));
  return Object.assign(run, { bind, sqlAndParameters });
}
