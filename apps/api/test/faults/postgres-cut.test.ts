/**
 * A PostgreSQL connection cut while a query runs on it (`pg_terminate_backend`): the query fails
 * with an error that maps to 503, nothing is thrown at the process (pg emits "error" on the
 * checked-out client; without a listener of its own that was an unhandled "error" event), and the
 * pool never hands the dead connection to the next request. In this process, on the test's own
 * database, with a pool of one connection so that "the next request" has only that one to reuse.
 */
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDatabaseUnavailable } from "../../src/db/availability.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { appErrorOf } from "../../src/services/errors.js";
import { BACKENDS, createTestDatabase, POSTGRES_ADMIN_URL, type TestDatabase } from "../support/backends.js";

const MAX_POLLS = 1_200;

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.skipIf(!BACKENDS.includes("postgres"))("a PostgreSQL connection cut while in use", () => {
  let database: TestDatabase;
  let name: string;
  let admin: pg.Client;
  let handle: Database;
  const reported: Error[] = [];

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
    name = new URL(database.url).pathname.slice(1);
    admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    handle = openDatabase(database.url, { poolSize: 1, onConnectionError: (error) => reported.push(error) });
  });
  afterAll(async () => {
    await handle?.close();
    await admin?.end().catch(() => undefined);
    await database?.drop();
  });

  /** Starts `run` (a query that sleeps in PostgreSQL), cuts its backend once it runs, and returns its failure. */
  async function cutWhileRunning(run: () => Promise<unknown>): Promise<unknown> {
    const outcome = run().then(
      () => new Error("the query was not cut"),
      (error: unknown) => error,
    );
    let cut = 0;
    for (let polls = 0; cut === 0 && polls < MAX_POLLS; polls++) {
      const { rows } = await admin.query(
        "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query like '%pg_sleep%' and state = 'active' and pid <> pg_backend_pid()",
        [name],
      );
      cut = rows.length;
      if (cut === 0) await sleep(25);
    }
    expect(cut).toBe(1);
    return outcome;
  }

  it("fails the query with a 503 error, and the next query gets a new connection", async () => {
    const failure = await cutWhileRunning(() => sql`select pg_sleep(60)`.execute(handle.db));
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect(appErrorOf(failure)?.code).toBe("SERVICE_UNAVAILABLE");
    // The pool's one connection was the cut one: reusing it would fail.
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(rows).toEqual([{ one: 1 }]);
  });

  it("does the same inside a transaction", async () => {
    const failure = await cutWhileRunning(() =>
      handle.db.transaction().execute(async (trx) => {
        await sql`select 1`.execute(trx);
        await sql`select pg_sleep(60)`.execute(trx);
      }),
    );
    expect(isDatabaseUnavailable(failure)).toBe(true);
    const { rows } = await handle.db.transaction().execute((trx) => sql<{ one: number }>`select 1 as one`.execute(trx));
    expect(rows).toEqual([{ one: 1 }]);
  });

  it("drops an idle connection that is cut, and says so once", async () => {
    await sql`select 1`.execute(handle.db);
    const before = reported.length;
    await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()", [name]);
    for (let polls = 0; reported.length === before && polls < MAX_POLLS; polls++) await sleep(25);
    expect(reported.length).toBe(before + 1);
    expect(isDatabaseUnavailable(reported.at(-1))).toBe(true);
    const { rows } = await sql<{ one: number }>`select 1 as one`.execute(handle.db);
    expect(rows).toEqual([{ one: 1 }]);
  });
});
