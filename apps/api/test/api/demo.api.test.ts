/** Demo mode: a seeded world and one-click sign-in with PORTAL_DEMO=1, neither without it. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../support/backends.js";
import { http, trpcClient, trpcOutcome } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe.each(BACKENDS)("demo mode on %s", (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend, { PORTAL_DEMO: "1" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("seeds users at every level, chats of every visibility, live and dead invites, and joins", async () => {
    const db = server.deps.db;
    const levels = (await db.selectFrom("users").select("permission_level").execute()).map((u) => u.permission_level);
    expect(new Set(levels)).toEqual(new Set([0, 1, 2, 3]));
    const visibilities = (await db.selectFrom("chats").select("visibility").execute()).map((c) => c.visibility);
    expect(new Set(visibilities)).toEqual(new Set(["private", "public", "official"]));
    const invites = await db.selectFrom("invites").selectAll().execute();
    const now = Date.now();
    expect(invites.some((i) => i.expires_at !== null && i.expires_at <= now)).toBe(true);
    expect(invites.some((i) => i.max_uses !== null && i.uses >= i.max_uses)).toBe(true);
    expect(invites.some((i) => i.revoked_at === null && (i.expires_at === null || i.expires_at > now) && (i.max_uses === null || i.uses < i.max_uses))).toBe(true);
    const members = await db.selectFrom("chat_members").selectAll().execute();
    expect(members.length).toBeGreaterThan(0);
    for (const invite of invites) {
      expect(members.filter((m) => m.invite_code === invite.code)).toHaveLength(invite.uses);
    }
  });

  it("lists the demo accounts and signs in with one click, over REST and tRPC", async () => {
    const accounts = await trpcClient(server.url).auth.demoAccounts.query();
    expect(accounts.map((a) => a.permission_level)).toEqual(expect.arrayContaining([0, 1, 2, 3]));
    const res = await http(server.url, "POST", "/v1/dev/login", { json: { username: "maya" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ username: "maya", permission_level: 1 });
    const token = res.headers.getSetCookie().find((c) => c.startsWith("psession="))?.split(";")[0]?.slice("psession=".length);
    expect((await http(server.url, "GET", "/v1/users/me", { session: token })).body).toMatchObject({ username: "maya" });
    expect(await trpcClient(server.url).auth.demoLogin.mutate({ username: "olivia" })).toMatchObject({ permission_level: 3 });
    const unknown = await http(server.url, "POST", "/v1/dev/login", { json: { username: "nobody" } });
    expect(unknown).toMatchObject({ status: 404, body: { error: "No demo account named 'nobody'" } });
  });

  it("does not seed again on a database that has users", async () => {
    const before = await server.deps.db.selectFrom("users").select("id").execute();
    const { seedDemoData } = await import("../../src/services/demo.service.js");
    expect(await seedDemoData(server.deps)).toBe(false);
    expect(await server.deps.db.selectFrom("users").select("id").execute()).toHaveLength(before.length);
  });
});

describe("demo mode off", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite", { PORTAL_DEMO: "0" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("seeds nothing, has no demo sign-in (404) and lists no demo accounts", async () => {
    expect(await server.deps.db.selectFrom("users").select("id").execute()).toEqual([]);
    expect((await http(server.url, "POST", "/v1/dev/login", { json: { username: "maya" } })).status).toBe(404);
    expect((await trpcOutcome(() => trpcClient(server.url).auth.demoLogin.mutate({ username: "maya" }))).status).toBe(404);
    expect(await trpcClient(server.url).auth.demoAccounts.query()).toEqual([]);
  });
});
