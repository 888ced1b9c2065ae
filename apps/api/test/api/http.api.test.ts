/**
 * What the HTTP layer promises around the routes: body limits and media types, malformed JSON,
 * unknown routes, correlation ids, logs without secrets, security headers, /health, cross-site
 * protection. Real server, real HTTP, every backend.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { ErrorMessage } from "@portal/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow } from "../../src/db/schema.js";
import { BACKENDS } from "../support/backends.js";
import { http, type HttpResult } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.each(BACKENDS)("HTTP layer on %s", (backend) => {
  let server: TestServer;
  let token: string;
  let chat: ChatRow;
  const createPath = () => `/v1/portal/chats/${chat.id}/invites`;

  beforeAll(async () => {
    server = await startTestServer(backend, { TRUSTED_ORIGINS: "https://app.example.com" });
    const owner = await server.fixtures.user();
    token = await server.fixtures.session(owner);
    chat = await server.fixtures.chat({ owner });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("answers the seed's curl: Content-Type JSON, the psession cookie, 201 with the invite", async () => {
    const response = await fetch(`${server.url}${createPath()}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: `psession=${token}` },
      body: '{"max_uses": 10, "expires_at": "2099-05-01T00:00:00Z"}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({ chat_id: chat.id, expires_at: "2099-05-01T00:00:00Z", uses: 0, max_uses: 10 });
  });

  it("takes a POST without any body as an empty object", async () => {
    const res = await http(server.url, "POST", createPath(), { session: token });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ max_uses: null, expires_at: null });
  });

  it("answers malformed JSON with 400 on REST and tRPC", async () => {
    const rest = await http(server.url, "POST", createPath(), {
      session: token,
      body: '{"max_uses": ',
      headers: { "content-type": "application/json" },
    });
    expect(rest.status).toBe(400);
    expect(rest.body).toMatchObject({ error: ErrorMessage.malformedJson });
    const trpc = await http(server.url, "POST", "/trpc/invite.create", {
      session: token,
      body: '{"chat_id": ',
      headers: { "content-type": "application/json" },
    });
    expect(trpc.status).toBe(400);
    expect(trpc.body).toMatchObject({ error: { message: ErrorMessage.malformedJson, data: { code: "BAD_REQUEST" } } });
  });

  it("answers a body over 16 KiB with 413 on REST and tRPC, and creates nothing", async () => {
    const big = JSON.stringify({ max_uses: 1, padding: "x".repeat(17 * 1024) });
    const before = await server.fixtures.countActive(chat);
    const rest = await http(server.url, "POST", createPath(), { session: token, body: big, headers: { "content-type": "application/json" } });
    expect(rest.status).toBe(413);
    expect(rest.body).toMatchObject({ error: ErrorMessage.bodyTooLarge });
    const trpc = await http(server.url, "POST", "/trpc/invite.create", {
      session: token,
      body: JSON.stringify({ chat_id: chat.id, padding: "x".repeat(17 * 1024) }),
      headers: { "content-type": "application/json" },
    });
    expect(trpc.status).toBe(413);
    expect(trpc.body).toMatchObject({ error: { message: ErrorMessage.bodyTooLarge } });
    expect(await server.fixtures.countActive(chat)).toBe(before);
  });

  it.each([
    ["text/plain", '{"max_uses": 1}'],
    ["application/x-www-form-urlencoded", "max_uses=1"],
    ["multipart/form-data; boundary=x", '--x\r\nContent-Disposition: form-data; name="max_uses"\r\n\r\n1\r\n--x--\r\n'],
  ])("answers a %s body with 415 on REST and tRPC, and creates nothing", async (type, body) => {
    const before = await server.fixtures.countActive(chat);
    for (const path of [createPath(), "/trpc/invite.create"]) {
      const res = await http(server.url, "POST", path, { session: token, body, headers: { "content-type": type } });
      expect(res.status).toBe(415);
      const message = path.startsWith("/trpc") ? (res.body as { error: { message: string } }).error.message : (res.body as { error: string }).error;
      expect(message).toBe(ErrorMessage.unsupportedMediaType);
    }
    expect(await server.fixtures.countActive(chat)).toBe(before);
  });

  it("answers a body that is not an object with 400", async () => {
    const res = await http(server.url, "POST", createPath(), { session: token, json: [1, 2] });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: ErrorMessage.bodyNotObject });
  });

  it("answers unknown routes and procedures with 404 Not found", async () => {
    const rest = await http(server.url, "GET", "/v1/nope", { session: token });
    expect(rest.status).toBe(404);
    expect(rest.body).toMatchObject({ error: ErrorMessage.notFound });
    const trpc = await http(server.url, "GET", "/trpc/invite.nope", { session: token });
    expect(trpc.status).toBe(404);
    expect(trpc.body).toMatchObject({ error: { message: ErrorMessage.notFound } });
  });

  it("sends the correlation id in the header, the body and the log line", async () => {
    const res = await http(server.url, "GET", createPath(), { session: "wrong" });
    const id = res.headers.get("x-correlation-id");
    expect(id).toMatch(UUID_V4);
    expect(res.body).toEqual({ error: ErrorMessage.authenticationRequired, correlation_id: id });
    const line = server.logs.find((l) => l.correlation_id === id);
    expect(line).toMatchObject({ msg: "request", method: "GET", status: 401, error: ErrorMessage.authenticationRequired });
  });

  it("writes one log line per request and never the session token", async () => {
    const before = server.logs.length;
    await http(server.url, "GET", createPath(), { session: token });
    const lines = server.logs.slice(before).filter((l) => l.msg === "request");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ method: "GET", path: createPath(), status: 200 });
    expect(typeof lines[0]!.duration_ms).toBe("number");
    expect(JSON.stringify(server.logs)).not.toContain(token);
    // At the default level a create is one line too: what the use case did is debug detail.
    const beforeCreate = server.logs.length;
    expect((await http(server.url, "POST", createPath(), { session: token, json: {} })).status).toBe(201);
    expect(server.logs.slice(beforeCreate).map((l) => l.msg)).toEqual(["request"]);
  });

  it("sets security headers and hides the framework", async () => {
    const res = await http(server.url, "GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: "ok" });
    expect(res.headers.get("x-powered-by")).toBeNull();
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
  });

  it("refuses state-changing cross-site requests with 403 and changes nothing", async () => {
    const before = await server.fixtures.countActive(chat);
    const attempts: Record<string, string>[] = [
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site" },
      { origin: "https://evil.example" },
      { origin: "null" },
    ];
    for (const headers of attempts) {
      for (const path of [createPath(), "/trpc/invite.create"]) {
        const res = await http(server.url, "POST", path, { session: token, json: path.startsWith("/trpc") ? { chat_id: chat.id } : {}, headers });
        expect(res.status).toBe(403);
      }
    }
    const rest = await http(server.url, "POST", createPath(), { session: token, json: {}, headers: { "sec-fetch-site": "cross-site" } });
    expect(rest.body).toMatchObject({ error: ErrorMessage.crossSiteRefused });
    expect(await server.fixtures.countActive(chat)).toBe(before);
  });

  it("refuses every form a cross-site page could send: create, revoke and join change nothing", async () => {
    const invite = await server.fixtures.invite(chat, null);
    const joiner = await server.fixtures.user();
    const joinerSession = await server.fixtures.session(joiner);
    const targets: [string, string][] = [
      [createPath(), token],
      [`/v1/portal/chats/${chat.id}/invites/${invite.code}/delete`, token],
      [`/v1/portal/resolve/${invite.code}`, joinerSession],
      ["/trpc/invite.create", token],
      ["/trpc/invite.revoke", token],
      ["/trpc/invite.redeem", joinerSession],
    ];
    // What an HTML form can send without a CORS preflight, from another site.
    const forms: [string, string][] = [
      ["application/x-www-form-urlencoded", `chat_id=${chat.id}&code=${invite.code}`],
      ["text/plain", JSON.stringify({ chat_id: chat.id, code: invite.code })],
      ["multipart/form-data; boundary=b", `--b\r\nContent-Disposition: form-data; name="code"\r\n\r\n${invite.code}\r\n--b--\r\n`],
    ];
    const before = await server.fixtures.countActive(chat);
    for (const [path, session] of targets) {
      for (const [type, body] of forms) {
        for (const fetchSite of ["cross-site", undefined]) {
          const headers: Record<string, string> = { "content-type": type };
          if (fetchSite) {
            headers["sec-fetch-site"] = fetchSite;
            headers.origin = "https://evil.example";
          }
          const res = await http(server.url, "POST", path, { session, body, headers });
          expect([403, 415], `${path} ${type} ${fetchSite}`).toContain(res.status);
        }
      }
      // Even a JSON body is refused when the browser says it is cross-site.
      const json = await http(server.url, "POST", path, {
        session,
        json: path.startsWith("/trpc") ? { chat_id: chat.id, code: invite.code } : {},
        headers: { "sec-fetch-site": "cross-site", origin: "https://evil.example" },
      });
      expect(json.status).toBe(403);
    }
    expect(await server.fixtures.countActive(chat)).toBe(before);
    expect(await server.fixtures.inviteRow(invite.code)).toMatchObject({ revoked_at: null, uses: 0 });
    const membership = await server.deps.db.selectFrom("chat_members").selectAll().where("user_id", "=", joiner.id).execute();
    expect(membership).toEqual([]);
  });

  it("bounds tRPC batches", async () => {
    const calls = Array.from({ length: 11 }, () => "user.me").join(",");
    const res = await http(server.url, "GET", `/trpc/${calls}?batch=1&input=%7B%7D`, { session: token });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { message: "A batch may hold at most 10 calls: split it", data: { correlation_id: expect.stringMatching(UUID_V4) } } });
    const ten = Array.from({ length: 10 }, () => "user.me").join(",");
    const ok = await http<unknown[]>(server.url, "GET", `/trpc/${ten}?batch=1&input=%7B%7D`, { session: token });
    expect(ok.status).toBe(200);
    expect(ok.body).toHaveLength(10);
  });

  it("puts the X-Correlation-ID header's id into tRPC's early errors, incl. an oversized batch (raised before a context exists)", async () => {
    const json = { "content-type": "application/json" };
    const early: [string, Promise<HttpResult>][] = [
      ["malformed JSON", http(server.url, "POST", "/trpc/invite.create", { session: token, body: '{"chat_id": ', headers: json })],
      ["a body over the limit", http(server.url, "POST", "/trpc/invite.create", { session: token, body: JSON.stringify({ padding: "x".repeat(17 * 1024) }), headers: json })],
      ["an unknown procedure", http(server.url, "GET", "/trpc/invite.nope", { session: token })],
      ["a batch too large", http(server.url, "GET", `/trpc/${Array.from({ length: 11 }, () => "user.me").join(",")}?batch=1&input=%7B%7D`, { session: token })],
      ["a batch of unknown procedures", http(server.url, "GET", "/trpc/nope.a,nope.b?batch=1&input=%7B%7D", { session: token })],
    ];
    for (const [what, pending] of early) {
      const res = await pending;
      const id = res.headers.get("x-correlation-id");
      expect(id, what).toMatch(UUID_V4);
      const envelopes = (Array.isArray(res.body) ? res.body : [res.body]) as { error: { data: { correlation_id: unknown } } }[];
      for (const envelope of envelopes) expect(envelope.error.data.correlation_id, what).toBe(id);
    }
  });

  it("puts the correlation id into the error of tRPC's last-resort handler (a Host it cannot make a URL of)", async () => {
    // tRPC's Node adapter formats this error before it calls onError, unlike every other path.
    const { status, headers, body } = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
      const url = new URL(server.url);
      const req = httpRequest({ host: url.hostname, port: url.port, path: "/trpc/user.me", headers: { host: "not a host", cookie: `psession=${token}` } }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      });
      req.on("error", reject);
      req.end();
    });
    expect(status).toBe(400);
    expect(headers["x-correlation-id"]).toMatch(UUID_V4);
    expect(JSON.parse(body)).toMatchObject({ error: { data: { code: "BAD_REQUEST", correlation_id: headers["x-correlation-id"] } } });
  });

  it("accepts same-origin requests and configured trusted origins", async () => {
    const allowed: Record<string, string>[] = [
      { "sec-fetch-site": "same-origin", origin: server.url },
      { origin: server.url },
      { origin: "https://app.example.com", "sec-fetch-site": "cross-site" },
    ];
    for (const headers of allowed) {
      const res = await http(server.url, "POST", createPath(), { session: token, json: {}, headers });
      expect(res.status).toBe(201);
    }
  });
});
