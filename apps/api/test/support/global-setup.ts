import pg from "pg";

/**
 * Runs once before the API suite: asks whether PostgreSQL answers, says so in one line when it
 * does not, and hands the answer to every test file (backends.ts) through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  let up: boolean;
  try {
    await client.connect();
    await client.query("select 1");
    up = true;
  } catch {
    up = false;
  } finally {
    await client.end().catch(() => undefined);
  }
  if (!up) {
    if (process.env.CI) throw new Error(`CI needs PostgreSQL at ${url}, and it does not answer`);
    process.stderr.write(`PostgreSQL pass skipped: no server answers at ${url} (set TEST_DATABASE_URL)\n`);
  }
  process.env.PORTAL_TEST_POSTGRES = up ? "up" : "down";
}
