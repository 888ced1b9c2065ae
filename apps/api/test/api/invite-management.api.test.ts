/**
 * Invite management (SPEC section 10) over real HTTP, on every backend, through REST and tRPC from
 * one set of cases: edit, revoke all, pause, join approval and requests, the signed-out preview,
 * and the activity of one invite. Every route's success and every error the section names.
 */
import { ErrorMessage, maxUsesBelowUsesMessage } from "@portal/contracts";
import { UserState } from "@portal/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow, UserRow } from "../../src/db/schema.js";
import { BACKENDS } from "../support/backends.js";
import { http, httpFrom, trpcClient, trpcOutcome } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const wire = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

interface Outcome {
  status: number;
  body: unknown;
}

type Body = Record<string, unknown>;

interface Transport {
  name: "rest" | "trpc";
  /** The status of a pending join: REST 202, tRPC a plain result. */
  pending: number;
  update(session: string | undefined, chatId: number, code: string, body: Body): Promise<Outcome>;
  revokeAll(session: string | undefined, chatId: number): Promise<Outcome>;
  settings(session: string | undefined, chatId: number): Promise<Outcome>;
  updateSettings(session: string | undefined, chatId: number, body: Body): Promise<Outcome>;
  requests(session: string | undefined, chatId: number, page?: { offset?: number; limit?: number }): Promise<Outcome>;
  approve(session: string | undefined, chatId: number, userId: number): Promise<Outcome>;
  decline(session: string | undefined, chatId: number, userId: number): Promise<Outcome>;
  activity(session: string | undefined, chatId: number, inviteCode?: string): Promise<Outcome>;
  preview(session: string | undefined, code: string): Promise<Outcome>;
  redeem(session: string | undefined, code: string): Promise<Outcome>;
  create(session: string | undefined, chatId: number): Promise<Outcome>;
  revoke(session: string | undefined, chatId: number, code: string): Promise<Outcome>;
}

function transport(name: "rest" | "trpc", url: string): Transport {
  if (name === "rest") {
    const chat = (id: number) => `/v1/portal/chats/${id}`;
    return {
      name,
      pending: 202,
      update: (s, c, code, body) => http(url, "POST", `${chat(c)}/invites/${code}/update`, { session: s, json: body }),
      revokeAll: (s, c) => http(url, "POST", `${chat(c)}/invites/revoke-all`, { session: s }),
      settings: (s, c) => http(url, "GET", `${chat(c)}/invite-settings`, { session: s }),
      updateSettings: (s, c, body) => http(url, "POST", `${chat(c)}/invite-settings/update`, { session: s, json: body }),
      requests: (s, c, page = {}) => {
        const query = new URLSearchParams(Object.entries(page).map(([k, v]): [string, string] => [k, String(v)])).toString();
        return http(url, "GET", `${chat(c)}/join-requests${query ? `?${query}` : ""}`, { session: s });
      },
      approve: (s, c, u) => http(url, "POST", `${chat(c)}/join-requests/${u}/approve`, { session: s }),
      decline: (s, c, u) => http(url, "POST", `${chat(c)}/join-requests/${u}/decline`, { session: s }),
      activity: (s, c, code) => http(url, "GET", `${chat(c)}/activity${code === undefined ? "" : `?invite_code=${code}`}`, { session: s }),
      preview: (s, code) => http(url, "GET", `/v1/portal/resolve/${code}`, { session: s }),
      redeem: (s, code) => http(url, "POST", `/v1/portal/resolve/${code}`, { session: s }),
      create: (s, c) => http(url, "POST", `${chat(c)}/invites`, { session: s, json: {} }),
      revoke: (s, c, code) => http(url, "POST", `${chat(c)}/invites/${code}/delete`, { session: s }),
    };
  }
  const t = (s: string | undefined) => trpcClient(url, s);
  return {
    name,
    pending: 200,
    update: (s, c, code, body) => trpcOutcome(() => t(s).invite.update.mutate({ chat_id: c, code, ...body } as never)),
    revokeAll: (s, c) => trpcOutcome(() => t(s).invite.revokeAll.mutate({ chat_id: c })),
    settings: (s, c) => trpcOutcome(() => t(s).chat.inviteSettings.query({ chat_id: c })),
    updateSettings: (s, c, body) => trpcOutcome(() => t(s).chat.updateInviteSettings.mutate({ chat_id: c, ...body } as never)),
    requests: (s, c, page = {}) => trpcOutcome(() => t(s).chat.joinRequests.query({ chat_id: c, ...page })),
    approve: (s, c, u) => trpcOutcome(() => t(s).chat.approveJoinRequest.mutate({ chat_id: c, user_id: u })),
    decline: (s, c, u) => trpcOutcome(() => t(s).chat.declineJoinRequest.mutate({ chat_id: c, user_id: u })),
    activity: (s, c, code) => trpcOutcome(() => t(s).chat.activity.query({ chat_id: c, ...(code === undefined ? {} : { invite_code: code }) })),
    preview: (s, code) => trpcOutcome(() => t(s).invite.preview.query({ code })),
    redeem: (s, code) => trpcOutcome(() => t(s).invite.redeem.mutate({ code })),
    create: (s, c) => trpcOutcome(() => t(s).invite.create.mutate({ chat_id: c })),
    revoke: (s, c, code) => trpcOutcome(() => t(s).invite.revoke.mutate({ chat_id: c, code })),
  };
}

const errorOf = (o: Outcome) => (o.body as { error?: string }).error;

function expectError(o: Outcome, status: number, message: string) {
  expect({ status: o.status, error: errorOf(o) }).toEqual({ status, error: message });
}

describe.each(BACKENDS)("invite management on %s", (backend) => {
  let server: TestServer;
  let owner: UserRow;
  let ownerSession: string;
  let stranger: UserRow;
  let strangerSession: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    owner = await server.fixtures.user();
    ownerSession = await server.fixtures.session(owner);
    stranger = await server.fixtures.user();
    strangerSession = await server.fixtures.session(stranger);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const f = () => server.fixtures;
  const db = () => server.deps.db;

  async function newcomer() {
    const user = await f().user();
    return { user, session: await f().session(user) };
  }

  async function isMember(chat: ChatRow, user: UserRow) {
    const row = await db().selectFrom("chat_members").selectAll().where("chat_id", "=", chat.id).where("user_id", "=", user.id).executeTakeFirst();
    return row;
  }

  async function pendingRequests(chat: ChatRow) {
    return db().selectFrom("join_requests").selectAll().where("chat_id", "=", chat.id).execute();
  }

  describe.each(["rest", "trpc"] as const)("over %s", (name) => {
    const t = () => transport(name, server.url);
    const chatOf = (options: { visibility?: ChatRow["visibility"]; archived?: boolean } = {}) => f().chat({ owner, name: "Managed", ...options });

    describe("edit an invite (update)", () => {
      it("changes only the keys given; null means unlimited or never", async () => {
        const chat = await chatOf();
        const invite = await f().invite(chat, owner, { max_uses: 5, expires_at: Date.now() + DAY, uses: 2 });
        const later = Date.now() + 2 * DAY;

        const a = await t().update(ownerSession, chat.id, invite.code, { max_uses: 8 });
        expect(a.status).toBe(200);
        expect(a.body).toEqual({
          code: invite.code,
          chat_id: chat.id,
          created_by_id: owner.id,
          created_at: expect.stringMatching(TIMESTAMP),
          expires_at: wire(invite.expires_at!),
          uses: 2,
          max_uses: 8,
        });
        const b = await t().update(ownerSession, chat.id, invite.code, { expires_at: new Date(later).toISOString() });
        expect(b.body).toMatchObject({ max_uses: 8, expires_at: wire(later) });
        const c = await t().update(ownerSession, chat.id, invite.code, { max_uses: null, expires_at: null });
        expect(c.body).toMatchObject({ max_uses: null, expires_at: null, uses: 2 });
        expect(await f().inviteRow(invite.code)).toMatchObject({ max_uses: null, expires_at: null, uses: 2 });
        // max_uses may be set to exactly the uses: the invite is used up then.
        expect((await t().update(ownerSession, chat.id, invite.code, { max_uses: 2 })).body).toMatchObject({ max_uses: 2 });
      });

      it("answers 400 for an empty body, an unknown key, bad values, an expiry in the past, and max_uses below the uses", async () => {
        const chat = await chatOf();
        const invite = await f().invite(chat, owner, { max_uses: 5, uses: 3 });
        const cases: [Body, string][] = [
          [{}, ErrorMessage.inviteUpdateEmpty],
          [{ maxUses: 3 }, "unknown field: maxUses"],
          [{ max_uses: 0 }, "max_uses must be at least 1"],
          [{ max_uses: "3" }, "max_uses must be a whole number from 1 to 2147483647, or null for unlimited"],
          [{ expires_at: "2020-01-01T00:00:00Z" }, ErrorMessage.expiresAtInPast],
          [{ expires_at: "tomorrow" }, "expires_at must be an ISO 8601 date-time with a UTC offset, such as 2026-05-01T00:00:00Z, or null"],
          [{ max_uses: 2 }, maxUsesBelowUsesMessage(3)],
          [{ max_uses: 1, expires_at: null }, "max_uses must be at least the invite's current uses (3)"],
        ];
        for (const [body, message] of cases) expectError(await t().update(ownerSession, chat.id, invite.code, body), 400, message);
        expect(await f().inviteRow(invite.code)).toMatchObject({ max_uses: 5, expires_at: null });
      });

      it("answers 404 Invite not found for an unknown code, another chat's and a revoked one; 401, 403 and 404 Chat not found as create does", async () => {
        const chat = await chatOf();
        const other = await chatOf();
        const theirs = await f().invite(other, owner);
        const revoked = await f().invite(chat, owner, { revoked_at: Date.now() - 1000 });
        for (const code of ["nosuchcode", theirs.code, revoked.code]) {
          expectError(await t().update(ownerSession, chat.id, code, { max_uses: 3 }), 404, ErrorMessage.inviteNotFound);
        }
        const invite = await f().invite(chat, owner);
        expectError(await t().update(undefined, chat.id, invite.code, { max_uses: 3 }), 401, ErrorMessage.authenticationRequired);
        expectError(await t().update(strangerSession, chat.id, invite.code, { max_uses: 3 }), 403, ErrorMessage.accessDenied);
        const secret = await chatOf({ visibility: "private" });
        const hidden = await f().invite(secret, owner);
        expectError(await t().update(strangerSession, secret.id, hidden.code, { max_uses: 3 }), 404, ErrorMessage.chatNotFound);
        expectError(await t().update(ownerSession, 999_999, invite.code, { max_uses: 3 }), 404, ErrorMessage.chatNotFound);
        const archived = await chatOf({ archived: true });
        const old = await f().invite(archived, owner);
        expectError(await t().update(ownerSession, archived.id, old.code, { max_uses: 3 }), 409, ErrorMessage.chatArchived);
        expect(await f().inviteRow(invite.code)).toMatchObject({ max_uses: null });
      });

      it("edits expired and used-up invites; making one usable again counts against the quota of 20", async () => {
        const chat = await chatOf();
        for (let i = 0; i < 19; i++) await f().invite(chat, owner);
        const usedUp = await f().invite(chat, owner, { max_uses: 2, uses: 2 });
        const expired = await f().invite(chat, owner, { expires_at: Date.now() - HOUR });
        expect(await f().countActive(chat)).toBe(19);

        // The 20th active invite: allowed.
        expect((await t().update(ownerSession, chat.id, usedUp.code, { max_uses: 3 })).body).toMatchObject({ uses: 2, max_uses: 3 });
        expect(await f().countActive(chat)).toBe(20);
        // A 21st: refused, and nothing changed.
        const inAWeek = new Date(Date.now() + 7 * DAY).toISOString();
        expectError(await t().update(ownerSession, chat.id, expired.code, { expires_at: inAWeek }), 409, ErrorMessage.inviteLimitReached);
        expectError(await t().update(ownerSession, chat.id, expired.code, { expires_at: null }), 409, ErrorMessage.inviteLimitReached);
        expect((await f().inviteRow(expired.code))!.expires_at).toBeLessThan(Date.now());
        // Edits that keep it expired, or edit an active one, still apply at the limit.
        expect((await t().update(ownerSession, chat.id, expired.code, { max_uses: 4 })).status).toBe(200);
        expect((await t().update(ownerSession, chat.id, usedUp.code, { max_uses: 9 })).status).toBe(200);
        expect(await f().countActive(chat)).toBe(20);
        // The same quota for creates: full.
        expectError(await t().create(ownerSession, chat.id), 409, ErrorMessage.inviteLimitReached);
      });
    });

    describe("revoke all", () => {
      it("revokes every active invite of the chat in one call and says how many; other chats keep theirs", async () => {
        const chat = await chatOf();
        const other = await chatOf();
        const active = [await f().invite(chat, owner), await f().invite(chat, owner, { max_uses: 3, uses: 1 }), await f().invite(chat, owner, { expires_at: Date.now() + DAY })];
        await f().invite(chat, owner, { max_uses: 1, uses: 1 });
        await f().invite(chat, owner, { expires_at: Date.now() - 1000 });
        await f().invite(chat, owner, { revoked_at: Date.now() - 1000 });
        const kept = await f().invite(other, owner);

        const res = await t().revokeAll(ownerSession, chat.id);
        expect(res).toMatchObject({ status: 200, body: { revoked: 3 } });
        for (const invite of active) expect((await f().inviteRow(invite.code))!.revoked_at).not.toBeNull();
        expect(await f().countActive(chat)).toBe(0);
        expect((await f().inviteRow(kept.code))!.revoked_at).toBeNull();
        expect((await t().revokeAll(ownerSession, chat.id)).body).toEqual({ revoked: 0 });
      });

      it("answers 401, 403 and 404 as the other management routes", async () => {
        const chat = await chatOf();
        const invite = await f().invite(chat, owner);
        expectError(await t().revokeAll(undefined, chat.id), 401, ErrorMessage.authenticationRequired);
        expectError(await t().revokeAll(strangerSession, chat.id), 403, ErrorMessage.accessDenied);
        expectError(await t().revokeAll(ownerSession, 999_999), 404, ErrorMessage.chatNotFound);
        expect((await f().inviteRow(invite.code))!.revoked_at).toBeNull();
      });
    });

    describe("pause", () => {
      it("starts unpaused without approval; a pause answers 403 to preview and join through any valid invite until resumed", async () => {
        const chat = await chatOf();
        const invite = await f().invite(chat, owner);
        const { user, session } = await newcomer();
        expect(await t().settings(ownerSession, chat.id)).toMatchObject({ status: 200, body: { paused_until: null, join_approval: false } });

        const until = Date.now() + 2 * HOUR;
        const paused = await t().updateSettings(ownerSession, chat.id, { paused_until: new Date(until).toISOString() });
        expect(paused).toMatchObject({ status: 200, body: { paused_until: wire(until), join_approval: false } });
        expect((await t().settings(ownerSession, chat.id)).body).toEqual({ paused_until: wire(until), join_approval: false });

        expectError(await t().preview(session, invite.code), 403, ErrorMessage.invitesPaused);
        expectError(await t().preview(undefined, invite.code), 403, ErrorMessage.invitesPaused);
        expectError(await t().redeem(session, invite.code), 403, ErrorMessage.invitesPaused);
        // Unknown and dead codes still answer the uniform 404.
        const dead = await f().invite(chat, owner, { revoked_at: Date.now() - 1 });
        expectError(await t().preview(session, "nosuchcode"), 404, ErrorMessage.inviteNotFound);
        expectError(await t().redeem(session, dead.code), 404, ErrorMessage.inviteNotFound);
        expect(await isMember(chat, user)).toBeUndefined();
        expect((await f().inviteRow(invite.code))!.uses).toBe(0);

        // Invites can still be created, edited and revoked while paused.
        const created = await t().create(ownerSession, chat.id);
        expect([200, 201]).toContain(created.status);
        const code = (created.body as { code: string }).code;
        expect((await t().update(ownerSession, chat.id, code, { max_uses: 4 })).status).toBe(200);
        expect((await t().revoke(ownerSession, chat.id, code)).status).toBe(200);

        expect((await t().updateSettings(ownerSession, chat.id, { paused_until: null })).body).toEqual({ paused_until: null, join_approval: false });
        expect((await t().preview(session, invite.code)).status).toBe(200);
        expect((await t().redeem(session, invite.code)).body).toMatchObject({ already_member: false });
        expect(await isMember(chat, user)).toBeDefined();
      });

      it("a pause whose time has passed is over: settings show null and joins work", async () => {
        const chat = await chatOf();
        const invite = await f().invite(chat, owner);
        await db().updateTable("chats").set({ invites_paused_until: Date.now() - 1000 }).where("id", "=", chat.id).execute();
        expect((await t().settings(ownerSession, chat.id)).body).toEqual({ paused_until: null, join_approval: false });
        const { session } = await newcomer();
        expect((await t().redeem(session, invite.code)).status).toBe(200);
      });

      it("answers 400 for a pause in the past, more than 30 days ahead, a bad timestamp, a bad join_approval, an empty body or an unknown key", async () => {
        const chat = await chatOf();
        const cases: [Body, string][] = [
          [{ paused_until: new Date(Date.now() - HOUR).toISOString() }, ErrorMessage.pausedUntilInPast],
          [{ paused_until: new Date(Date.now() + 31 * DAY).toISOString() }, ErrorMessage.pausedUntilTooFar],
          [{ paused_until: "soon" }, "paused_until must be an ISO 8601 date-time with a UTC offset, such as 2026-05-01T00:00:00Z, or null to resume"],
          [{ join_approval: "yes" }, "join_approval must be true or false"],
          [{}, ErrorMessage.inviteSettingsUpdateEmpty],
          [{ pausedUntil: null }, "unknown field: pausedUntil"],
        ];
        for (const [body, message] of cases) expectError(await t().updateSettings(ownerSession, chat.id, body), 400, message);
        // 30 days minus a minute is fine.
        expect((await t().updateSettings(ownerSession, chat.id, { paused_until: new Date(Date.now() + 30 * DAY - 60_000).toISOString() })).status).toBe(200);
      });

      it("answers 401, 403 and 404 on the settings routes", async () => {
        const chat = await chatOf();
        const secret = await chatOf({ visibility: "private" });
        expectError(await t().settings(undefined, chat.id), 401, ErrorMessage.authenticationRequired);
        expectError(await t().settings(strangerSession, chat.id), 403, ErrorMessage.accessDenied);
        expectError(await t().settings(strangerSession, secret.id), 404, ErrorMessage.chatNotFound);
        expectError(await t().updateSettings(undefined, chat.id, { join_approval: true }), 401, ErrorMessage.authenticationRequired);
        expectError(await t().updateSettings(strangerSession, chat.id, { join_approval: true }), 403, ErrorMessage.accessDenied);
        expectError(await t().updateSettings(strangerSession, secret.id, { join_approval: true }), 404, ErrorMessage.chatNotFound);
        expect((await t().settings(ownerSession, chat.id)).body).toEqual({ paused_until: null, join_approval: false });
      });
    });

    describe("join approval", () => {
      async function approvalChat() {
        const chat = await chatOf({ visibility: "private" });
        expect((await t().updateSettings(ownerSession, chat.id, { join_approval: true })).body).toEqual({ paused_until: null, join_approval: true });
        return chat;
      }

      it("a join becomes a pending request (asking again records nothing new); approval makes the join and its use", async () => {
        const chat = await approvalChat();
        const invite = await f().invite(chat, owner, { max_uses: 3 });
        const { user, session } = await newcomer();
        expect((await t().preview(session, invite.code)).body).toMatchObject({ join_approval: true, already_member: false });

        for (let i = 0; i < 2; i++) {
          const res = await t().redeem(session, invite.code);
          expect(res.status).toBe(t().pending);
          expect(res.body).toEqual({
            chat: { id: chat.id, name: "Managed", is_public: false, visibility: "private", created_at: expect.stringMatching(TIMESTAMP) },
            already_member: false,
            pending: true,
          });
        }
        expect(await pendingRequests(chat)).toHaveLength(1);
        expect((await f().inviteRow(invite.code))!.uses).toBe(0);
        expect(await isMember(chat, user)).toBeUndefined();

        const list = await t().requests(ownerSession, chat.id);
        expect(list).toMatchObject({ status: 200 });
        expect(list.body).toEqual({
          requests: [{ user: { id: user.id, username: user.username, avatar_url: null }, invite_code: invite.code, created_at: expect.stringMatching(TIMESTAMP) }],
          total: 1,
          offset: 0,
          limit: 50,
        });

        expect(await t().approve(ownerSession, chat.id, user.id)).toMatchObject({ status: 200, body: { message: "Join request approved" } });
        expect(await isMember(chat, user)).toMatchObject({ invite_code: invite.code });
        expect((await f().inviteRow(invite.code))!.uses).toBe(1);
        const events = await db().selectFrom("activity_events").selectAll().where("chat_id", "=", chat.id).where("user_id", "=", user.id).execute();
        expect(events).toMatchObject([{ action: "join", method: "invite", invite_code: invite.code }]);
        expect(await pendingRequests(chat)).toHaveLength(0);
        expectError(await t().approve(ownerSession, chat.id, user.id), 404, ErrorMessage.joinRequestNotFound);
        // A member now: joining again is the plain already_member answer.
        expect(await t().redeem(session, invite.code)).toMatchObject({ status: 200, body: { already_member: true } });
        expect((await t().preview(session, invite.code)).body).toMatchObject({ already_member: true });
      });

      it("lists requests oldest first, paged; decline deletes one, and the person may ask again", async () => {
        const chat = await approvalChat();
        const invite = await f().invite(chat, owner);
        const people = [await newcomer(), await newcomer(), await newcomer()];
        for (const [i, p] of people.entries()) {
          await db().insertInto("join_requests").values({ chat_id: chat.id, user_id: p.user.id, invite_code: invite.code, created_at: Date.now() - (10 - i) * 1000 }).execute();
        }
        const page = await t().requests(ownerSession, chat.id, { offset: 1, limit: 1 });
        expect(page.body).toMatchObject({ requests: [{ user: { id: people[1]!.user.id } }], total: 3, offset: 1, limit: 1 });
        const all = (await t().requests(ownerSession, chat.id)).body as { requests: { user: { id: number } }[] };
        expect(all.requests.map((r) => r.user.id)).toEqual(people.map((p) => p.user.id));

        expect(await t().decline(ownerSession, chat.id, people[0]!.user.id)).toMatchObject({ status: 200, body: { message: "Join request declined" } });
        expectError(await t().decline(ownerSession, chat.id, people[0]!.user.id), 404, ErrorMessage.joinRequestNotFound);
        expect(await isMember(chat, people[0]!.user)).toBeUndefined();
        expect((await f().inviteRow(invite.code))!.uses).toBe(0);
        expect((await t().requests(ownerSession, chat.id)).body).toMatchObject({ total: 2 });
        expect((await t().redeem(people[0]!.session, invite.code)).status).toBe(t().pending);
        expect((await t().requests(ownerSession, chat.id)).body).toMatchObject({ total: 3 });
        expectError(await t().requests(ownerSession, chat.id, { limit: 500 }), 400, "limit must be an integer from 1 to 100");
      });

      it("answers 409 when the invite was revoked, used up or expired since, and the request stays pending", async () => {
        const chat = await approvalChat();
        const kinds = [
          { name: "revoked", fields: {}, after: { revoked_at: Date.now() } },
          { name: "used up", fields: { max_uses: 1 }, after: { uses: 1 } },
          { name: "expired", fields: { expires_at: Date.now() + DAY }, after: { expires_at: Date.now() - 1000 } },
        ];
        for (const kind of kinds) {
          const invite = await f().invite(chat, owner, kind.fields);
          const { user, session } = await newcomer();
          expect((await t().redeem(session, invite.code)).status).toBe(t().pending);
          await db().updateTable("invites").set(kind.after).where("code", "=", invite.code).execute();
          expectError(await t().approve(ownerSession, chat.id, user.id), 409, ErrorMessage.inviteNoLongerUsable);
          expect(await isMember(chat, user), kind.name).toBeUndefined();
          expect((await pendingRequests(chat)).some((r) => r.user_id === user.id), kind.name).toBe(true);
          // Declining it is still possible.
          expect((await t().decline(ownerSession, chat.id, user.id)).status).toBe(200);
        }
      });

      it("a banned user gets 403 as on join; a member gets already_member; the owner too; no request is recorded", async () => {
        const chat = await approvalChat();
        const invite = await f().invite(chat, owner);
        const banned = await newcomer();
        await f().ban(chat, banned.user, null);
        expectError(await t().redeem(banned.session, invite.code), 403, ErrorMessage.accessDenied);
        const member = await newcomer();
        await f().member(chat, member.user);
        expect(await t().redeem(member.session, invite.code)).toMatchObject({ status: 200, body: { already_member: true } });
        expect(await t().redeem(ownerSession, invite.code)).toMatchObject({ status: 200, body: { already_member: true } });
        expect(await pendingRequests(chat)).toHaveLength(0);
        // Banned after asking: approval answers 403 and the request stays.
        const later = await newcomer();
        expect((await t().redeem(later.session, invite.code)).status).toBe(t().pending);
        await f().ban(chat, later.user, Date.now() + DAY);
        expectError(await t().approve(ownerSession, chat.id, later.user.id), 403, ErrorMessage.accessDenied);
        expect(await pendingRequests(chat)).toHaveLength(1);
      });

      it("answers 401, 403, 404 and 400 on the request routes", async () => {
        const chat = await approvalChat();
        const invite = await f().invite(chat, owner);
        const { user, session } = await newcomer();
        await t().redeem(session, invite.code);
        const publicChat = await chatOf();
        for (const call of [
          (s?: string) => t().requests(s, chat.id),
          (s?: string) => t().approve(s, chat.id, user.id),
          (s?: string) => t().decline(s, chat.id, user.id),
        ]) {
          expectError(await call(undefined), 401, ErrorMessage.authenticationRequired);
          // A private chat the stranger is not in: 404 Chat not found.
          expectError(await call(strangerSession), 404, ErrorMessage.chatNotFound);
        }
        expectError(await t().requests(strangerSession, publicChat.id), 403, ErrorMessage.accessDenied);
        expectError(await t().approve(strangerSession, publicChat.id, user.id), 403, ErrorMessage.accessDenied);
        expectError(await t().approve(ownerSession, publicChat.id, user.id), 404, ErrorMessage.joinRequestNotFound);
        expectError(await t().approve(ownerSession, chat.id, stranger.id), 404, ErrorMessage.joinRequestNotFound);
        expectError(await t().approve(ownerSession, chat.id, 0), 400, "user_id must be a positive integer (at most 2147483647)");
        expect(await pendingRequests(chat)).toHaveLength(1);
        // Turning approval off leaves pending requests to be decided; new joins go straight in.
        expect((await t().updateSettings(ownerSession, chat.id, { join_approval: false })).body).toMatchObject({ join_approval: false });
        const direct = await newcomer();
        expect(await t().redeem(direct.session, invite.code)).toMatchObject({ status: 200, body: { already_member: false } });
        expect((await t().approve(ownerSession, chat.id, user.id)).status).toBe(200);
      });
    });

    describe("preview before signing in", () => {
      it("answers without a session (already_member false), and with an unknown session as signed out; joining still needs one", async () => {
        const chat = await f().chat({ owner, name: "Open house", visibility: "private" });
        await db().updateTable("chats").set({ description: "Come in" }).where("id", "=", chat.id).execute();
        const invite = await f().invite(chat, owner, { max_uses: 4, uses: 1, expires_at: Date.UTC(2099, 0, 1) });
        const expected = {
          chat: { id: chat.id, name: "Open house", description: "Come in", visibility: "private", member_count: 0 },
          expires_at: "2099-01-01T00:00:00Z",
          uses: 1,
          max_uses: 4,
          already_member: false,
          join_approval: false,
        };
        for (const session of [undefined, "not-a-session"]) {
          const res = await t().preview(session, invite.code);
          expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: expected });
        }
        expect((await t().preview(ownerSession, invite.code)).body).toMatchObject({ already_member: true });
        expectError(await t().preview(undefined, "nosuchcode"), 404, ErrorMessage.inviteNotFound);
        expectError(await t().redeem(undefined, invite.code), 401, ErrorMessage.authenticationRequired);
        expect((await f().inviteRow(invite.code))!.uses).toBe(1);
        // A restricted account is still refused.
        const banned = await f().user({ state: UserState.Banned });
        expectError(await t().preview(await f().session(banned), invite.code), 403, ErrorMessage.accountRestricted);
      });
    });

    describe("who joined through this link (activity by invite_code)", () => {
      it("filters the activity to one invite's events, with its own total", async () => {
        const chat = await chatOf();
        const first = await f().invite(chat, owner);
        const second = await f().invite(chat, owner);
        const viaFirst = [await newcomer(), await newcomer()];
        const viaSecond = await newcomer();
        for (const p of viaFirst) expect((await t().redeem(p.session, first.code)).status).toBe(200);
        expect((await t().redeem(viaSecond.session, second.code)).status).toBe(200);

        const res = await t().activity(ownerSession, chat.id, first.code);
        expect(res.status).toBe(200);
        const page = res.body as { events: { user: { id: number }; invite_code: string }[]; total: number };
        expect(page.total).toBe(2);
        expect(page.events.map((e) => e.user.id).sort()).toEqual(viaFirst.map((p) => p.user.id).sort());
        expect(page.events.every((e) => e.invite_code === first.code)).toBe(true);
        expect((await t().activity(ownerSession, chat.id)).body).toMatchObject({ total: 3 });
        expect((await t().activity(ownerSession, chat.id, "nosuchcode")).body).toMatchObject({ events: [], total: 0 });
        expectError(await t().activity(ownerSession, chat.id, "bad-code!"), 400, "code must be 1 to 64 letters or digits (A-Z, a-z, 0-9)");
        expectError(await t().activity(strangerSession, chat.id, first.code), 403, ErrorMessage.accessDenied);
      });
    });
  });
});

describe("the signed-out preview counts its failed lookups as failed joins", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer("sqlite", { RATE_LIMITS: "on" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("10 signed-out 404s from one address, then 429; another address is not limited", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await httpFrom("127.0.0.7", server.url, "GET", `/v1/portal/resolve/guess${i}`)).status);
    expect(statuses).toEqual([...Array<number>(10).fill(404), 429]);
    expect((await httpFrom("127.0.0.8", server.url, "GET", "/v1/portal/resolve/guess")).status).toBe(404);
  });
});
