/** The admin CLI on PostgreSQL: the same commands, the same output, against a real server. */
import { execFileSync, spawnSync } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, createTestDatabase, type TestDatabase } from "../support/backends.js";
import { CLI_JS } from "../support/processes.js";
import { MIGRATION_NAMES } from "../../src/db/migrate.js";

describe.skipIf(!BACKENDS.includes("postgres"))("portal-admin on PostgreSQL", () => {
  let database: TestDatabase;
  const cli = (...args: string[]) =>
    JSON.parse(
      execFileSync(process.execPath, [CLI_JS, ...args, "--json"], {
        env: { PATH: process.env.PATH ?? "", DATABASE_URL: database.url },
        encoding: "utf8",
      }),
    ) as Record<string, unknown>;

  beforeAll(async () => {
    database = await createTestDatabase("postgres");
  });
  afterAll(async () => {
    await database?.drop();
  });

  it("migrates, creates users and chats, mints sessions and codes, bans, purges", async () => {
    expect(cli("migrate")).toEqual({ migrated: [...MIGRATION_NAMES] });
    expect(cli("migrate")).toEqual({ migrated: [] });
    const alice = cli("user", "create", "--username", "alice", "--level", "admin");
    expect(alice).toMatchObject({ username: "alice", permission_level: 2, state: 0 });
    const bob = cli("user", "create", "--username", "bob");
    const chat = cli("chat", "create", "--name", "Ops", "--visibility", "public", "--owner", "alice");
    expect(chat).toMatchObject({ name: "Ops", visibility: "public", owner_id: alice.id, archived: false });
    expect(cli("session", "create", "--user", "bob")).toMatchObject({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), user_id: bob.id });
    expect(cli("login-code", "--user", "bob")).toMatchObject({ code: expect.stringMatching(/^[A-Za-z0-9]{8}$/) });
    expect(cli("chat", "ban", "--chat", String(chat.id), "--user", "bob", "--reason", "spam")).toMatchObject({
      chat_id: chat.id,
      user_id: bob.id,
      until: null,
      reason: "spam",
    });
    expect(cli("user", "set-level", "--user", "bob", "--level", "mod")).toMatchObject({ permission_level: 1 });
    expect(cli("chat", "archive", "--chat", String(chat.id))).toMatchObject({ archived: true });

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const old = Date.now() - 40 * 86_400_000;
      await client.query(
        "insert into invites (code, chat_id, created_by_id, created_at, expires_at, uses, max_uses, revoked_at) values ($1, $2, $3, $4, null, 0, null, $4), ($5, $2, $3, $4, null, 0, null, null)",
        ["oldrevoked000001", chat.id, alice.id, old, "oldactive0000001"],
      );
      expect(cli("invites", "purge")).toEqual({ purged: 1, idempotency_keys_purged: 0 });
      const left = await client.query("select code from invites");
      expect(left.rows.map((r: { code: string }) => r.code)).toEqual(["oldactive0000001"]);
      const events = await client.query("select action from activity_events where user_id = $1", [bob.id]);
      expect(events.rows).toEqual([{ action: "ban" }]);
    } finally {
      await client.end();
    }
    expect(cli("user", "delete", "--user", "bob")).toEqual({ deleted: bob.id });
    const missing = spawnSync(process.execPath, [CLI_JS, "user", "delete", "--user", "bob", "--json"], {
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: database.url },
      encoding: "utf8",
    });
    expect(missing.status).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toContain("bob");
  });
});
