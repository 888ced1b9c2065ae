/**
 * A create sent with an Idempotency-Key (SPEC section 9), over real HTTP, on every backend, through
 * REST and through a real tRPC client: the first request runs, its retries get the same answer
 * again and create nothing, a different request under the same key is refused with 422.
 */
import { ErrorMessage } from "@portal/contracts";
import { PermissionLevel } from "@portal/core";
import { createTRPCClient, httpLink } from "@trpc/client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow, UserRow } from "../../src/db/schema.js";
import { BACKENDS } from "../support/backends.js";
import { http, trpcOutcome } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";
import type { AppRouter } from "../../src/trpc/app-router.js";

const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Answer {
  status: number;
  body: Record<string, unknown>;
  /** The response's Idempotent-Replayed header, null when absent. */
  replayed: string | null;
}

interface Transport {
  name: "rest" | "trpc";
  created: number;
  /** A create; `key` undefined sends no Idempotency-Key header. */
  create(session: string, chatId: number, body: Record<string, unknown>, key?: string): Promise<Answer>;
}

/** A real tRPC client that sends the key as a header on its HTTP request and reads the response's header. */
async function trpcCreate(url: string, session: string, input: Record<string, unknown>, key?: string): Promise<Answer> {
  let replayed: string | null = null;
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${url}/trpc`,
        headers: () => ({ cookie: `psession=${session}`, ...(key === undefined ? {} : { "idempotency-key": key }) }),
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          replayed = response.headers.get("idempotent-replayed");
          return response;
        },
      }),
    ],
  });
  const outcome = await trpcOutcome(() => client.invite.create.mutate(input as never));
  return { status: outcome.status, body: outcome.body as Record<string, unknown>, replayed };
}

function transports(url: string): Transport[] {
  return [
    {
      name: "rest",
      created: 201,
      create: async (session, chatId, body, key) => {
        const res = await http<Record<string, unknown>>(url, "POST", `/v1/portal/chats/${chatId}/invites`, {
          session,
          json: body,
          ...(key === undefined ? {} : { headers: { "idempotency-key": key } }),
        });
        return { status: res.status, body: res.body, replayed: res.headers.get("idempotent-replayed") };
      },
    },
    { name: "trpc", created: 200, create: (session, chatId, body, key) => trpcCreate(url, session, { chat_id: chatId, ...body }, key) },
  ];
}

let keys = 0;
const newKey = () => `key-${++keys}-${Math.random().toString(36).slice(2)}`;

describe.each(BACKENDS)("Idempotency-Key on create, on %s", (backend) => {
  let server: TestServer;
  let owner: UserRow;
  let ownerSession: string;
  const realNow = () => Date.now();

  beforeAll(async () => {
    server = await startTestServer(backend);
    owner = await server.fixtures.user();
    ownerSession = await server.fixtures.session(owner);
  });

  afterEach(() => {
    // Tests that move the server's clock or its code generator put them back, even when they fail.
    server.deps.now = realNow;
  });

  afterAll(async () => {
    await server?.stop();
  });

  const invitesOf = async (chat: ChatRow) =>
    server.deps.db.selectFrom("invites").select(["code"]).where("chat_id", "=", chat.id).execute();
  const storedKeys = async (user: UserRow) =>
    server.deps.db.selectFrom("idempotency_keys").selectAll().where("user_id", "=", user.id).execute();

  describe.each(["rest", "trpc"] as const)("over %s", (transportName) => {
    const t = () => transports(server.url).find((x) => x.name === transportName)!;
    const errorOf = (answer: Answer) => answer.body.error as string;

    it("the first request creates; a retry gets the same invite again, marked replayed, and creates nothing", async () => {
      const chat = await server.fixtures.chat({ owner });
      const key = newKey();
      const first = await t().create(ownerSession, chat.id, { max_uses: 5 }, key);
      expect(first.status).toBe(t().created);
      expect(first.replayed).toBeNull();
      expect(first.body).toMatchObject({ chat_id: chat.id, max_uses: 5, uses: 0 });

      const again = await t().create(ownerSession, chat.id, { max_uses: 5 }, key);
      const third = await t().create(ownerSession, chat.id, { max_uses: 5 }, key);
      for (const retry of [again, third]) {
        expect(retry.status).toBe(t().created);
        expect(retry.replayed).toBe("true");
        expect(retry.body).toEqual(first.body);
      }
      expect(await invitesOf(chat)).toEqual([{ code: first.body.code }]);
      // One slot of the quota used, once: the list shows the one invite.
      const list = await http<{ invites: { code: string }[] }>(server.url, "GET", `/v1/portal/chats/${chat.id}/invites`, { session: ownerSession });
      expect(list.body.invites.map((i) => i.code)).toEqual([first.body.code]);
    });

    it("an empty body and explicit nulls are the same request", async () => {
      const chat = await server.fixtures.chat({ owner });
      const key = newKey();
      const first = await t().create(ownerSession, chat.id, {}, key);
      const again = await t().create(ownerSession, chat.id, { max_uses: null, expires_at: null }, key);
      expect(again.status).toBe(t().created);
      expect(again.replayed).toBe("true");
      expect(again.body.code).toBe(first.body.code);
      expect(await invitesOf(chat)).toHaveLength(1);
    });

    it("a create without the key is not deduplicated (and stores nothing)", async () => {
      const chat = await server.fixtures.chat({ owner });
      const before = (await storedKeys(owner)).length;
      const a = await t().create(ownerSession, chat.id, {});
      const b = await t().create(ownerSession, chat.id, {});
      expect([a.status, b.status]).toEqual([t().created, t().created]);
      expect(a.body.code).not.toBe(b.body.code);
      expect(a.replayed).toBeNull();
      expect(await storedKeys(owner)).toHaveLength(before);
    });

    it("a 409 (quota reached) is answered again to a retry, with its own correlation_id, even once there is room", async () => {
      const chat = await server.fixtures.chat({ owner });
      const existing = [];
      for (let i = 0; i < 20; i++) existing.push(await server.fixtures.invite(chat, owner));
      const key = newKey();
      const first = await t().create(ownerSession, chat.id, {}, key);
      expect(first.status).toBe(409);
      expect(errorOf(first)).toBe(ErrorMessage.inviteLimitReached);
      expect(first.replayed).toBeNull();

      // Room again: a retry still gets the first answer, and takes no slot.
      const revoked = await http(server.url, "POST", `/v1/portal/chats/${chat.id}/invites/${existing[0]!.code}/delete`, { session: ownerSession });
      expect(revoked.status).toBe(200);
      const again = await t().create(ownerSession, chat.id, {}, key);
      expect(again.status).toBe(409);
      expect(again.replayed).toBe("true");
      expect(errorOf(again)).toBe(ErrorMessage.inviteLimitReached);
      expect(again.body.correlation_id).toMatch(UUID);
      expect(again.body.correlation_id).not.toBe(first.body.correlation_id);
      expect(await server.fixtures.countActive(chat)).toBe(19);
    });

    it("a 409 (archived chat) and a 404 (unknown chat) are kept too", async () => {
      const archived = await server.fixtures.chat({ owner, archived: true });
      const key = newKey();
      for (const replayed of [null, "true"]) {
        const answer = await t().create(ownerSession, archived.id, {}, key);
        expect([answer.status, errorOf(answer), answer.replayed]).toEqual([409, ErrorMessage.chatArchived, replayed]);
      }
      const unknownKey = newKey();
      for (const replayed of [null, "true"]) {
        const answer = await t().create(ownerSession, 2_000_000_000, {}, unknownKey);
        expect([answer.status, errorOf(answer), answer.replayed]).toEqual([404, ErrorMessage.chatNotFound, replayed]);
      }
    });

    it("the same key with a different body, or a different chat, answers 422 and creates nothing", async () => {
      const chat = await server.fixtures.chat({ owner });
      const other = await server.fixtures.chat({ owner });
      const key = newKey();
      const first = await t().create(ownerSession, chat.id, { max_uses: 1 }, key);
      expect(first.status).toBe(t().created);

      const differentBody = await t().create(ownerSession, chat.id, { max_uses: 2 }, key);
      const differentChat = await t().create(ownerSession, other.id, { max_uses: 1 }, key);
      for (const answer of [differentBody, differentChat]) {
        expect(answer.status).toBe(422);
        expect(errorOf(answer)).toBe(ErrorMessage.idempotencyKeyMismatch);
        expect(answer.body.correlation_id).toMatch(UUID);
        expect(answer.replayed).toBeNull();
      }
      if (transportName === "trpc") expect(differentBody.body.code).toBe("UNPROCESSABLE_CONTENT");
      expect(await invitesOf(chat)).toHaveLength(1);
      expect(await invitesOf(other)).toHaveLength(0);
      // The first answer still stands.
      const again = await t().create(ownerSession, chat.id, { max_uses: 1 }, key);
      expect([again.status, again.body.code, again.replayed]).toEqual([t().created, first.body.code, "true"]);
    });

    it("keys are per user: another user's same key is independent", async () => {
      const chat = await server.fixtures.chat({ owner, visibility: "public" });
      const mod = await server.fixtures.user({ level: PermissionLevel.Mod });
      const modSession = await server.fixtures.session(mod);
      const key = newKey();
      const mine = await t().create(ownerSession, chat.id, {}, key);
      const theirs = await t().create(modSession, chat.id, {}, key);
      // Even a different body under the same key is no conflict across users.
      const theirOtherChat = await server.fixtures.chat({ owner: mod });
      const otherKeyUse = await t().create(modSession, theirOtherChat.id, { max_uses: 3 }, newKey());
      for (const answer of [mine, theirs, otherKeyUse]) {
        expect(answer.status).toBe(t().created);
        expect(answer.replayed).toBeNull();
      }
      expect(theirs.body.code).not.toBe(mine.body.code);
      expect(theirs.body.created_by_id).toBe(mod.id);
      expect(await invitesOf(chat)).toHaveLength(2);
    });

    it.each<[string, string]>([
      ["empty", ""],
      ["256 characters", "k".repeat(256)],
      ["with a space", "two words"],
    ])("an invalid key (%s) answers 400 naming the header, and creates nothing", async (_name, key) => {
      const chat = await server.fixtures.chat({ owner });
      const answer = await t().create(ownerSession, chat.id, {}, key);
      expect(answer.status).toBe(400);
      expect(errorOf(answer)).toBe(ErrorMessage.idempotencyKeyInvalid);
      expect(await invitesOf(chat)).toHaveLength(0);
    });

    it("a key of 255 visible ASCII characters is taken", async () => {
      const chat = await server.fixtures.chat({ owner });
      const key = `${newKey()}!~"{}`.padEnd(255, "#");
      const first = await t().create(ownerSession, chat.id, {}, key);
      const again = await t().create(ownerSession, chat.id, {}, key);
      expect([first.status, again.status, again.replayed]).toEqual([t().created, t().created, "true"]);
      expect(again.body.code).toBe(first.body.code);
    });

    it("after 24 hours the key is as if never used: the same request creates again", async () => {
      const chat = await server.fixtures.chat({ owner });
      const key = newKey();
      const first = await t().create(ownerSession, chat.id, {}, key);
      server.deps.now = () => realNow() + DAY_MS - 60_000;
      const withinADay = await t().create(ownerSession, chat.id, {}, key);
      expect([withinADay.status, withinADay.body.code, withinADay.replayed]).toEqual([t().created, first.body.code, "true"]);

      server.deps.now = () => realNow() + DAY_MS + 1000;
      const nextDay = await t().create(ownerSession, chat.id, {}, key);
      expect(nextDay.status).toBe(t().created);
      expect(nextDay.replayed).toBeNull();
      expect(nextDay.body.code).not.toBe(first.body.code);
      // A different body is no conflict either, once the old answer is gone.
      server.deps.now = () => realNow() + 2 * DAY_MS + 2000;
      const different = await t().create(ownerSession, chat.id, { max_uses: 9 }, key);
      expect([different.status, different.replayed, different.body.max_uses]).toEqual([t().created, null, 9]);
      expect(await invitesOf(chat)).toHaveLength(3);
    });

    it("a retry after the expiry it asked for has passed still gets the invite, not a 400", async () => {
      const chat = await server.fixtures.chat({ owner });
      const key = newKey();
      const inAnHour = new Date(Math.floor(realNow() / 1000) * 1000 + 3_600_000).toISOString().replace(".000Z", "Z");
      const first = await t().create(ownerSession, chat.id, { expires_at: inAnHour }, key);
      expect(first.status).toBe(t().created);
      server.deps.now = () => realNow() + 2 * 3_600_000;
      const again = await t().create(ownerSession, chat.id, { expires_at: inAnHour }, key);
      expect([again.status, again.body.code, again.replayed]).toEqual([t().created, first.body.code, "true"]);
    });

    it("a create that failed with a 500 keeps nothing: its retry runs again", async () => {
      const chat = await server.fixtures.chat({ owner });
      const taken = await server.fixtures.invite(chat, owner);
      const key = newKey();
      const newInviteCode = server.deps.newInviteCode;
      // Every code drawn collides: the create gives up with an unexpected error (a 500), inside its transaction.
      server.deps.newInviteCode = () => taken.code;
      let failed: Answer;
      try {
        failed = await t().create(ownerSession, chat.id, {}, key);
      } finally {
        server.deps.newInviteCode = newInviteCode;
      }
      expect(failed.status).toBe(500);
      expect(errorOf(failed)).toBe(ErrorMessage.internal);
      expect((await storedKeys(owner)).filter((r) => r.idempotency_key === key)).toEqual([]);

      const retry = await t().create(ownerSession, chat.id, {}, key);
      expect([retry.status, retry.replayed]).toEqual([t().created, null]);
      expect(await invitesOf(chat)).toHaveLength(2);
    });

    it("a 400 for the body is not kept: the key is still free for a corrected request", async () => {
      const chat = await server.fixtures.chat({ owner });
      const key = newKey();
      const bad = await t().create(ownerSession, chat.id, { expires_at: "2001-01-01T00:00:00Z" }, key);
      expect([bad.status, errorOf(bad)]).toEqual([400, ErrorMessage.expiresAtInPast]);
      const fixed = await t().create(ownerSession, chat.id, {}, key);
      expect([fixed.status, fixed.replayed]).toEqual([t().created, null]);
    });
  });

  it("a key used over REST is the same key over tRPC (one service, one store)", async () => {
    const chat = await server.fixtures.chat({ owner });
    const [rest, trpc] = transports(server.url);
    const key = newKey();
    const first = await rest!.create(ownerSession, chat.id, { max_uses: 4 }, key);
    const again = await trpc!.create(ownerSession, chat.id, { max_uses: 4 }, key);
    expect(first.status).toBe(201);
    expect([again.status, again.replayed]).toEqual([200, "true"]);
    expect(again.body).toEqual(first.body);
    const conflict = await trpc!.create(ownerSession, chat.id, { max_uses: 5 }, key);
    expect(conflict.status).toBe(422);
  });

  it("tRPC: a batch of several calls with a key is refused with 400; a batch of one call takes the key", async () => {
    const chat = await server.fixtures.chat({ owner });
    const key = newKey();
    const headers = { "idempotency-key": key };
    const batch = await http<{ error?: { message: string; data: { httpStatus: number } }; result?: unknown }[]>(
      server.url,
      "POST",
      "/trpc/invite.create,invite.create?batch=1",
      { session: ownerSession, json: { 0: { chat_id: chat.id }, 1: { chat_id: chat.id } }, headers },
    );
    expect(batch.body.map((call) => [call.error?.data.httpStatus, call.error?.message])).toEqual([
      [400, ErrorMessage.idempotencyKeyInBatch],
      [400, ErrorMessage.idempotencyKeyInBatch],
    ]);
    expect(await invitesOf(chat)).toHaveLength(0);

    const one = () =>
      http<{ result: { data: { code: string } } }[]>(server.url, "POST", "/trpc/invite.create?batch=1", {
        session: ownerSession,
        json: { 0: { chat_id: chat.id } },
        headers,
      });
    const first = await one();
    const again = await one();
    expect([first.status, again.status, again.headers.get("idempotent-replayed")]).toEqual([200, 200, "true"]);
    expect(again.body[0]!.result.data.code).toBe(first.body[0]!.result.data.code);
    expect(await invitesOf(chat)).toHaveLength(1);
  });

  it("stores one row per key, with the request's hash and the answer, never the session", async () => {
    const chat = await server.fixtures.chat({ owner });
    const key = newKey();
    const first = await transports(server.url)[0]!.create(ownerSession, chat.id, {}, key);
    const rows = (await storedKeys(owner)).filter((r) => r.idempotency_key === key);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.request_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]!.outcome).toBe("CREATED");
    expect(JSON.parse(rows[0]!.response)).toEqual(first.body);
    expect(JSON.stringify(rows[0])).not.toContain(ownerSession);
  });
});
