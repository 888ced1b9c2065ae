/**
 * Rate limits per minute (SPEC section 6): sign-in attempts 20 and failed joins 10 per client IP,
 * every other call 120 per signed-in user (per IP signed out); counted in calls (each call of a
 * tRPC batch), on every spelling the routers accept; RateLimit headers and Retry-After; shared by
 * every instance through Redis. (Redis going away: rate-limit-redis.api.test.ts.)
 */
import { randomBytes } from "node:crypto";
import { ErrorMessage } from "@portal/contracts";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFrom } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const REDIS_URL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";

/** A well-formed invite code nobody holds. */
const guess = () => randomBytes(8).toString("hex");

async function redisReachable(): Promise<boolean> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on("error", () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    if (client.isOpen) await client.quit();
  }
}
const redisUp = await redisReachable();
if (!redisUp) {
  if (process.env.CI) throw new Error(`CI needs Redis at ${REDIS_URL}, and it does not answer`);
  process.stderr.write(`Redis rate-limit tests skipped: no server answers at ${REDIS_URL} (set TEST_REDIS_URL)\n`);
}

describe("rate limits in one process", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite", { RATE_LIMITS: "on" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("allows 20 sign-in attempts a minute, then 429 with Retry-After and RateLimit headers", async () => {
    const ip = "127.0.0.11";
    for (let i = 0; i < 20; i++) {
      const res = await httpFrom(ip, server.url, "POST", "/v1/authentication/verify", { json: { code: `Wrong${i}xx` } });
      expect(res.status).toBe(400);
      expect(res.headers.get("ratelimit-policy")).toContain("20");
    }
    const limited = await httpFrom(ip, server.url, "POST", "/v1/authentication/verify", { json: { code: "Wrong999" } });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: ErrorMessage.tooManyRequests });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.headers.get("ratelimit")).toMatch(/r=0/);
    // tRPC's sign-in shares the limit; other routes do not.
    const trpc = await httpFrom(ip, server.url, "POST", "/trpc/auth.verify", { json: { code: "Wrong999" } });
    expect(trpc.status).toBe(429);
    expect(trpc.body).toMatchObject({ error: { message: ErrorMessage.tooManyRequests, data: { code: "TOO_MANY_REQUESTS", httpStatus: 429 } } });
    expect((await httpFrom(ip, server.url, "GET", "/v1/users/me")).status).toBe(401);
  });

  it("allows 120 other requests a minute, then 429", async () => {
    const ip = "127.0.0.12";
    const statuses = [];
    for (let i = 0; i < 120; i++) statuses.push((await httpFrom(ip, server.url, "GET", "/v1/users/me")).status);
    expect(new Set(statuses)).toEqual(new Set([401]));
    expect((await httpFrom(ip, server.url, "GET", "/trpc/user.me")).status).toBe(429);
    // Another client is not affected.
    expect((await httpFrom("127.0.0.13", server.url, "GET", "/v1/users/me")).status).toBe(401);
  });

  it("stops code guessing: the 11th failed join in a minute gets 429; another client's right code still works", async () => {
    const f = server.fixtures;
    const owner = await f.user();
    const chat = await f.chat({ owner });
    const invite = await f.invite(chat, owner);
    const guesser = await f.session(await f.user());
    const ip = "127.0.0.14";
    // Successful joins do not count toward the failed-join limit.
    expect((await httpFrom(ip, server.url, "POST", `/v1/portal/resolve/${invite.code}`, { session: guesser })).status).toBe(200);
    for (let i = 0; i < 10; i++) {
      const res = await httpFrom(ip, server.url, i % 2 ? "POST" : "GET", `/v1/portal/resolve/${guess()}`, { session: guesser });
      expect(res.status).toBe(404);
    }
    const eleventh = await httpFrom(ip, server.url, "POST", `/v1/portal/resolve/${guess()}`, { session: guesser });
    expect(eleventh.status).toBe(429);
    expect(eleventh.headers.get("retry-after")).not.toBeNull();
    // Even the right code is refused to the guesser now…
    expect((await httpFrom(ip, server.url, "GET", `/v1/portal/resolve/${invite.code}`, { session: guesser })).status).toBe(429);
    // …but another client with the right code gets in.
    const other = await f.session(await f.user());
    const res = await httpFrom("127.0.0.15", server.url, "POST", `/v1/portal/resolve/${invite.code}`, { session: other });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ already_member: false });
  });

  it("is off with RATE_LIMITS=off", async () => {
    const off = await startTestServer("sqlite", { RATE_LIMITS: "off" });
    try {
      for (let i = 0; i < 30; i++) {
        const res = await httpFrom("127.0.0.16", off.url, "POST", "/v1/authentication/verify", { json: { code: "Wrong123" } });
        expect(res.status).toBe(400);
        expect(res.headers.get("ratelimit")).toBeNull();
      }
    } finally {
      await off.stop();
    }
  });
});

/** A tRPC batch URL: `procedure` called once per input, inputs in the query (for a query). */
function trpcBatchQuery(procedure: string, inputs: unknown[]): string {
  const input = Object.fromEntries(inputs.map((value, i) => [String(i), value]));
  return `/trpc/${inputs.map(() => procedure).join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(input))}`;
}
/** A tRPC batch mutation: its URL and its JSON body. */
function trpcBatchMutation(procedure: string, inputs: unknown[]): { path: string; json: Record<string, unknown> } {
  return {
    path: `/trpc/${inputs.map(() => procedure).join(",")}?batch=1`,
    json: Object.fromEntries(inputs.map((value, i) => [String(i), value])),
  };
}
const query = (input: unknown) => `?input=${encodeURIComponent(JSON.stringify(input))}`;
/** Per-call outcomes of a tRPC batch response: each call's HTTP status. */
const callStatuses = (body: unknown) =>
  (body as { result?: unknown; error?: { data: { httpStatus: number } } }[]).map((call) => (call.error ? call.error.data.httpStatus : 200));

describe("every spelling of a limited route counts, in calls", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite", { RATE_LIMITS: "on", PORTAL_DEMO: "1" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  const expectLimited = async (ip: string, method: string, path: string, options: { session?: string; json?: unknown } = {}) => {
    const res = await httpFrom(ip, server.url, method, path, options);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    return res;
  };

  it("sign-in attempts: REST in any case or with a trailing slash, tRPC encoded or batched, and demo sign-in share the 20", async () => {
    const ip = "127.0.1.1";
    const wrong = { code: "Wrong123" };
    const rest = ["/v1/authentication/verify", "/V1/AUTHENTICATION/VERIFY", "/v1/Authentication/Verify/"];
    for (const path of rest) expect((await httpFrom(ip, server.url, "POST", path, { json: wrong })).status).toBe(400);
    expect((await httpFrom(ip, server.url, "POST", "/trpc/auth.%76erify", { json: wrong })).status).toBe(400);
    expect((await httpFrom(ip, server.url, "POST", "/TRPC/auth.verify", { json: wrong })).status).toBe(400);
    expect((await httpFrom(ip, server.url, "POST", "/v1/dev/login", { json: { username: "nobody-here" } })).status).toBe(404);
    // 6 so far; a batch of ten is ten more (16)…
    const batch = trpcBatchMutation("auth.verify", Array.from({ length: 10 }, () => wrong));
    const batched = await httpFrom(ip, server.url, "POST", batch.path, { json: batch.json });
    expect(callStatuses(batched.body)).toEqual(Array.from({ length: 10 }, () => 400));
    expect(batched.headers.get("ratelimit")).toContain('"sign-in"; r=4;');
    // …so a batch of five (21) goes over.
    const five = trpcBatchMutation("auth.verify", Array.from({ length: 5 }, () => wrong));
    await expectLimited(ip, "POST", five.path, { json: five.json });
    await expectLimited(ip, "POST", "/V1/authentication/VERIFY/", { json: wrong });
    await expectLimited(ip, "POST", "/trpc/auth.demoLogin", { json: { username: "nobody-here" } });
  });

  it("reading who is signed in and signing out are not sign-in attempts", async () => {
    const ip = "127.0.1.2";
    const f = server.fixtures;
    for (let i = 0; i < 25; i++) {
      const session = await f.session(await f.user());
      const read = await httpFrom(ip, server.url, "GET", "/trpc/auth.session", { session });
      expect(read.status).toBe(200);
      expect((await httpFrom(ip, server.url, "POST", i % 2 ? "/v1/authentication/logout" : "/trpc/auth.logout", { session, json: {} })).status).toBe(200);
    }
    // 50 calls later, the first sign-in attempt of this address is still only the first.
    const res = await httpFrom(ip, server.url, "POST", "/v1/authentication/verify", { json: { code: "Wrong123" } });
    expect(res.status).toBe(400);
    expect(res.headers.get("ratelimit")).toContain('"sign-in"; r=19;');
  });

  it("the general limit is per signed-in user: two users behind one address each get their own 120", async () => {
    const ip = "127.0.1.3";
    const f = server.fixtures;
    const alice = await f.session(await f.user());
    const bob = await f.session(await f.user());
    // Alice: 12 tRPC batches of ten calls are her 120 calls…
    for (let i = 0; i < 12; i++) {
      const res = await httpFrom(ip, server.url, "GET", trpcBatchQuery("user.me", Array.from({ length: 10 }, () => undefined)), { session: alice });
      expect(callStatuses(res.body)).toEqual(Array.from({ length: 10 }, () => 200));
    }
    // …so her next call, by either transport, is refused,
    await expectLimited(ip, "GET", "/v1/users/me", { session: alice });
    await expectLimited(ip, "GET", "/trpc/user.me", { session: alice });
    // while Bob, from the same address, has all of his.
    for (let i = 0; i < 120; i++) expect((await httpFrom(ip, server.url, "GET", i % 2 ? "/v1/users/me" : "/trpc/user.me", { session: bob })).status).toBe(200);
    await expectLimited(ip, "GET", "/v1/users/me", { session: bob });
    // Signed out, this address has its own 120 still.
    expect((await httpFrom(ip, server.url, "GET", "/v1/users/me")).status).toBe(401);
  });

  it("signed out, the general limit is per client IP", async () => {
    const ip = "127.0.1.4";
    for (let i = 0; i < 120; i++) expect((await httpFrom(ip, server.url, "GET", i % 2 ? "/v1/users/me" : "/trpc/user.me")).status).toBe(401);
    await expectLimited(ip, "GET", "/v1/users/me");
    // A bad session cookie is signed out too.
    await expectLimited(ip, "GET", "/v1/users/me", { session: "not-a-session" });
    expect((await httpFrom("127.0.1.5", server.url, "GET", "/v1/users/me")).status).toBe(401);
    // A signed-in user at that address counts as herself.
    const f = server.fixtures;
    expect((await httpFrom(ip, server.url, "GET", "/v1/users/me", { session: await f.session(await f.user()) })).status).toBe(200);
  });

  describe("failed joins", () => {
    let session: string;
    let code: string;
    beforeAll(async () => {
      const f = server.fixtures;
      const owner = await f.user();
      code = (await f.invite(await f.chat({ owner }), owner)).code;
      session = await f.session(await f.user());
    });
    const percentEncoded = (text: string) => [...text].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");

    it("REST in upper case or with a trailing slash counts", async () => {
      const ip = "127.0.2.1";
      for (let i = 0; i < 10; i++) {
        const path = i % 2 ? `/V1/PORTAL/RESOLVE/${guess()}` : `/v1/Portal/Resolve/${guess()}/`;
        expect((await httpFrom(ip, server.url, i % 3 ? "GET" : "POST", path, { session })).status).toBe(404);
      }
      await expectLimited(ip, "GET", `/v1/portal/resolve/${code}`, { session });
    });

    it("a REST code in percent-encoding counts", async () => {
      const ip = "127.0.2.2";
      for (let i = 0; i < 10; i++) {
        expect((await httpFrom(ip, server.url, "POST", `/v1/portal/resolve/${percentEncoded(guess())}`, { session })).status).toBe(404);
      }
      await expectLimited(ip, "POST", `/v1/portal/resolve/${percentEncoded(code)}`, { session });
    });

    it("a percent-encoded tRPC procedure name counts", async () => {
      const ip = "127.0.2.3";
      for (let i = 0; i < 5; i++) {
        expect((await httpFrom(ip, server.url, "GET", `/trpc/invite.%70review${query({ code: guess() })}`, { session })).status).toBe(404);
        expect((await httpFrom(ip, server.url, "POST", "/trpc/invite%2Eredeem", { session, json: { code: guess() } })).status).toBe(404);
      }
      await expectLimited(ip, "GET", `/trpc/${percentEncoded("invite.preview")}${query({ code })}`, { session });
    });

    it("a tRPC batch of ten failing previews counts ten, and so does one of ten failing joins", async () => {
      const ip = "127.0.2.4";
      const previews = await httpFrom(ip, server.url, "GET", trpcBatchQuery("invite.preview", Array.from({ length: 10 }, () => ({ code: guess() }))), { session });
      expect(callStatuses(previews.body)).toEqual(Array.from({ length: 10 }, () => 404));
      await expectLimited(ip, "GET", `/v1/portal/resolve/${code}`, { session });

      const other = "127.0.2.5";
      const joins = trpcBatchMutation("invite.redeem", Array.from({ length: 10 }, () => ({ code: guess() })));
      const joined = await httpFrom(other, server.url, "POST", joins.path, { session, json: joins.json });
      expect(callStatuses(joined.body)).toEqual(Array.from({ length: 10 }, () => 404));
      await expectLimited(other, "POST", "/trpc/invite.redeem", { session, json: { code } });
    });

    it("only the failed calls of a batch count: five right previews and five wrong leave five", async () => {
      const ip = "127.0.2.6";
      const inputs = Array.from({ length: 10 }, (_, i) => ({ code: i % 2 ? code : guess() }));
      const res = await httpFrom(ip, server.url, "GET", trpcBatchQuery("invite.preview", inputs), { session });
      expect(callStatuses(res.body)).toEqual(inputs.map((input) => (input.code === code ? 200 : 404)));
      for (let i = 0; i < 5; i++) expect((await httpFrom(ip, server.url, "GET", `/v1/portal/resolve/${guess()}`, { session })).status).toBe(404);
      await expectLimited(ip, "GET", `/v1/portal/resolve/${guess()}`, { session });
    });
  });
});

describe.skipIf(!redisUp)("rate limits shared through Redis", () => {
  const prefix = `portal-test-${randomBytes(4).toString("hex")}:`;
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer("sqlite", { RATE_LIMITS: "on", REDIS_URL, REDIS_PREFIX: prefix });
    b = await startTestServer("sqlite", { RATE_LIMITS: "on", REDIS_URL, REDIS_PREFIX: prefix });
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    const client = createClient({ url: REDIS_URL });
    await client.connect();
    const keys = await client.keys(`${prefix}*`);
    if (keys.length > 0) await client.del(keys);
    await client.quit();
  });

  it("two instances together allow the sign-in limit once, not twice", async () => {
    const ip = "127.0.0.21";
    for (let i = 0; i < 20; i++) {
      const server = i % 2 === 0 ? a : b;
      expect((await httpFrom(ip, server.url, "POST", "/v1/authentication/verify", { json: { code: "Wrong123" } })).status).toBe(400);
    }
    expect((await httpFrom(ip, a.url, "POST", "/v1/authentication/verify", { json: { code: "Wrong123" } })).status).toBe(429);
    expect((await httpFrom(ip, b.url, "POST", "/v1/authentication/verify", { json: { code: "Wrong123" } })).status).toBe(429);
  });
});
