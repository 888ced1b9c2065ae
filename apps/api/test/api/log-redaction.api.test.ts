/**
 * SPEC section 9, "Secrets stay out of logs": previewing, joining and revoking an invite, by REST
 * and tRPC, and signing in, leave no invite code, login code or session token in any log line; a
 * logged path shows `:code` instead. Real server, real HTTP, every backend, every log level.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow, UserRow } from "../../src/db/schema.js";
import { issueLoginCode } from "../../src/services/auth.service.js";
import { BACKENDS } from "../support/backends.js";
import { http, trpcClient, trpcOutcome } from "../support/clients.js";
import { rawExchange } from "../support/raw-http.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe.each(BACKENDS)("log lines on %s", (backend) => {
  let server: TestServer;
  let owner: UserRow;
  let ownerSession: string;
  let chat: ChatRow;

  beforeAll(async () => {
    server = await startTestServer(backend, { LOG_LEVEL: "debug" });
    owner = await server.fixtures.user();
    ownerSession = await server.fixtures.session(owner);
    chat = await server.fixtures.chat({ owner, visibility: "private" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function createCode(): Promise<string> {
    const res = await http<{ code: string }>(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session: ownerSession, json: {} });
    expect(res.status).toBe(201);
    return res.body.code;
  }

  async function joiner() {
    const user = await server.fixtures.user();
    return server.fixtures.session(user);
  }

  /** Every log line written since `from`, as text, and the request lines among them. */
  function since(from: number) {
    const lines = server.logs.slice(from);
    return { text: JSON.stringify(lines), requests: lines.filter((l) => l.msg === "request") };
  }

  it("a REST preview, join and revoke log their paths with :code", async () => {
    const code = await createCode();
    const session = await joiner();
    const from = server.logs.length;
    expect((await http(server.url, "GET", `/v1/portal/resolve/${code}`, { session })).status).toBe(200);
    expect((await http(server.url, "POST", `/v1/portal/resolve/${code}`, { session })).status).toBe(200);
    expect((await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites/${code}/delete`, { session: ownerSession })).status).toBe(200);
    // A second revoke (404), an unknown code (404), another spelling the router accepts, the web app's page.
    await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites/${code}/delete`, { session: ownerSession });
    await http(server.url, "GET", `/v1/portal/resolve/${code}x`, { session });
    await http(server.url, "GET", `/V1/Portal/Resolve/${code}`, { session });
    await http(server.url, "GET", `/v1/portal/%72esolve/${code}`, { session });
    await http(server.url, "GET", `/join/${code}?from=mail`);
    const { text, requests } = since(from);
    expect(text).not.toContain(code);
    expect(requests.map((l) => [l.method, l.path, l.status])).toEqual([
      ["GET", "/v1/portal/resolve/:code", 200],
      ["POST", "/v1/portal/resolve/:code", 200],
      ["POST", `/v1/portal/chats/${chat.id}/invites/:code/delete`, 200],
      ["POST", `/v1/portal/chats/${chat.id}/invites/:code/delete`, 404],
      ["GET", "/v1/portal/resolve/:code", 404],
      ["GET", "/V1/Portal/Resolve/:code", expect.any(Number)],
      ["GET", "/v1/portal/resolve/:code", expect.any(Number)],
      ["GET", "/join/:code", 404],
    ]);
  });

  it("a tRPC preview, redeem and revoke (single and batched) log no code", async () => {
    const code = await createCode();
    const other = await createCode();
    const session = await joiner();
    const from = server.logs.length;
    const client = trpcClient(server.url, session);
    expect((await trpcOutcome(() => client.invite.preview.query({ code }))).status).toBe(200);
    expect((await trpcOutcome(() => client.invite.redeem.mutate({ code }))).status).toBe(200);
    expect((await trpcOutcome(() => trpcClient(server.url, ownerSession).invite.revoke.mutate({ chat_id: chat.id, code }))).status).toBe(200);
    const batch = encodeURIComponent(JSON.stringify({ 0: { code: other }, 1: { code } }));
    expect((await http(server.url, "GET", `/trpc/invite.preview,invite.preview?batch=1&input=${batch}`, { session })).status).toBe(207);
    const { text, requests } = since(from);
    expect(text).not.toContain(code);
    expect(text).not.toContain(other);
    expect(requests.map((l) => l.path)).toEqual(["/trpc/invite.preview", "/trpc/invite.redeem", "/trpc/invite.revoke", "/trpc/invite.preview,invite.preview"]);
  });

  it("signing in by REST and tRPC logs neither the login code nor the session token", async () => {
    const user = await server.fixtures.user();
    const { code: restCode } = await issueLoginCode(server.deps, user);
    const { code: trpcCode } = await issueLoginCode(server.deps, user);
    const from = server.logs.length;
    const verified = await http(server.url, "POST", "/v1/authentication/verify", { json: { code: restCode } });
    expect(verified.status).toBe(200);
    const token = /psession=([^;]+)/.exec(verified.headers.getSetCookie().join(";"))![1]!;
    await http(server.url, "POST", "/v1/authentication/verify", { json: { code: restCode } });
    const trpc = await http(server.url, "POST", "/trpc/auth.verify", { json: { code: trpcCode } });
    expect(trpc.status).toBe(200);
    const trpcToken = /psession=([^;]+)/.exec(trpc.headers.getSetCookie().join(";"))![1]!;
    await http(server.url, "GET", "/v1/users/me", { session: token });
    await http(server.url, "POST", "/v1/authentication/logout", { session: trpcToken });
    const { text, requests } = since(from);
    expect(requests).toHaveLength(5);
    for (const secret of [restCode, trpcCode, token, trpcToken]) expect(text).not.toContain(secret);
  });

  it("a request cut below Express logs no code either (a header block too large on a join)", async () => {
    const code = await createCode();
    const from = server.logs.length;
    const { response } = await rawExchange(
      server.url,
      `GET /v1/portal/resolve/${code} HTTP/1.1\r\nHost: localhost\r\nCookie: psession=${ownerSession}\r\nX-Big: ${"a".repeat(20 * 1024)}\r\n\r\n`,
    );
    expect(response?.status).toBe(431);
    const { text } = since(from);
    expect(server.logs.slice(from).map((l) => l.msg)).toContain("request refused");
    expect(text).not.toContain(code);
    expect(text).not.toContain(ownerSession);
  });
});
