/**
 * The invite routes over real HTTP, on every backend, through REST and tRPC from one table of
 * cases: both adapters must give the same outcome (status and message) for the same request.
 */
import { ErrorMessage } from "@portal/contracts";
import { PermissionLevel, UserState } from "@portal/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow, UserRow } from "../../src/db/schema.js";
import { sha256Hex } from "../../src/services/secrets.js";
import { BACKENDS } from "../support/backends.js";
import { http, trpcClient, trpcOutcome } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const EXPIRES_FORMAT = "expires_at must be an ISO 8601 date-time with a UTC offset, such as 2026-05-01T00:00:00Z, or null";
const MAX_USES_TYPE = "max_uses must be a whole number from 1 to 2147483647, or null for unlimited";
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const inAYear = () => new Date(Date.now() + 365 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z");

interface Outcome {
  status: number;
  body: unknown;
}

/** The three invite operations, once over REST and once over tRPC. */
interface Transport {
  name: "rest" | "trpc";
  created: number;
  create(session: string | undefined, chatId: unknown, body: Record<string, unknown>): Promise<Outcome>;
  list(session: string | undefined, chatId: unknown): Promise<Outcome>;
  revoke(session: string | undefined, chatId: unknown, code: string): Promise<Outcome>;
}

function transports(url: string): Transport[] {
  return [
    {
      name: "rest",
      created: 201,
      create: (session, chatId, body) => http(url, "POST", `/v1/portal/chats/${String(chatId)}/invites`, { session, json: body }),
      list: (session, chatId) => http(url, "GET", `/v1/portal/chats/${String(chatId)}/invites`, { session }),
      revoke: (session, chatId, code) => http(url, "POST", `/v1/portal/chats/${String(chatId)}/invites/${code}/delete`, { session }),
    },
    {
      name: "trpc",
      created: 200,
      create: (session, chatId, body) =>
        trpcOutcome(() => trpcClient(url, session).invite.create.mutate({ chat_id: chatId, ...body } as never)),
      list: (session, chatId) => trpcOutcome(() => trpcClient(url, session).invite.list.query({ chat_id: chatId } as never)),
      revoke: (session, chatId, code) =>
        trpcOutcome(() => trpcClient(url, session).invite.revoke.mutate({ chat_id: chatId, code } as never)),
    },
  ];
}

function errorOf(outcome: Outcome): string {
  return (outcome.body as { error: string }).error;
}

describe.each(BACKENDS)("invite routes on %s", (backend) => {
  let server: TestServer;
  let owner: UserRow; // a User-level owner of the chats below
  let mod: UserRow;
  let member: UserRow;
  let stranger: UserRow;
  let banned: UserRow;
  let timedOut: UserRow;
  let pastTimeout: UserRow;
  let publicChat: ChatRow;
  let privateChat: ChatRow;
  let archivedChat: ChatRow;
  const sessions = new Map<UserRow, string>();
  const s = (user: UserRow) => sessions.get(user);

  beforeAll(async () => {
    server = await startTestServer(backend);
    const f = server.fixtures;
    owner = await f.user();
    mod = await f.user({ level: PermissionLevel.Mod });
    member = await f.user();
    stranger = await f.user();
    banned = await f.user({ state: UserState.Banned });
    timedOut = await f.user({ state: UserState.Timeout, timeoutUntil: Date.now() + 3_600_000 });
    pastTimeout = await f.user({ state: UserState.Timeout, timeoutUntil: Date.now() - 1000 });
    for (const u of [owner, mod, member, stranger, banned, timedOut, pastTimeout]) sessions.set(u, await f.session(u));
    publicChat = await f.chat({ owner, visibility: "public" });
    privateChat = await f.chat({ owner, visibility: "private" });
    archivedChat = await f.chat({ owner, visibility: "public", archived: true });
    await f.member(privateChat, member);
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe.each(["rest", "trpc"] as const)("over %s", (transportName) => {
    const t = () => transports(server.url).find((x) => x.name === transportName)!;

    it("creates the seed's invite with the documented shape", async () => {
      const expiresAt = inAYear();
      const before = Date.now();
      const res = await t().create(s(owner), publicChat.id, { max_uses: 10, expires_at: expiresAt });
      expect(res.status).toBe(t().created);
      const invite = res.body as Record<string, unknown>;
      expect(Object.keys(invite).sort()).toEqual(["chat_id", "code", "created_at", "created_by_id", "expires_at", "max_uses", "uses"]);
      expect(invite.code).toMatch(/^[a-z0-9]{16}$/);
      expect(invite.chat_id).toBe(publicChat.id);
      expect(invite.created_by_id).toBe(owner.id);
      expect(invite.created_at).toMatch(TIMESTAMP);
      expect(Date.parse(invite.created_at as string)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(invite.expires_at).toBe(expiresAt);
      expect(invite.uses).toBe(0);
      expect(invite.max_uses).toBe(10);
    });

    it("takes an empty object as no limit and no expiry", async () => {
      const res = await t().create(s(owner), publicChat.id, {});
      expect(res.status).toBe(t().created);
      expect(res.body).toMatchObject({ max_uses: null, expires_at: null, uses: 0 });
    });

    it("normalizes an expiry with an offset to UTC", async () => {
      const res = await t().create(s(owner), publicChat.id, { expires_at: "2099-05-01T02:00:00+02:00" });
      expect(res.status).toBe(t().created);
      expect((res.body as { expires_at: string }).expires_at).toBe("2099-05-01T00:00:00Z");
    });

    const invalid: [string, Record<string, unknown>, string][] = [
      ["max_uses 0", { max_uses: 0 }, "max_uses must be at least 1"],
      ["max_uses -1", { max_uses: -1 }, "max_uses must be at least 1"],
      ["max_uses 1.5", { max_uses: 1.5 }, MAX_USES_TYPE],
      ['max_uses "10"', { max_uses: "10" }, MAX_USES_TYPE],
      ["max_uses 2147483648", { max_uses: 2147483648 }, "max_uses must be at most 2147483647"],
      ["expires_at in the past", { expires_at: "2020-01-01T00:00:00Z" }, ErrorMessage.expiresAtInPast],
      ["expires_at without offset", { expires_at: "2099-01-01T00:00:00" }, EXPIRES_FORMAT],
      ["expires_at not a date", { expires_at: "next tuesday" }, EXPIRES_FORMAT],
      ["expires_at after the wire format's last second", { expires_at: "9999-12-31T23:59:59-23:59" }, "expires_at must be no later than 9999-12-31T23:59:59Z"],
      ["an unknown key", { maxUses: 3 }, "unknown field: maxUses"],
    ];
    it.each(invalid)("rejects %s with 400 and a message naming the field", async (_name, body, message) => {
      const before = await server.fixtures.countActive(publicChat);
      const res = await t().create(s(owner), publicChat.id, body);
      expect(res.status).toBe(400);
      expect(errorOf(res)).toBe(message);
      expect(await server.fixtures.countActive(publicChat)).toBe(before);
    });

    it.each([["abc"], [0], [-3]])("rejects chat_id %s with 400", async (chatId) => {
      const res = await t().create(s(owner), chatId, {});
      expect(res.status).toBe(400);
      expect(errorOf(res)).toBe("chat_id must be a positive integer (at most 2147483647)");
    });

    it("answers 401 without a session, and with an unknown or expired one", async () => {
      const expired = `expired-session-token-for-tests-${transportName}`;
      await server.deps.db
        .insertInto("sessions")
        .values({ token_hash: sha256Hex(expired), user_id: owner.id, created_at: Date.now() - 10_000, expires_at: Date.now() - 1 })
        .execute();
      for (const session of [undefined, "not-a-real-session", expired]) {
        for (const res of [await t().create(session, publicChat.id, {}), await t().list(session, publicChat.id)]) {
          expect(res.status).toBe(401);
          expect(errorOf(res)).toBe(ErrorMessage.authenticationRequired);
        }
      }
    });

    it("answers 403 Account restricted for banned and timed-out accounts, not for a timeout that ended", async () => {
      for (const user of [banned, timedOut]) {
        const res = await t().create(s(user), publicChat.id, {});
        expect(res.status).toBe(403);
        expect(errorOf(res)).toBe(ErrorMessage.accountRestricted);
      }
      const mine = await server.fixtures.chat({ owner: pastTimeout });
      expect((await t().create(s(pastTimeout), mine.id, {})).status).toBe(t().created);
    });

    it("lets a Mod manage a public chat of a User", async () => {
      expect((await t().create(s(mod), publicChat.id, {})).status).toBe(t().created);
      expect((await t().list(s(mod), publicChat.id)).status).toBe(200);
    });

    it("answers 403 to a user who can see the chat but not manage it", async () => {
      for (const [user, chat] of [
        [stranger, publicChat],
        [member, privateChat],
      ] as const) {
        for (const res of [await t().create(s(user), chat.id, {}), await t().list(s(user), chat.id), await t().revoke(s(user), chat.id, "abc")]) {
          expect(res.status).toBe(403);
          expect(errorOf(res)).toBe(ErrorMessage.accessDenied);
        }
      }
    });

    it("answers 404 Chat not found for a chat the user cannot see, or that does not exist", async () => {
      for (const [user, chatId] of [
        [mod, privateChat.id],
        [stranger, privateChat.id],
        [owner, 999_999],
      ] as const) {
        for (const res of [await t().create(s(user), chatId, {}), await t().list(s(user), chatId), await t().revoke(s(user), chatId, "abc")]) {
          expect(res.status).toBe(404);
          expect(errorOf(res)).toBe(ErrorMessage.chatNotFound);
        }
      }
    });

    it("answers 409 for an archived chat", async () => {
      const res = await t().create(s(owner), archivedChat.id, {});
      expect(res.status).toBe(409);
      expect(errorOf(res)).toBe(ErrorMessage.chatArchived);
    });

    it("allows 20 active invites and answers 409 for the 21st; dead invites neither list nor count", async () => {
      const f = server.fixtures;
      const chat = await f.chat({ owner });
      const now = Date.now();
      // 30 dead invites of every kind: they must not count toward the quota.
      for (let i = 0; i < 10; i++) {
        await f.invite(chat, owner, { expires_at: now - 1000 });
        await f.invite(chat, owner, { max_uses: 2, uses: 2 });
        await f.invite(chat, owner, { revoked_at: now - 1000 });
      }
      const codes: string[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await t().create(s(owner), chat.id, { max_uses: i + 1 });
        expect(res.status).toBe(t().created);
        codes.push((res.body as { code: string }).code);
      }
      const over = await t().create(s(owner), chat.id, {});
      expect(over.status).toBe(409);
      expect(errorOf(over)).toBe(ErrorMessage.inviteLimitReached);

      const list = await t().list(s(owner), chat.id);
      expect(list.status).toBe(200);
      const listed = (list.body as { invites: { code: string }[] }).invites.map((i) => i.code);
      expect(listed).toEqual([...codes].reverse());

      // Revoking one frees a place; the revoked one leaves the list.
      const revoked = await t().revoke(s(owner), chat.id, codes[0]!);
      expect(revoked.status).toBe(200);
      expect(revoked.body).toEqual({ message: `Invite '${codes[0]}' revoked` });
      expect((await t().create(s(owner), chat.id, {})).status).toBe(t().created);
      const after = (await t().list(s(owner), chat.id)).body as { invites: { code: string }[] };
      expect(after.invites.map((i) => i.code)).not.toContain(codes[0]);
      expect(after.invites).toHaveLength(20);
    });

    it("answers 404 Invite not found when revoking an unknown, foreign or already revoked code", async () => {
      const other = await server.fixtures.chat({ owner });
      const foreign = await server.fixtures.invite(other, owner);
      const created = await t().create(s(owner), publicChat.id, {});
      const code = (created.body as { code: string }).code;
      expect((await t().revoke(s(owner), publicChat.id, code)).status).toBe(200);
      for (const target of ["doesnotexist0000", foreign.code, code]) {
        const res = await t().revoke(s(owner), publicChat.id, target);
        expect(res.status).toBe(404);
        expect(errorOf(res)).toBe(ErrorMessage.inviteNotFound);
      }
      expect((await server.fixtures.inviteRow(foreign.code))?.revoked_at).toBeNull();
    });

    it("puts the request's correlation id in every error", async () => {
      const res = await t().create(undefined, publicChat.id, {});
      const id = (res.body as { correlation_id: string }).correlation_id;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(server.logs.some((line) => line.msg === "request" && line.correlation_id === id && line.status === 401)).toBe(true);
    });
  });
});
