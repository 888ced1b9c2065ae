import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MIGRATION_NAMES } from "../../src/db/migrate.js";

/*
 * The built CLI, run as the operator runs it: a real child process on a real SQLite file.
 * Build first: `npx tsc -p tsconfig.build.json`.
 */

const CLI = fileURLToPath(new URL("../../dist/cli/portal-admin.js", import.meta.url));
const DAY = 86_400_000;
const WIRE_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const USER_KEYS = ["avatar_url", "created_at", "id", "permission_level", "state", "timeout_until", "username"];
const CHAT_KEYS = ["archived", "created_at", "description", "id", "name", "owner_id", "slug", "visibility"];
const FUTURE = "2099-01-01T00:00:00Z";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let dbPath: string;

function cli(args: string[], databaseUrl = `file:${dbPath}`): Run {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    // Only what the CLI needs: the test runner's own variables must not change its behaviour.
    env: { PATH: process.env.PATH ?? "", DATABASE_URL: databaseUrl },
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command with --json; it must succeed and print exactly one JSON object. */
function json(...args: string[]): Record<string, unknown> {
  const run = cli([...args, "--json"]);
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  const lines = run.stdout.split("\n").filter((line) => line !== "");
  expect(lines).toHaveLength(1);
  const value: unknown = JSON.parse(lines[0] ?? "");
  expect(typeof value === "object" && value !== null && !Array.isArray(value)).toBe(true);
  return value as Record<string, unknown>;
}

/** Runs a command that must fail: exit 1, one line on stderr (no stack trace), nothing on stdout. */
function fails(args: string[], databaseUrl?: string): string {
  const run = cli([...args, "--json"], databaseUrl);
  expect(run.status).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr).toMatch(/^portal-admin: .+\n$/);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  return run.stderr;
}

function readDb<T>(query: (db: BetterSqlite3.Database) => T): T {
  const db = new BetterSqlite3(dbPath, { readonly: true, fileMustExist: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

function writeDb(change: (db: BetterSqlite3.Database) => void): void {
  const db = new BetterSqlite3(dbPath, { fileMustExist: true });
  try {
    change(db);
  } finally {
    db.close();
  }
}

function count(table: string, where = "1 = 1", ...params: unknown[]): number {
  return readDb((db) => (db.prepare(`select count(*) as n from ${table} where ${where}`).get(...params) as { n: number }).n);
}

/** Epoch milliseconds of a wire timestamp, expected near `expected` (allowing for process start-up). */
function expectNear(wire: unknown, expected: number): void {
  expect(wire).toMatch(WIRE_TIMESTAMP);
  expect(Math.abs(Date.parse(wire as string) - expected)).toBeLessThan(60_000);
}

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build the api first (npx tsc -p tsconfig.build.json)`);
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "portal-admin-"));
  dbPath = join(dir, "cli.db");
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

// Each test runs the CLI as a child process several times; on a loaded machine one run takes seconds.
describe("portal-admin", { timeout: 300_000 }, () => {
  it("migrate applies the migrations once, then has nothing left to apply", () => {
    expect(json("migrate")).toEqual({ migrated: [...MIGRATION_NAMES] });
    expect(json("migrate")).toEqual({ migrated: [] });
    expect(count("users")).toBe(0);
  });

  it("every other command brings a new database to the latest schema first", () => {
    expect(json("invites", "purge")).toEqual({ purged: 0, idempotency_keys_purged: 0 });
    expect(json("migrate")).toEqual({ migrated: [] });
  });

  it("user create prints the user, with level user by default", () => {
    const alice = json("user", "create", "--username", "alice", "--level", "admin");
    expect(Object.keys(alice).sort()).toEqual(USER_KEYS);
    expect(alice).toMatchObject({ id: 1, username: "alice", avatar_url: null, permission_level: 2, state: 0, timeout_until: null });
    expectNear(alice.created_at, Date.now());

    const bob = json("user", "create", "--username", "bob.b_-1");
    expect(bob).toMatchObject({ id: 2, username: "bob.b_-1", permission_level: 0, state: 0 });
    expect(json("user", "create", "--username", "mod1", "--level", "mod").permission_level).toBe(1);
    expect(json("user", "create", "--username", "root", "--level", "owner").permission_level).toBe(3);
    expect(readDb((db) => db.prepare("select username, permission_level from users order by id").all())).toEqual([
      { username: "alice", permission_level: 2 },
      { username: "bob.b_-1", permission_level: 0 },
      { username: "mod1", permission_level: 1 },
      { username: "root", permission_level: 3 },
    ]);
  });

  it("without --json, prints a short line for a person", () => {
    const run = cli(["user", "create", "--username", "alice", "--level", "admin"]);
    expect(run).toEqual({ status: 0, stdout: "created user alice (id 1, level admin)\n", stderr: "" });
  });

  it("user set-level changes the level and ends that user's sessions, and only theirs", () => {
    json("user", "create", "--username", "alice", "--level", "admin");
    const bob = json("user", "create", "--username", "bob");
    json("session", "create", "--user", "bob");
    json("session", "create", "--user", "bob");
    json("session", "create", "--user", "alice");
    expect(count("sessions", "user_id = ?", bob.id)).toBe(2);

    const promoted = json("user", "set-level", "--user", "bob", "--level", "mod");
    expect(Object.keys(promoted).sort()).toEqual(USER_KEYS);
    expect(promoted).toMatchObject({ id: bob.id, username: "bob", permission_level: 1 });
    expect(count("sessions", "user_id = ?", bob.id)).toBe(0);
    expect(count("sessions")).toBe(1);

    // --user also takes the numeric id.
    expect(json("user", "set-level", "--user", String(bob.id), "--level", "admin").permission_level).toBe(2);
    expect(readDb((db) => db.prepare("select permission_level from users where id = ?").get(bob.id))).toEqual({ permission_level: 2 });
  });

  it("user set-level to the level the user already has keeps their sessions", () => {
    json("user", "create", "--username", "bob", "--level", "mod");
    json("session", "create", "--user", "bob");
    expect(json("user", "set-level", "--user", "bob", "--level", "mod").permission_level).toBe(1);
    expect(count("sessions")).toBe(1);
  });

  it("user set-state sets timeout with --until, banned, and active clears the timeout", () => {
    const bob = json("user", "create", "--username", "bob");
    const timedOut = json("user", "set-state", "--user", "bob", "--state", "timeout", "--until", "2099-03-16T14:00:00+02:00");
    expect(Object.keys(timedOut).sort()).toEqual(USER_KEYS);
    expect(timedOut).toMatchObject({ id: bob.id, state: 1, timeout_until: "2099-03-16T12:00:00Z" });
    expect(readDb((db) => db.prepare("select state, timeout_until from users where id = ?").get(bob.id))).toEqual({
      state: 1,
      timeout_until: Date.parse("2099-03-16T12:00:00Z"),
    });

    expect(json("user", "set-state", "--user", "bob", "--state", "active")).toMatchObject({ state: 0, timeout_until: null });
    expect(json("user", "set-state", "--user", "bob", "--state", "banned")).toMatchObject({ state: 2, timeout_until: null });
    expect(readDb((db) => db.prepare("select state, timeout_until from users where id = ?").get(bob.id))).toEqual({
      state: 2,
      timeout_until: null,
    });
  });

  it("user delete removes the user and prints its id", () => {
    json("user", "create", "--username", "alice");
    const bob = json("user", "create", "--username", "bob");
    expect(json("user", "delete", "--user", "bob")).toEqual({ deleted: bob.id });
    expect(count("users")).toBe(1);
    expect(fails(["user", "delete", "--user", "bob"])).toContain("No user named 'bob'");
  });

  it("chat create prints the chat, with an owner, description and slug or without", () => {
    const alice = json("user", "create", "--username", "alice");
    const chat = json(
      "chat", "create", "--name", "Team room", "--visibility", "public",
      "--owner", "alice", "--description", "Where the team talks", "--slug", "team-room",
    );
    expect(Object.keys(chat).sort()).toEqual(CHAT_KEYS);
    expect(chat).toMatchObject({
      id: 1,
      name: "Team room",
      description: "Where the team talks",
      visibility: "public",
      owner_id: alice.id,
      slug: "team-room",
      archived: false,
    });
    expectNear(chat.created_at, Date.now());

    expect(json("chat", "create", "--name", "News", "--visibility", "official")).toMatchObject({
      id: 2,
      visibility: "official",
      owner_id: null,
      description: null,
      slug: null,
      archived: false,
    });
    expect(json("chat", "create", "--name", "xy", "--visibility", "private", "--owner", String(alice.id)).owner_id).toBe(alice.id);
    expect(readDb((db) => db.prepare("select name, visibility, owner_id, archived from chats order by id").all())).toEqual([
      { name: "Team room", visibility: "public", owner_id: alice.id, archived: 0 },
      { name: "News", visibility: "official", owner_id: null, archived: 0 },
      { name: "xy", visibility: "private", owner_id: alice.id, archived: 0 },
    ]);
    expect(fails(["chat", "create", "--name", "Other", "--visibility", "public", "--slug", "team-room"])).toContain(
      "slug 'team-room' is already used",
    );
  });

  it("chat archive marks the chat archived", () => {
    json("chat", "create", "--name", "Old times", "--visibility", "public");
    const chat = json("chat", "archive", "--chat", "1");
    expect(Object.keys(chat).sort()).toEqual(CHAT_KEYS);
    expect(chat).toMatchObject({ id: 1, name: "Old times", archived: true });
    expect(count("chats", "archived = 1")).toBe(1);
  });

  it("chat ban writes the ban, removes the membership and records a ban event", () => {
    const alice = json("user", "create", "--username", "alice");
    const bob = json("user", "create", "--username", "bob");
    const carol = json("user", "create", "--username", "carol");
    json("chat", "create", "--name", "General", "--visibility", "public", "--owner", "alice");
    writeDb((db) => {
      const join = db.prepare("insert into chat_members (chat_id, user_id, joined_at, invite_code) values (1, ?, ?, ?)");
      join.run(bob.id, Date.now(), "abc123def456ghi7");
      join.run(carol.id, Date.now(), null);
    });

    const ban = json("chat", "ban", "--chat", "1", "--user", "bob", "--until", "2099-01-01T00:00:00Z", "--reason", "spam");
    expect(Object.keys(ban).sort()).toEqual(["chat_id", "created_at", "reason", "until", "user_id"]);
    expect(ban).toMatchObject({ chat_id: 1, user_id: bob.id, until: "2099-01-01T00:00:00Z", reason: "spam" });
    expectNear(ban.created_at, Date.now());

    expect(readDb((db) => db.prepare("select user_id from chat_members where chat_id = 1").all())).toEqual([{ user_id: carol.id }]);
    expect(readDb((db) => db.prepare("select chat_id, user_id, until, reason from chat_bans").all())).toEqual([
      { chat_id: 1, user_id: bob.id, until: Date.parse("2099-01-01T00:00:00Z"), reason: "spam" },
    ]);
    expect(readDb((db) => db.prepare("select chat_id, user_id, action, method, invite_code from activity_events").all())).toEqual([
      { chat_id: 1, user_id: bob.id, action: "ban", method: null, invite_code: null },
    ]);

    // Banning again replaces the ban (now permanent) and records a second event.
    expect(json("chat", "ban", "--chat", "1", "--user", String(bob.id))).toMatchObject({ until: null, reason: null });
    expect(count("chat_bans")).toBe(1);
    expect(count("chat_bans", "until is null")).toBe(1);
    expect(count("activity_events", "action = 'ban' and user_id = ?", bob.id)).toBe(2);

    // The chat's owner cannot be banned from it; nothing is written.
    expect(fails(["chat", "ban", "--chat", "1", "--user", "alice"])).toContain("owns chat 1");
    expect(count("chat_bans", "user_id = ?", alice.id)).toBe(0);
    expect(fails(["chat", "ban", "--chat", "9", "--user", "bob"])).toContain("No chat with id 9");
  });

  it("chat unban removes the ban", () => {
    json("user", "create", "--username", "bob");
    json("chat", "create", "--name", "General", "--visibility", "public");
    json("chat", "ban", "--chat", "1", "--user", "bob");
    expect(json("chat", "unban", "--chat", "1", "--user", "bob")).toEqual({ chat_id: 1, user_id: 1, unbanned: true });
    expect(count("chat_bans")).toBe(0);
    expect(fails(["chat", "unban", "--chat", "1", "--user", "bob"])).toContain("user 'bob' is not banned from chat 1");
  });

  it("session create prints a 43-character base64url token whose hash alone is stored", () => {
    const bob = json("user", "create", "--username", "bob");
    const session = json("session", "create", "--user", "bob");
    expect(Object.keys(session).sort()).toEqual(["expires_at", "token", "user_id"]);
    expect(session.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session.user_id).toBe(bob.id);
    expectNear(session.expires_at, Date.now() + 30 * DAY);
    const hash = createHash("sha256").update(session.token as string).digest("hex");
    expect(readDb((db) => db.prepare("select token_hash, user_id from sessions").all())).toEqual([{ token_hash: hash, user_id: bob.id }]);

    // Admins' sessions last a day.
    json("user", "create", "--username", "alice", "--level", "admin");
    expectNear(json("session", "create", "--user", "alice").expires_at, Date.now() + DAY);
  });

  it("session create and login-code refuse a restricted account", () => {
    json("user", "create", "--username", "bob");
    json("user", "set-state", "--user", "bob", "--state", "banned");
    expect(fails(["session", "create", "--user", "bob"])).toContain("set their state to active");
    expect(fails(["login-code", "--user", "bob"])).toContain("set their state to active");
    expect(count("sessions")).toBe(0);
    expect(count("login_codes")).toBe(0);
  });

  it("login-code prints an 8-character code good for 10 minutes, stored as a hash", () => {
    const bob = json("user", "create", "--username", "bob");
    const login = json("login-code", "--user", "bob");
    expect(Object.keys(login).sort()).toEqual(["code", "expires_at"]);
    expect(login.code).toMatch(/^[A-Za-z0-9]{8}$/);
    expectNear(login.expires_at, Date.now() + 10 * 60_000);
    const hash = createHash("sha256").update(login.code as string).digest("hex");
    expect(readDb((db) => db.prepare("select code_hash, user_id, used_at from login_codes").all())).toEqual([
      { code_hash: hash, user_id: bob.id, used_at: null },
    ]);
  });

  it("without --json, session create prints the token and login-code the code", () => {
    json("user", "create", "--username", "bob");
    const session = cli(["session", "create", "--user", "bob"]);
    expect(session.status).toBe(0);
    expect(session.stdout).toMatch(/^psession token for user id 1 \(expires \S+\): [A-Za-z0-9_-]{43}\n$/);
    const login = cli(["login-code", "--user", "bob"]);
    expect(login.status).toBe(0);
    expect(login.stdout).toMatch(/^login code for bob: [A-Za-z0-9]{8} \(single use, expires \S+\)\n$/);
  });

  it("invites purge removes only dead invites older than N days (30 by default)", () => {
    json("chat", "create", "--name", "General", "--visibility", "public");
    const now = Date.now();
    const old = now - 40 * DAY;
    const recent = now - 5 * DAY;
    writeDb((db) => {
      const insert = db.prepare(
        `insert into invites (code, chat_id, created_by_id, created_at, expires_at, uses, max_uses, revoked_at)
         values (@code, 1, null, @created_at, @expires_at, @uses, @max_uses, @revoked_at)`,
      );
      type Fields = Partial<Record<"expires_at" | "max_uses" | "revoked_at" | "uses", number>>;
      const invite = (code: string, createdAt: number, fields: Fields = {}) =>
        insert.run({ code, created_at: createdAt, expires_at: null, max_uses: null, revoked_at: null, uses: 0, ...fields });
      invite("oldrevoked", old, { revoked_at: old + DAY });
      invite("oldexpired", old, { expires_at: now - DAY });
      invite("oldusedup", old, { uses: 3, max_uses: 3 });
      invite("oldactive", old, { uses: 1, max_uses: 5 });
      invite("oldnotexpired", old, { expires_at: now + DAY });
      invite("recentrevoked", recent, { revoked_at: recent });
      invite("recentexpired", recent, { expires_at: now - 1000 });
      invite("recentactive", recent);
    });
    const codes = () => readDb((db) => db.prepare("select code from invites order by code").pluck().all());

    expect(json("invites", "purge")).toEqual({ purged: 3, idempotency_keys_purged: 0 });
    expect(codes()).toEqual(["oldactive", "oldnotexpired", "recentactive", "recentexpired", "recentrevoked"]);

    expect(json("invites", "purge", "--older-than-days", "6")).toEqual({ purged: 0, idempotency_keys_purged: 0 });
    expect(json("invites", "purge", "--older-than-days", "4")).toEqual({ purged: 2, idempotency_keys_purged: 0 });
    expect(codes()).toEqual(["oldactive", "oldnotexpired", "recentactive"]);
    expect(json("invites", "purge", "--older-than-days", "0")).toEqual({ purged: 0, idempotency_keys_purged: 0 });
  });

  it("invites purge also removes Idempotency-Key answers past their 24 hours, and only those", () => {
    const user = json("user", "create", "--username", "keyholder") as { id: number };
    const now = Date.now();
    writeDb((db) => {
      const insert = db.prepare(
        `insert into idempotency_keys (user_id, idempotency_key, request_hash, outcome, response, created_at)
         values (?, ?, 'hash', 'CONFLICT', '{"error":"Chat is archived"}', ?)`,
      );
      insert.run(user.id, "two-days-old", now - 2 * DAY);
      insert.run(user.id, "a-day-and-a-minute-old", now - DAY - 60_000);
      insert.run(user.id, "an-hour-old", now - 3_600_000);
    });
    expect(json("invites", "purge")).toEqual({ purged: 0, idempotency_keys_purged: 2 });
    expect(readDb((db) => db.prepare("select idempotency_key from idempotency_keys").pluck().all())).toEqual(["an-hour-old"]);
  });

  it("--help prints the usage of every command and exits 0", () => {
    const run = cli(["--help"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    for (const command of [
      "migrate",
      "user create --username U",
      "user set-level --user U --level",
      "user set-state --user U --state active|timeout|banned [--until ISO]",
      "user delete --user U",
      "chat create --name N --visibility private|public|official",
      "chat archive --chat ID",
      "chat ban --chat ID --user U",
      "chat unban --chat ID --user U",
      "session create --user U",
      "login-code --user U",
      "invites purge [--older-than-days N]",
    ]) {
      expect(run.stdout).toContain(`portal-admin ${command}`);
    }
    expect(existsSync(dbPath)).toBe(false);
  });
});

describe("portal-admin failures", { timeout: 60_000 }, () => {
  // One prepared database (alice the admin, bob, chat 1), copied fresh for every test.
  let templateDir: string;
  let template: string;

  beforeAll(() => {
    templateDir = mkdtempSync(join(tmpdir(), "portal-admin-template-"));
    template = join(templateDir, "cli.db");
    dbPath = template;
    json("user", "create", "--username", "alice", "--level", "admin");
    json("user", "create", "--username", "bob");
    json("chat", "create", "--name", "General", "--visibility", "public", "--owner", "alice");
  });

  afterAll(() => {
    rmSync(templateDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    copyFileSync(template, dbPath);
  });

  const cases: Array<[string, string[], string]> = [
    ["an unknown command", ["frobnicate"], "unknown command 'frobnicate' (run portal-admin --help for usage)"],
    ["a group without a subcommand", ["user"], "'user' needs one of create, set-level, set-state, delete"],
    ["an unknown option", ["user", "create", "--username", "carol", "--colour", "red"], "unknown option '--colour'"],
    ["an option the command does not take", ["user", "create", "--username", "carol", "--name", "x"], "'user create' takes no --name"],
    ["an option without its value", ["user", "create", "--username"], "--username needs a value"],
    ["an unknown user", ["user", "set-level", "--user", "nobody", "--level", "mod"], "No user named 'nobody'"],
    ["an unknown user id", ["session", "create", "--user", "999"], "no user with id 999"],
    ["a bad level", ["user", "create", "--username", "carol", "--level", "boss"], "level must be one of user, mod, admin, owner (got 'boss')"],
    ["a bad username", ["user", "create", "--username", "a!"], "username must be 3 to 32 of A-Z a-z 0-9 . _ -"],
    ["a duplicate username", ["user", "create", "--username", "alice"], "username 'alice' is already taken"],
    ["a bad state", ["user", "set-state", "--user", "bob", "--state", "asleep"], "state must be one of active, timeout, banned"],
    ["a timeout without --until", ["user", "set-state", "--user", "bob", "--state", "timeout"], "until is required for state timeout"],
    ["--until that is no date", ["user", "set-state", "--user", "bob", "--state", "timeout", "--until", "tomorrow"], "until must be an ISO 8601 date-time with a UTC offset"],
    ["--until without an offset", ["chat", "ban", "--chat", "1", "--user", "bob", "--until", "2099-01-01T00:00:00"], "until must be an ISO 8601 date-time with a UTC offset"],
    ["--until after the wire format's last second", ["chat", "ban", "--chat", "1", "--user", "bob", "--until", "9999-12-31T23:59:59-23:59"], "until must be no later than 9999-12-31T23:59:59Z"],
    ["--until in the past", ["chat", "ban", "--chat", "1", "--user", "bob", "--until", "2001-01-01T00:00:00Z"], "until must be in the future"],
    ["--until on a state that has none", ["user", "set-state", "--user", "bob", "--state", "banned", "--until", FUTURE], "until only applies to state timeout"],
    ["a missing --name", ["chat", "create", "--visibility", "public"], "'chat create' needs --name"],
    ["a name too short", ["chat", "create", "--name", "x", "--visibility", "public"], "name must be 2 to 64 characters"],
    ["a name too long", ["chat", "create", "--name", "x".repeat(65), "--visibility", "public"], "name must be 2 to 64 characters"],
    ["a bad visibility", ["chat", "create", "--name", "Secret", "--visibility", "hidden"], "visibility must be one of private, public, official (got 'hidden')"],
    ["a description too long", ["chat", "create", "--name", "Talk", "--visibility", "public", "--description", "d".repeat(501)], "description must be at most 500 characters"],
    ["a bad slug", ["chat", "create", "--name", "Talk", "--visibility", "public", "--slug", "Not A Slug"], "slug must be 2 to 64 of a-z 0-9 -"],
    ["an unknown owner", ["chat", "create", "--name", "Talk", "--visibility", "public", "--owner", "nobody"], "No user named 'nobody'"],
    ["a chat id that is no number", ["chat", "archive", "--chat", "abc"], "--chat must be a chat id, a positive integer (got 'abc')"],
    ["an unknown chat", ["chat", "archive", "--chat", "99"], "No chat with id 99"],
    ["a bad --older-than-days", ["invites", "purge", "--older-than-days", "ten"], "--older-than-days must be a whole number of days"],
  ];

  const rowCounts = () => ["users", "chats", "chat_bans", "sessions", "login_codes"].map((table) => count(table));

  it.each(cases)("%s exits 1 with a message on stderr and writes nothing", (_label, args, message) => {
    const before = rowCounts();
    expect(fails(args)).toContain(message);
    expect(rowCounts()).toEqual(before);
  });

  it("a bad DATABASE_URL exits 1 naming the variable", () => {
    expect(fails(["migrate"], "mysql://localhost/portal")).toContain("DATABASE_URL must be file:<path> for SQLite or postgres://");
  });

  it("a file that is not a database exits 1 naming DATABASE_URL", () => {
    writeFileSync(dbPath, "not a database, just text\n".repeat(100));
    expect(fails(["user", "create", "--username", "carol"])).toContain("cannot use the database that DATABASE_URL names");
  });

  it("no command at all exits 1 and points to --help", () => {
    const run = cli([]);
    expect(run).toEqual({ status: 1, stdout: "", stderr: "portal-admin: no command given (run portal-admin --help for usage)\n" });
  });
});
