/**
 * Rate limits per client IP and minute (SPEC section 6): sign-in 20, everything else 120, failed
 * joins 10; RateLimit headers and Retry-After; shared by every instance through Redis.
 */
import { randomBytes } from "node:crypto";
import { ErrorMessage } from "@portal/contracts";
import { createClient } from "redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFrom } from "../test-support/clients.js";
import { startTestServer, type TestServer } from "../test-support/test-server.js";

const REDIS_URL = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";

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
      const guess = randomBytes(8).toString("hex");
      const res = await httpFrom(ip, server.url, i % 2 ? "POST" : "GET", `/v1/portal/resolve/${guess}`, { session: guesser });
      expect(res.status).toBe(404);
    }
    const eleventh = await httpFrom(ip, server.url, "POST", `/v1/portal/resolve/${randomBytes(8).toString("hex")}`, { session: guesser });
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
