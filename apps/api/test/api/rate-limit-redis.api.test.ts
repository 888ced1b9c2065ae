/**
 * The shared rate-limit Redis going away and coming back under running servers (SPEC section 9):
 * a server starts without it, requests keep answering, the limits keep holding in each process's
 * memory, the shared counts are used again when it is back, and each change is logged once. Every
 * test here kills only a redis-server of its own (test-support/redis-server.ts).
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { httpFrom } from "../support/clients.js";
import { eventually, freePort, startOwnRedis, type OwnRedis } from "../support/redis-server.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import { REDIS_AWAY_MESSAGE, REDIS_BACK_MESSAGE } from "../../src/http/rate-limit-store.js";

const wrong = { json: { code: "Wrong123" } };
const signIn = (server: TestServer, ip: string) => httpFrom(ip, server.url, "POST", "/v1/authentication/verify", wrong);
const lines = (server: TestServer, msg: string) => server.logs.filter((line) => line.msg === msg);

describe("rate limits while their Redis goes away and comes back", () => {
  let redis: OwnRedis | undefined;
  let a: TestServer | undefined;
  let b: TestServer | undefined;
  beforeAll(async () => {
    redis = await startOwnRedis();
    const env = { RATE_LIMITS: "on", REDIS_URL: redis.url, REDIS_PREFIX: `portal-test-${randomBytes(4).toString("hex")}:` };
    a = await startTestServer("sqlite", env);
    b = await startTestServer("sqlite", env);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await redis?.kill();
  });

  it("counts shared, then in memory while Redis is killed, then shared again once it is restarted", async () => {
    const [one, two, own] = [a!, b!, redis!];
    // Shared: ten sign-in attempts on each server are the address's twenty.
    for (let i = 0; i < 10; i++) {
      expect((await signIn(one, "127.0.3.1")).status).toBe(400);
      expect((await signIn(two, "127.0.3.1")).status).toBe(400);
    }
    expect((await signIn(one, "127.0.3.1")).status).toBe(429);
    expect((await signIn(two, "127.0.3.1")).status).toBe(429);

    await own.kill();
    // Requests keep answering, and the limit keeps holding, counted in this process.
    for (let i = 0; i < 20; i++) expect((await signIn(one, "127.0.3.2")).status).toBe(400);
    const limited = await signIn(one, "127.0.3.2");
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await httpFrom("127.0.3.2", one.url, "GET", "/v1/users/me")).status).toBe(401);
    // The other server counts on its own meanwhile: this address is new to it.
    expect((await signIn(two, "127.0.3.2")).status).toBe(400);
    await eventually("each server said Redis is away", () => lines(one, REDIS_AWAY_MESSAGE).length > 0 && lines(two, REDIS_AWAY_MESSAGE).length > 0);

    await own.start();
    await eventually("each server said Redis is back", () => lines(one, REDIS_BACK_MESSAGE).length > 0 && lines(two, REDIS_BACK_MESSAGE).length > 0);
    // Shared again: the counts of both servers add up.
    for (let i = 0; i < 10; i++) {
      expect((await signIn(one, "127.0.3.3")).status).toBe(400);
      expect((await signIn(two, "127.0.3.3")).status).toBe(400);
    }
    expect((await signIn(two, "127.0.3.3")).status).toBe(429);

    // Each change was logged once by each server, not once a request or a reconnect attempt.
    for (const server of [one, two]) {
      expect(lines(server, REDIS_AWAY_MESSAGE)).toHaveLength(1);
      expect(lines(server, REDIS_AWAY_MESSAGE)[0]).toMatchObject({ level: "warn" });
      expect(lines(server, REDIS_BACK_MESSAGE)).toHaveLength(1);
    }
  });
});

describe("rate limits while their Redis hangs (connected, not answering)", () => {
  let redis: OwnRedis | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    redis = await startOwnRedis();
    server = await startTestServer("sqlite", { RATE_LIMITS: "on", REDIS_URL: redis.url, REDIS_PREFIX: `portal-test-${randomBytes(4).toString("hex")}:` });
  });
  afterAll(async () => {
    redis?.resume();
    await server?.stop();
    await redis?.kill();
  });

  it("counts in memory after the first command times out, and shared again when Redis answers", async () => {
    const [running, own] = [server!, redis!];
    own.pause();
    for (let i = 0; i < 20; i++) expect((await signIn(running, "127.0.3.5")).status).toBe(400);
    expect((await signIn(running, "127.0.3.5")).status).toBe(429);
    expect(lines(running, REDIS_AWAY_MESSAGE)).toHaveLength(1);
    own.resume();
    await eventually("the server said Redis is back", () => lines(running, REDIS_BACK_MESSAGE).length > 0);
    for (let i = 0; i < 20; i++) expect((await signIn(running, "127.0.3.6")).status).toBe(400);
    expect((await signIn(running, "127.0.3.6")).status).toBe(429);
    expect(lines(running, REDIS_AWAY_MESSAGE)).toHaveLength(1);
    expect(lines(running, REDIS_BACK_MESSAGE)).toHaveLength(1);
  });
});

describe("a server whose Redis is unreachable at start", () => {
  let server: TestServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });

  it("starts, says so in one warning line, and limits in memory", async () => {
    // A free port: nothing listens there.
    const url = `redis://127.0.0.1:${await freePort()}`;
    server = await startTestServer("sqlite", { RATE_LIMITS: "on", REDIS_URL: url, REDIS_PREFIX: `portal-test-${randomBytes(4).toString("hex")}:` });
    const running = server;
    expect((await httpFrom("127.0.3.4", running.url, "GET", "/health")).status).toBe(200);
    await eventually("the warning", () => lines(running, REDIS_AWAY_MESSAGE).length > 0);
    for (let i = 0; i < 20; i++) expect((await signIn(running, "127.0.3.4")).status).toBe(400);
    expect((await signIn(running, "127.0.3.4")).status).toBe(429);
    const warnings = running.logs.filter((line) => line.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ msg: REDIS_AWAY_MESSAGE });
    expect(lines(running, "listening")[0]).toMatchObject({ rate_limits: "redis" });
  });
});
