/**
 * The served OpenAPI document is a valid OpenAPI 3.1 document, and real responses of every route,
 * successes and errors, validate against it (openapi-backend's response validator, Ajv): their
 * bodies, and their headers both ways (every required header is sent, every API header sent is
 * documented for that status). Rate limits are on, so the RateLimit headers are sent too.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { OpenAPIBackend } from "openapi-backend";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueLoginCode } from "../../src/services/auth.service.js";
import { http, type HttpResult } from "../support/clients.js";
import { openSse } from "../support/sse.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

/** The response headers of the API itself (the others are HTTP's and helmet's). */
const API_HEADERS = ["x-correlation-id", "ratelimit", "ratelimit-policy", "retry-after", "set-cookie", "idempotent-replayed"];

describe("OpenAPI document", () => {
  let server: TestServer;
  let api: OpenAPIBackend;
  let document: Record<string, unknown>;

  beforeAll(async () => {
    server = await startTestServer("sqlite", { PORTAL_DEMO: "1", RATE_LIMITS: "on" });
    const res = await http<Record<string, unknown>>(server.url, "GET", "/v1/openapi.json");
    expect(res.status).toBe(200);
    document = res.body;
    // The document itself is checked by the 3.1 validator below; openapi-backend's own definition
    // check only knows 3.0's schema dialect, so it is skipped (quick) and used for responses only.
    api = new OpenAPIBackend({
      definition: structuredClone(document) as never,
      quick: true,
      customizeAjv: (ajv) => {
        ajv.addFormat("uuid", /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i);
        return ajv;
      },
    });
    await api.init();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(structuredClone(document) as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("validates real responses of every route, successes and errors", async () => {
    const checked = new Set<string>();
    const check = (operationId: string, res: HttpResult) => {
      const result = api.validator.validateResponse(res.body, operationId, res.status);
      expect(result.valid, `${operationId} ${res.status}: ${JSON.stringify(res.body)} ${JSON.stringify(result.errors)}`).toBe(true);
      checkHeaders(operationId, res);
      checked.add(operationId);
    };
    const componentHeaders = (document.components as { headers: Record<string, { required?: boolean }> }).headers;
    const checkHeaders = (operationId: string, res: HttpResult) => {
      type Header = { $ref?: string; required?: boolean };
      const response = (api.getOperation(operationId)!.responses as Record<string, { headers?: Record<string, Header> }>)[String(res.status)];
      // openapi-backend has dereferenced the document; a reference is resolved here in case it has not.
      const resolve = (h: Header) => (h.$ref ? componentHeaders[h.$ref.split("/").pop()!]! : h);
      const declared = Object.entries(response?.headers ?? {}).map(([name, h]) => ({ name, required: resolve(h).required === true }));
      const where = `${operationId} ${res.status}`;
      for (const { name, required } of declared) if (required) expect(res.headers.has(name), `${where} sends ${name}`).toBe(true);
      const names = new Set(declared.map(({ name }) => name.toLowerCase()));
      for (const name of API_HEADERS) if (res.headers.has(name)) expect(names.has(name), `${where} documents ${name}`).toBe(true);
    };
    const f = server.fixtures;
    const owner = await f.user();
    const guest = await f.user();
    const session = await f.session(owner);
    const guestSession = await f.session(guest);
    const chat = await f.chat({ owner, name: "Documented" });

    const created = await http<{ code: string }>(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, {
      session,
      json: { max_uses: 3, expires_at: "2099-01-01T00:00:00Z" },
    });
    check("createInvite", created);
    check("createInvite", await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: { max_uses: 0 } }));
    check("createInvite", await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { json: {} }));
    check("createInvite", await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session: guestSession, json: {} }));
    check("createInvite", await http(server.url, "POST", "/v1/portal/chats/999999/invites", { session, json: {} }));
    check("createInvite", await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, body: "x", headers: { "content-type": "text/plain" } }));

    const keyed = (json: unknown) =>
      http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json, headers: { "idempotency-key": "openapi-key" } });
    check("createInvite", await keyed({ max_uses: 2 }));
    const replayed = await keyed({ max_uses: 2 });
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(replayed.headers.get("ratelimit")).toMatch(/^"general"; r=\d+; t=\d+$/);
    check("createInvite", replayed);
    const mismatch = await keyed({ max_uses: 5 });
    expect(mismatch.status).toBe(422);
    check("createInvite", mismatch);
    const createParameters = ((document.paths as Record<string, Record<string, { parameters: { name: string }[] }>>)["/v1/portal/chats/{chat_id}/invites"]!.post!).parameters;
    expect(createParameters.map((p) => p.name)).toContain("Idempotency-Key");

    check("listInvites", await http(server.url, "GET", `/v1/portal/chats/${chat.id}/invites`, { session }));
    check("listInvites", await http(server.url, "GET", "/v1/portal/chats/abc/invites", { session }));

    check("previewInvite", await http(server.url, "GET", `/v1/portal/resolve/${created.body.code}`, { session: guestSession }));
    check("previewInvite", await http(server.url, "GET", "/v1/portal/resolve/nothing", { session: guestSession }));
    check("redeemInvite", await http(server.url, "POST", `/v1/portal/resolve/${created.body.code}`, { session: guestSession }));
    check("redeemInvite", await http(server.url, "POST", "/v1/portal/resolve/nothing", { session: guestSession }));

    check("chatActivity", await http(server.url, "GET", `/v1/portal/chats/${chat.id}/activity?limit=10`, { session }));
    check("chatActivity", await http(server.url, "GET", `/v1/portal/chats/${chat.id}/activity?limit=500`, { session }));

    // Live events (SPEC section 11): each event of the stream is the documented 200 schema.
    const events = `/v1/portal/chats/${chat.id}/events`;
    check("chatEvents", await http(server.url, "GET", `${events}?last_event_id=abc`, { session }));
    check("chatEvents", await http(server.url, "GET", events));
    check("chatEvents", await http(server.url, "GET", "/v1/portal/chats/999999/events", { session }));
    const live = await openSse(server.url, events, { session, lastEventId: "1" });
    try {
      await live.waitFor((s) => s.events().length >= 1, "the replayed event");
      const headers = new Headers(Object.entries(live.headers).map(([name, value]) => [name, String(value)]));
      for (const event of live.events()) check("chatEvents", { status: live.status, headers, body: event });
    } finally {
      live.close();
    }

    // Invite management (SPEC section 10).
    const base = `/v1/portal/chats/${chat.id}`;
    check("updateInvite", await http(server.url, "POST", `${base}/invites/${created.body.code}/update`, { session, json: { max_uses: 5 } }));
    check("updateInvite", await http(server.url, "POST", `${base}/invites/${created.body.code}/update`, { session, json: {} }));
    check("updateInvite", await http(server.url, "POST", `${base}/invites/nosuchcode/update`, { session, json: { max_uses: 5 } }));
    check("inviteSettings", await http(server.url, "GET", `${base}/invite-settings`, { session }));
    check("inviteSettings", await http(server.url, "GET", `${base}/invite-settings`, { session: guestSession }));
    check("updateInviteSettings", await http(server.url, "POST", `${base}/invite-settings/update`, { session, json: { join_approval: true } }));
    check("updateInviteSettings", await http(server.url, "POST", `${base}/invite-settings/update`, { session, json: { paused_until: "2000-01-01T00:00:00Z" } }));
    const requester = await f.user();
    const requesterSession = await f.session(requester);
    check("redeemInvite", await http(server.url, "POST", `/v1/portal/resolve/${created.body.code}`, { session: requesterSession }));
    check("previewInvite", await http(server.url, "GET", `/v1/portal/resolve/${created.body.code}`));
    check("joinRequests", await http(server.url, "GET", `${base}/join-requests`, { session }));
    check("joinRequests", await http(server.url, "GET", `${base}/join-requests?limit=0`, { session }));
    check("approveJoinRequest", await http(server.url, "POST", `${base}/join-requests/${requester.id}/approve`, { session }));
    check("approveJoinRequest", await http(server.url, "POST", `${base}/join-requests/${requester.id}/approve`, { session }));
    check("declineJoinRequest", await http(server.url, "POST", `${base}/join-requests/${requester.id}/decline`, { session }));
    check("chatActivity", await http(server.url, "GET", `${base}/activity?invite_code=${created.body.code}`, { session }));
    check("updateInviteSettings", await http(server.url, "POST", `${base}/invite-settings/update`, { session, json: { join_approval: false } }));

    check("revokeInvite", await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites/${created.body.code}/delete`, { session }));
    check("revokeInvite", await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites/${created.body.code}/delete`, { session }));

    check("revokeAllInvites", await http(server.url, "POST", `${base}/invites/revoke-all`, { session }));
    check("revokeAllInvites", await http(server.url, "POST", `${base}/invites/revoke-all`, { session: guestSession }));
    check("me", await http(server.url, "GET", "/v1/users/me", { session }));
    check("me", await http(server.url, "GET", "/v1/users/me"));
    check("myChats", await http(server.url, "GET", "/v1/users/me/chats", { session: guestSession }));

    const { code } = await issueLoginCode(server.deps, owner);
    check("verifyLoginCode", await http(server.url, "POST", "/v1/authentication/verify", { json: { code } }));
    check("verifyLoginCode", await http(server.url, "POST", "/v1/authentication/verify", { json: { code } }));
    check("demoLogin", await http(server.url, "POST", "/v1/dev/login", { json: { username: "umar" } }));
    check("demoLogin", await http(server.url, "POST", "/v1/dev/login", { json: { username: "nobody" } }));
    check("logout", await http(server.url, "POST", "/v1/authentication/logout", { session }));
    check("logout", await http(server.url, "POST", "/v1/authentication/logout", { session }));
    check("health", await http(server.url, "GET", "/health"));

    // The validator is not vacuous: a body that breaks the document fails.
    expect(api.validator.validateResponse({ code: 5, chat_id: "x" }, "createInvite", 201).valid).toBe(false);
    expect(api.validator.validateResponse({ error: "x" }, "createInvite", 409).valid).toBe(false);

    const operations = api
      .getOperations()
      .map((o) => o.operationId ?? "")
      .filter((id) => id !== "openapi");
    expect([...checked].sort()).toEqual(operations.sort());
  });
});
