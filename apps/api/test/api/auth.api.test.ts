/**
 * Signing in with a login code, the session cookie, sessions that expire, signing out; who am I and
 * my chats; on every backend, over REST and tRPC.
 */
import { request } from "node:http";
import { ErrorMessage } from "@portal/contracts";
import { PermissionLevel, UserState } from "@portal/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserRow } from "../../src/db/schema.js";
import { issueLoginCode } from "../../src/services/auth.service.js";
import { sha256Hex } from "../../src/services/secrets.js";
import { BACKENDS } from "../support/backends.js";
import { http, trpcClient, trpcOutcome } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const DAY_S = 24 * 60 * 60;

function sessionCookie(headers: Headers): { token: string; attributes: string[] } {
  const cookie = headers.getSetCookie().find((c) => c.startsWith("psession="));
  if (!cookie) throw new Error("no psession cookie was set");
  const [pair, ...attributes] = cookie.split(";").map((p) => p.trim());
  return { token: pair!.slice("psession=".length), attributes };
}

describe.each(BACKENDS)("authentication on %s", (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const loginCode = async (user: UserRow) => (await issueLoginCode(server.deps, user)).code;

  it("signs in with a login code: the users/me object and a psession cookie with the SPEC's attributes", async () => {
    const user = await server.fixtures.user({ username: `alice_${backend}` });
    const code = await loginCode(user);
    expect(code).toMatch(/^[A-Za-z0-9]{8}$/);
    const res = await http(server.url, "POST", "/v1/authentication/verify", { json: { code } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: user.id,
      username: `alice_${backend}`,
      avatar_url: null,
      permission_level: 0,
      state: 0,
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/),
    });
    const { token, attributes } = sessionCookie(res.headers);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(attributes).toContain("HttpOnly");
    expect(attributes).toContain("SameSite=Lax");
    expect(attributes).toContain("Path=/");
    // Plain HTTP on localhost is the one place the cookie is not Secure.
    expect(attributes).not.toContain("Secure");
    expect(attributes.some((a) => a.toLowerCase().startsWith("domain="))).toBe(false);
    // Only the hash of the token is stored.
    const stored = await server.deps.db.selectFrom("sessions").selectAll().where("user_id", "=", user.id).execute();
    expect(stored.map((s) => s.token_hash)).toEqual([sha256Hex(token)]);
    expect(JSON.stringify(stored)).not.toContain(token);
    expect((await http(server.url, "GET", "/v1/users/me", { session: token })).body).toEqual(res.body);
  });

  it("sets Secure when the request did not come over plain HTTP on localhost", async () => {
    const user = await server.fixtures.user();
    const code = await loginCode(user);
    // fetch will not send another Host header; node:http will.
    const { port } = new URL(server.url);
    const setCookie = await new Promise<string[]>((resolve, reject) => {
      const req = request(
        { host: "127.0.0.1", port, path: "/v1/authentication/verify", method: "POST", headers: { host: "portal.example.com", "content-type": "application/json" } },
        (res) => {
          res.resume();
          expect(res.statusCode).toBe(200);
          resolve(res.headers["set-cookie"] ?? []);
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify({ code }));
    });
    const cookie = setCookie.find((c) => c.startsWith("psession="));
    expect(cookie?.split(";").map((p) => p.trim())).toContain("Secure");
  });

  it.each([
    [PermissionLevel.User, 30],
    [PermissionLevel.Mod, 30],
    [PermissionLevel.Admin, 1],
    [PermissionLevel.Owner, 1],
  ])("gives level %i a session of %i days", async (level, days) => {
    const user = await server.fixtures.user({ level });
    const before = Date.now();
    const res = await http(server.url, "POST", "/v1/authentication/verify", { json: { code: await loginCode(user) } });
    const { attributes } = sessionCookie(res.headers);
    expect(attributes).toContain(`Max-Age=${days * DAY_S}`);
    const row = await server.deps.db.selectFrom("sessions").selectAll().where("user_id", "=", user.id).executeTakeFirstOrThrow();
    expect(row.expires_at - before).toBeGreaterThanOrEqual(days * DAY_S * 1000 - 1000);
    expect(row.expires_at - before).toBeLessThanOrEqual(days * DAY_S * 1000 + 5000);
  });

  it("answers a wrong, expired or reused code with 400 Invalid or expired code", async () => {
    const user = await server.fixtures.user();
    const code = await loginCode(user);
    expect((await http(server.url, "POST", "/v1/authentication/verify", { json: { code } })).status).toBe(200);
    const expired = "Expired1";
    await server.deps.db
      .insertInto("login_codes")
      .values({ code_hash: sha256Hex(expired), user_id: user.id, created_at: Date.now() - 700_000, expires_at: Date.now() - 100_000, used_at: null })
      .execute();
    const fresh = await loginCode(user);
    const wrongCase = fresh === fresh.toLowerCase() ? fresh.toUpperCase() : fresh.toLowerCase();
    for (const attempt of [code, expired, "Wrong123", wrongCase]) {
      const res = await http(server.url, "POST", "/v1/authentication/verify", { json: { code: attempt } });
      expect(res.status, attempt).toBe(400);
      expect(res.body).toMatchObject({ error: ErrorMessage.invalidLoginCode });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    // Through tRPC alike, and the fresh code still works once.
    const trpc = await trpcOutcome(() => trpcClient(server.url).auth.verify.mutate({ code }));
    expect(trpc).toMatchObject({ status: 400, body: { error: ErrorMessage.invalidLoginCode, code: "BAD_REQUEST" } });
    expect((await trpcOutcome(() => trpcClient(server.url).auth.verify.mutate({ code: fresh }))).status).toBe(200);
  });

  it("refuses to sign in a banned account", async () => {
    const user = await server.fixtures.user({ state: UserState.Banned });
    const res = await http(server.url, "POST", "/v1/authentication/verify", { json: { code: await loginCode(user) } });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ error: ErrorMessage.accountRestricted });
  });

  it("tells who is signed in through auth.session: the user, or null for no or a dead session", async () => {
    const user = await server.fixtures.user();
    const token = await server.fixtures.session(user);
    expect(await trpcClient(server.url, token).auth.session.query()).toMatchObject({ id: user.id, username: user.username });
    expect(await trpcClient(server.url).auth.session.query()).toBeNull();
    expect(await trpcClient(server.url, "not-a-session").auth.session.query()).toBeNull();
    const banned = await server.fixtures.user({ state: UserState.Banned });
    const outcome = await trpcOutcome(async () => trpcClient(server.url, await server.fixtures.session(banned)).auth.session.query());
    expect(outcome).toMatchObject({ status: 403, body: { error: ErrorMessage.accountRestricted } });
  });

  it("answers an expired session with 401", async () => {
    const user = await server.fixtures.user();
    const token = await server.fixtures.session(user);
    await server.deps.db.updateTable("sessions").set({ expires_at: Date.now() - 1 }).where("token_hash", "=", sha256Hex(token)).execute();
    const res = await http(server.url, "GET", "/v1/users/me", { session: token });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ error: ErrorMessage.authenticationRequired });
  });

  it.each(["rest", "trpc"] as const)("logs out over %s: the cookie is cleared and the old token is useless", async (transport) => {
    const user = await server.fixtures.user();
    const token = await server.fixtures.session(user);
    if (transport === "rest") {
      const res = await http(server.url, "POST", "/v1/authentication/logout", { session: token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: "Logged out" });
      const cleared = res.headers.getSetCookie().find((c) => c.startsWith("psession="));
      expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970/);
    } else {
      expect(await trpcClient(server.url, token).auth.logout.mutate()).toEqual({ message: "Logged out" });
    }
    expect((await http(server.url, "GET", "/v1/users/me", { session: token })).status).toBe(401);
    expect((await http(server.url, "POST", "/v1/authentication/logout", { session: token })).status).toBe(401);
  });

  it("lists my chats (owned or joined, newest first) the same over REST and tRPC", async () => {
    const user = await server.fixtures.user();
    const other = await server.fixtures.user();
    const owned = await server.fixtures.chat({ owner: user, visibility: "private", name: "Mine" });
    const joined = await server.fixtures.chat({ owner: other, visibility: "official", name: "Joined" });
    await server.fixtures.chat({ owner: other, visibility: "public", name: "Not mine" });
    await server.fixtures.member(joined, user);
    const token = await server.fixtures.session(user);
    const rest = await http(server.url, "GET", "/v1/users/me/chats", { session: token });
    expect(rest.status).toBe(200);
    expect(rest.body).toEqual([
      { id: joined.id, name: "Joined", is_public: true, visibility: "official", created_at: expect.any(String) },
      { id: owned.id, name: "Mine", is_public: false, visibility: "private", created_at: expect.any(String) },
    ]);
    expect(await trpcClient(server.url, token).chat.mine.query()).toEqual(rest.body);
    expect(await trpcClient(server.url, token).user.me.query()).toEqual((await http(server.url, "GET", "/v1/users/me", { session: token })).body);
  });

  it("lists the chats a Mod may manage: their own, public chats of Users, not private ones of others", async () => {
    const mod = await server.fixtures.user({ level: PermissionLevel.Mod });
    const user = await server.fixtures.user();
    const admin = await server.fixtures.user({ level: PermissionLevel.Admin });
    const own = await server.fixtures.chat({ owner: mod, visibility: "private" });
    const usersPublic = await server.fixtures.chat({ owner: user, visibility: "public" });
    const usersPrivate = await server.fixtures.chat({ owner: user, visibility: "private" });
    const adminsPublic = await server.fixtures.chat({ owner: admin, visibility: "public" });
    const ownerless = await server.fixtures.chat({ owner: null, visibility: "public" });
    await server.fixtures.invite(usersPublic, user);
    await server.fixtures.invite(usersPublic, user, { revoked_at: Date.now() });
    const list = await trpcClient(server.url, await server.fixtures.session(mod)).chat.manageable.query();
    const ids = list.map((c) => c.id);
    expect(ids).toContain(own.id);
    expect(ids).toContain(usersPublic.id);
    expect(ids).not.toContain(usersPrivate.id);
    expect(ids).not.toContain(adminsPublic.id);
    expect(ids).not.toContain(ownerless.id);
    expect(list.find((c) => c.id === usersPublic.id)).toMatchObject({ active_invites: 1, owner: { id: user.id } });
  });
});
