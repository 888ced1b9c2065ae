/**
 * Live events on one instance (SPEC section 11), on both databases: the REST stream
 * (GET /v1/portal/chats/{chat_id}/events, read with a raw SSE client) and the tRPC subscription
 * `chat.events` (with @trpc/client's httpSubscriptionLink). Resume after a last event id (header
 * or query) sends every event after it once; access is that of listing invites; the stream ends
 * with the session; at most 10 open streams per user.
 */
import { chatEventSchema, ErrorMessage, type ChatEvent } from "@portal/contracts";
import { TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../../src/trpc/app-router.js";
import { BACKENDS } from "../support/backends.js";
import { http } from "../support/clients.js";
import { openSse, SSE_WAIT_MS, trpcSubscriptionClient, type SseStream } from "../support/sse.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const KEEPALIVE_MS = 300;

describe.each(BACKENDS)("live events on one instance (%s)", (backend) => {
  let server: TestServer;
  const open: SseStream[] = [];

  const stream = async (path: string, options: Parameters<typeof openSse>[2] = {}) => {
    const s = await openSse(server.url, path, options);
    open.push(s);
    return s;
  };
  const create = async (session: string, chatId: number, maxUses: number) => {
    const res = await http<{ code: string }>(server.url, "POST", `/v1/portal/chats/${chatId}/invites`, { session, json: { max_uses: maxUses } });
    expect(res.status).toBe(201);
    return res.body.code;
  };
  /** The chat's events as the table holds them (ids, in order). */
  const tableIds = async (chatId: number) =>
    (await server.database.db.selectFrom("chat_events").select("id").where("chat_id", "=", chatId).orderBy("id").execute()).map((r) => String(r.id));

  beforeAll(async () => {
    server = await startTestServer(backend, { EVENTS_KEEPALIVE_MS: String(KEEPALIVE_MS), EVENTS_ACCESS_CHECK_MS: "200" });
  });
  afterAll(async () => {
    for (const s of open) s.close();
    await server?.stop();
  });

  it("streams each create as an SSE frame (id, event, data), after a retry hint, with keep-alive comments", async () => {
    const owner = await server.fixtures.user();
    const session = await server.fixtures.session(owner);
    const chat = await server.fixtures.chat({ owner });
    await create(session, chat.id, 1); // before the stream: not sent without a last event id
    const s = await stream(`/v1/portal/chats/${chat.id}/events`, { session });
    expect(s.status).toBe(200);
    expect(s.headers["content-type"]).toBe("text/event-stream");
    expect(s.headers["cache-control"]).toContain("no-cache");
    expect(s.headers["x-accel-buffering"]).toBe("no");
    expect(s.headers["content-encoding"]).toBeUndefined();
    await s.waitFor((x) => x.retry !== null, "the retry hint");
    const codes = [await create(session, chat.id, 2), await create(session, chat.id, 3), await create(session, chat.id, 4)];
    await s.waitFor((x) => x.events().length >= 3, "three events");
    const events = s.events();
    expect(events.map((e) => e.type)).toEqual(["invite.created", "invite.created", "invite.created"]);
    expect(events.map((e) => (e.data as { code: string }).code)).toEqual(codes);
    for (const [i, event] of events.entries()) {
      expect(chatEventSchema.parse(event)).toEqual(event);
      expect(event.chat_id).toBe(chat.id);
      expect(s.frames[i]!.id).toBe(event.id);
      expect(s.frames[i]!.event).toBe(event.type);
    }
    expect(s.ids()).toEqual((await tableIds(chat.id)).slice(1));
    await s.waitFor((x) => x.comments.includes("keep-alive"), "a keep-alive comment");
  });

  it("resumes after Last-Event-ID (header) and ?last_event_id= with every later event once", async () => {
    const owner = await server.fixtures.user();
    const session = await server.fixtures.session(owner);
    const chat = await server.fixtures.chat({ owner });
    for (let i = 1; i <= 5; i++) await create(session, chat.id, i);
    const all = await tableIds(chat.id);
    expect(all).toHaveLength(5);

    const byHeader = await stream(`/v1/portal/chats/${chat.id}/events`, { session, lastEventId: all[1] });
    const byQuery = await stream(`/v1/portal/chats/${chat.id}/events?last_event_id=${all[3]}`, { session });
    // The header wins over the query (EventSource keeps the URL and sends the header when it reconnects).
    const both = await stream(`/v1/portal/chats/${chat.id}/events?last_event_id=${all[0]}`, { session, lastEventId: all[2] });
    await byHeader.waitFor((x) => x.ids().length >= 3, "the three replayed events");
    await byQuery.waitFor((x) => x.ids().length >= 1, "the replayed event");
    await both.waitFor((x) => x.ids().length >= 2, "the two replayed events");
    await create(session, chat.id, 6);
    const after = await tableIds(chat.id);
    for (const [s, from] of [[byHeader, 2], [byQuery, 4], [both, 3]] as const) {
      await s.waitFor((x) => x.ids().length >= after.length - from, "the live event");
      expect(s.ids()).toEqual(after.slice(from));
    }
  });

  it("resumes after an id whose events were purged (past retention) with what is still kept", async () => {
    const owner = await server.fixtures.user();
    const session = await server.fixtures.session(owner);
    const chat = await server.fixtures.chat({ owner });
    for (let i = 1; i <= 4; i++) await create(session, chat.id, i);
    const all = await tableIds(chat.id);
    // What the housekeeping job does past EVENTS_RETENTION_DAYS: the oldest events go.
    await server.database.db.deleteFrom("chat_events").where("id", "in", all.slice(0, 2).map(Number)).execute();
    const s = await stream(`/v1/portal/chats/${chat.id}/events`, { session, lastEventId: all[0] });
    await s.waitFor((x) => x.ids().length >= 2, "the retained events");
    expect(s.ids()).toEqual(all.slice(2));
  });

  it("answers 400 naming the field for a bad last event id, 401/403/404 as listing invites", async () => {
    const owner = await server.fixtures.user();
    const guest = await server.fixtures.user();
    const session = await server.fixtures.session(owner);
    const guestSession = await server.fixtures.session(guest);
    const chat = await server.fixtures.chat({ owner, visibility: "public" });
    const secret = await server.fixtures.chat({ owner, visibility: "private" });
    const path = `/v1/portal/chats/${chat.id}/events`;

    for (const bad of ["abc", "0", "-1", "1.5", "12345678901234567"]) {
      const byQuery = await stream(`${path}?last_event_id=${encodeURIComponent(bad)}`, { session });
      expect(byQuery.status, bad).toBe(400);
      expect((byQuery.body as { error: string }).error).toMatch(/^last_event_id /);
    }
    const byHeader = await stream(path, { session, lastEventId: "x1" });
    expect(byHeader.status).toBe(400);
    expect((byHeader.body as { error: string }).error).toBe(ErrorMessage.lastEventIdHeaderInvalid);

    expect((await stream(path)).status).toBe(401);
    expect((await stream(path, { session: guestSession })).status).toBe(403);
    expect((await stream(`/v1/portal/chats/${secret.id}/events`, { session: guestSession })).status).toBe(404);
    expect((await stream("/v1/portal/chats/999999/events", { session })).status).toBe(404);
    const wrong = await stream("/v1/portal/chats/abc/events", { session });
    expect(wrong.status).toBe(400);
    expect((wrong.body as { error: string }).error).toMatch(/chat_id/);
    for (const s of [wrong]) expect(s.body).toHaveProperty("correlation_id");
  });

  it("ends a stream at once when its session signs out, and at the next check when the account is banned", async () => {
    const owner = await server.fixtures.user();
    const session = await server.fixtures.session(owner);
    const other = await server.fixtures.session(owner);
    const chat = await server.fixtures.chat({ owner });
    const s = await stream(`/v1/portal/chats/${chat.id}/events`, { session });
    const kept = await stream(`/v1/portal/chats/${chat.id}/events`, { session: other });
    await s.waitFor((x) => x.retry !== null, "the stream to start");
    expect((await http(server.url, "POST", "/v1/authentication/logout", { session })).status).toBe(200);
    await s.closed;
    expect(s.comments).toContain(ErrorMessage.eventStreamSessionEnded);
    expect(kept.isClosed).toBe(false);

    await server.database.db.updateTable("users").set({ state: 2 }).where("id", "=", owner.id).execute();
    await kept.closed;
    expect(kept.comments).toContain(ErrorMessage.accountRestricted);
  });

  it("ends a stream when its user may no longer manage the chat", async () => {
    const owner = await server.fixtures.user();
    const chat = await server.fixtures.chat({ owner, visibility: "private" });
    const session = await server.fixtures.session(owner);
    const s = await stream(`/v1/portal/chats/${chat.id}/events`, { session });
    await s.waitFor((x) => x.retry !== null, "the stream to start");
    const newOwner = await server.fixtures.user();
    await server.database.db.updateTable("chats").set({ owner_id: newOwner.id }).where("id", "=", chat.id).execute();
    await s.closed;
    expect(s.comments).toContain(ErrorMessage.eventStreamAccessLost);
  });

  it("refuses the 11th open stream of a user with 429 naming the limit, and takes one again when one closes", async () => {
    const owner = await server.fixtures.user();
    const session = await server.fixtures.session(owner);
    const chat = await server.fixtures.chat({ owner });
    const path = `/v1/portal/chats/${chat.id}/events`;
    const ten = await Promise.all(Array.from({ length: 10 }, () => stream(path, { session })));
    expect(ten.map((s) => s.status)).toEqual(Array(10).fill(200));
    const eleventh = await stream(path, { session });
    expect(eleventh.status).toBe(429);
    expect((eleventh.body as { error: string }).error).toBe(ErrorMessage.eventStreamLimit);
    expect(eleventh.headers["retry-after"]).toBeDefined();
    const trpc = trpcSubscriptionClient(server.url, session);
    const refused = await new Promise<unknown>((resolve) => {
      const sub = trpc.chat.events.subscribe({ chat_id: chat.id }, { onError: (error) => (sub.unsubscribe(), resolve(error)) });
    });
    expect(refused).toBeInstanceOf(TRPCClientError);
    expect(codeOf(refused)).toBe("TOO_MANY_REQUESTS");

    ten[0]!.close();
    // The lease goes when the server notices the close.
    let again: SseStream | undefined;
    for (let i = 0; i < 100 && again?.status !== 200; i++) {
      again?.close();
      await new Promise((r) => setTimeout(r, 50));
      again = await stream(path, { session });
    }
    expect(again?.status).toBe(200);
    for (const s of ten) s.close();
  });

  describe("tRPC chat.events over httpSubscriptionLink", () => {
    it("receives the events as tracked ids, resumes after lastEventId, and ends with UNAUTHORIZED on sign-out", async () => {
      const owner = await server.fixtures.user();
      const session = await server.fixtures.session(owner);
      const chat = await server.fixtures.chat({ owner });
      const client = trpcSubscriptionClient(server.url, session);
      const received: { id: string; data: ChatEvent }[] = [];
      let started!: () => void;
      const startedPromise = new Promise<void>((r) => (started = r));
      let failed!: (error: unknown) => void;
      const failedPromise = new Promise<unknown>((r) => (failed = r));
      const sub = client.chat.events.subscribe(
        { chat_id: chat.id },
        { onStarted: () => started(), onData: (event) => received.push(event), onError: (error) => failed(error) },
      );
      await startedPromise;
      await create(session, chat.id, 1);
      await create(session, chat.id, 2);
      await waitUntil(() => received.length >= 2, "two events over tRPC");
      expect(received.map((e) => e.id)).toEqual(await tableIds(chat.id));
      expect(received.map((e) => e.data.id)).toEqual(received.map((e) => e.id));
      expect(received.every((e) => chatEventSchema.safeParse(e.data).success)).toBe(true);

      // A new subscription with the first id resumes after it.
      const resumed: string[] = [];
      const second = client.chat.events.subscribe({ chat_id: chat.id, lastEventId: received[0]!.id }, { onData: (e) => resumed.push(e.id) });
      await waitUntil(() => resumed.length >= 1, "the replayed event");
      expect(resumed).toEqual([received[1]!.id]);
      second.unsubscribe();

      expect((await http(server.url, "POST", "/v1/authentication/logout", { session })).status).toBe(200);
      const error = await failedPromise;
      expect(error).toBeInstanceOf(TRPCClientError);
      expect(codeOf(error)).toBe("UNAUTHORIZED");
      sub.unsubscribe();
    });

    it("refuses a caller who cannot manage the chat (FORBIDDEN) and a bad last_event_id (BAD_REQUEST naming it)", async () => {
      const owner = await server.fixtures.user();
      const guest = await server.fixtures.user();
      const chat = await server.fixtures.chat({ owner, visibility: "public" });
      const errorOf = (session: string, input: Parameters<ReturnType<typeof trpcSubscriptionClient>["chat"]["events"]["subscribe"]>[0]) =>
        new Promise<TRPCClientError<AppRouter>>((resolve) => {
          const sub = trpcSubscriptionClient(server.url, session).chat.events.subscribe(input, {
            onError: (error) => {
              sub.unsubscribe();
              resolve(error as TRPCClientError<AppRouter>);
            },
          });
        });
      expect((await errorOf(await server.fixtures.session(guest), { chat_id: chat.id })).data?.code).toBe("FORBIDDEN");
      const bad = await errorOf(await server.fixtures.session(owner), { chat_id: chat.id, last_event_id: "nope" });
      expect(bad.data?.code).toBe("BAD_REQUEST");
      expect(bad.message).toMatch(/^last_event_id /);
    });
  });
});

function codeOf(error: unknown): string | undefined {
  return (error as TRPCClientError<AppRouter>).data?.code;
}

async function waitUntil(done: () => boolean, what: string, timeoutMs = SSE_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
