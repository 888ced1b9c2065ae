import { createQueryId, type Compilable, type Kysely, type QueryResult, type RootOperationNode } from "kysely";
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

/**
 * A query Kysely builds and compiles once per dialect and then only re-binds. Building and
 * compiling cost more than SQLite takes to run the statement (bench/README.md), and the hot paths
 * run the same few shapes over and over. `build` gets one stand-in per argument and must use each
 * only where a value goes (a `where`/`values`/`set` value; not `sql.lit`, not an `in` list whose
 * length varies), so that the SQL does not depend on the arguments.
 */
export function preparedQuery<A extends unknown[], R>(build: (db: Kysely<DB>, ...args: A) => Compilable<R>) {
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
  return (db: Kysely<DB>, ...args: A): Promise<QueryResult<R>> => {
    const adapter = db.getExecutor().adapter;
    let compiled = cache.get(adapter);
    if (!compiled) {
      compiled = compile(db, args.length);
      cache.set(adapter, compiled);
    }
    const parameters = compiled.parameters.map((p) => (p instanceof Placeholder ? args[p.index] : p));
    return db.executeQuery<R>({ sql: compiled.sql, query: compiled.query, parameters, queryId: createQueryId() });
  };
}
