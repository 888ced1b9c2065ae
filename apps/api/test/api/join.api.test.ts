/**
 * Previewing and joining with an invite (SPEC section 3, "Joining"), over REST and tRPC from one
 * table of cases, on every backend; plus restricted accounts on every authenticated route.
 */
import { ErrorMessage } from "@portal/contracts";
import { PermissionLevel, UserState } from "@portal/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow, UserRow } from "../../src/db/schema.js";
import { BACKENDS } from "../support/backends.js";
import { http, trpcClient, trpcOutcome } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

interface Outcome {
  status: number;
  body: unknown;
}

interface JoinTransport {
  preview(session: string, code: string): Promise<Outcome>;
  redeem(session: string, code: string): Promise<Outcome>;
}

function joinTransport(name: "rest" | "trpc", url: string): JoinTransport {
  if (name === "rest") {
    return {
      preview: (session, code) => http(url, "GET", `/v1/portal/resolve/${code}`, { session }),
      redeem: (session, code) => http(url, "POST", `/v1/portal/resolve/${code}`, { session }),
    };
  }
  return {
    preview: (session, code) => trpcOutcome(() => trpcClient(url, session).invite.preview.query({ code })),
    redeem: (session, code) => trpcOutcome(() => trpcClient(url, session).invite.redeem.mutate({ code })),
  };
}

describe.each(BACKENDS)("joining on %s", (backend) => {
  let server: TestServer;
  let owner: UserRow;
  let chat: ChatRow;

  beforeAll(async () => {
    server = await startTestServer(backend);
    owner = await server.fixtures.user();
    chat = await server.fixtures.chat({ owner, visibility: "private", name: "Secret garden" });
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function newcomer() {
    const user = await server.fixtures.user();
    return { user, session: await server.fixtures.session(user) };
  }

  async function membership(chatId: number, userId: number) {
    return server.deps.db
      .selectFrom("chat_members")
      .selectAll()
      .where("chat_id", "=", chatId)
      .where("user_id", "=", userId)
      .executeTakeFirst();
  }

  describe.each(["rest", "trpc"] as const)("over %s", (transportName) => {
    const t = () => joinTransport(transportName, server.url);

    it("previews where the code leads without using it", async () => {
      const invite = await server.fixtures.invite(chat, owner, { max_uses: 3, expires_at: Date.UTC(2099, 0, 1) });
      const { session } = await newcomer();
      const res = await t().preview(session, invite.code);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        chat: { id: chat.id, name: "Secret garden", description: null, visibility: "private", member_count: expect.any(Number) },
        expires_at: "2099-01-01T00:00:00Z",
        uses: 0,
        max_uses: 3,
        already_member: false,
        join_approval: false,
      });
      expect((await server.fixtures.inviteRow(invite.code))?.uses).toBe(0);
    });

    it("joins: one use counted, the membership remembers the invite, a join event is recorded", async () => {
      const invite = await server.fixtures.invite(chat, owner, { max_uses: 2 });
      const { user, session } = await newcomer();
      const res = await t().redeem(session, invite.code);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        chat: { id: chat.id, name: "Secret garden", is_public: false, visibility: "private", created_at: expect.stringMatching(/Z$/) },
        already_member: false,
      });
      expect((await server.fixtures.inviteRow(invite.code))?.uses).toBe(1);
      expect(await membership(chat.id, user.id)).toMatchObject({ invite_code: invite.code });
      const event = await server.deps.db
        .selectFrom("activity_events")
        .selectAll()
        .where("chat_id", "=", chat.id)
        .where("user_id", "=", user.id)
        .executeTakeFirst();
      expect(event).toMatchObject({ action: "join", method: "invite", invite_code: invite.code });
      // The preview now knows them.
      expect((await t().preview(session, invite.code)).body).toMatchObject({ already_member: true, uses: 1 });
    });

    it("answers the owner and existing members with already_member and counts no use", async () => {
      const invite = await server.fixtures.invite(chat, owner, { max_uses: 5 });
      const { user, session } = await newcomer();
      await server.fixtures.member(chat, user);
      for (const s of [session, await server.fixtures.session(owner)]) {
        const res = await t().redeem(s, invite.code);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ already_member: true });
      }
      expect((await server.fixtures.inviteRow(invite.code))?.uses).toBe(0);
      expect(await membership(chat.id, user.id)).toMatchObject({ invite_code: null });
    });

    it("answers one uniform 404 for unknown, revoked, expired, used-up codes and archived chats", async () => {
      const now = Date.now();
      const archived = await server.fixtures.chat({ owner, archived: true });
      const dead = [
        "doesnotexist1234",
        (await server.fixtures.invite(chat, owner, { revoked_at: now - 1 })).code,
        (await server.fixtures.invite(chat, owner, { expires_at: now - 1 })).code,
        (await server.fixtures.invite(chat, owner, { max_uses: 1, uses: 1 })).code,
        (await server.fixtures.invite(archived, owner)).code,
      ];
      const { user, session } = await newcomer();
      const bodies = new Set<string>();
      for (const code of dead) {
        for (const res of [await t().preview(session, code), await t().redeem(session, code)]) {
          expect(res.status).toBe(404);
          const { correlation_id: _id, ...rest } = res.body as Record<string, unknown>;
          bodies.add(JSON.stringify(rest));
        }
      }
      expect(bodies.size).toBe(1);
      expect([...bodies][0]).toContain(ErrorMessage.inviteNotFound);
      expect(await membership(chat.id, user.id)).toBeUndefined();
      expect(await membership(archived.id, user.id)).toBeUndefined();
    });

    it("answers 400 for a code that cannot be one", async () => {
      const { session } = await newcomer();
      const res = await t().redeem(session, "not-a-code!");
      expect(res.status).toBe(400);
    });

    it("answers 403 to a user banned from the chat, permanently or until later; an expired ban does not block", async () => {
      const invite = await server.fixtures.invite(chat, owner);
      const permanent = await newcomer();
      const later = await newcomer();
      const lifted = await newcomer();
      await server.fixtures.ban(chat, permanent.user, null);
      await server.fixtures.ban(chat, later.user, Date.now() + 3_600_000);
      await server.fixtures.ban(chat, lifted.user, Date.now() - 1000);
      for (const { user, session } of [permanent, later]) {
        for (const res of [await t().preview(session, invite.code), await t().redeem(session, invite.code)]) {
          expect(res.status).toBe(403);
          expect((res.body as { error: string }).error).toBe(ErrorMessage.accessDenied);
        }
        expect(await membership(chat.id, user.id)).toBeUndefined();
      }
      expect((await t().redeem(lifted.session, invite.code)).body).toMatchObject({ already_member: false });
      expect((await server.fixtures.inviteRow(invite.code))?.uses).toBe(1);
    });

    it("stops at max_uses: the next person gets the uniform 404", async () => {
      const invite = await server.fixtures.invite(chat, owner, { max_uses: 1 });
      expect((await t().redeem((await newcomer()).session, invite.code)).status).toBe(200);
      const late = await newcomer();
      expect((await t().redeem(late.session, invite.code)).status).toBe(404);
      expect((await server.fixtures.inviteRow(invite.code))?.uses).toBe(1);
      expect(await membership(chat.id, late.user.id)).toBeUndefined();
    });
  });

  describe("restricted accounts on every authenticated route", () => {
    it.each([
      ["banned", UserState.Banned, null, 403],
      ["timed out until later", UserState.Timeout, 3_600_000, 403],
      ["whose timeout is over", UserState.Timeout, -1000, 200],
    ] as const)("a user %s", async (_name, state, offset, expected) => {
      const user = await server.fixtures.user({ state, level: PermissionLevel.Admin, timeoutUntil: offset === null ? null : Date.now() + offset });
      const session = await server.fixtures.session(user);
      const mine = await server.fixtures.chat({ owner: user });
      const invite = await server.fixtures.invite(mine, user);
      const rest: [string, string][] = [
        ["GET", `/v1/portal/chats/${mine.id}/invites`],
        ["GET", `/v1/portal/chats/${mine.id}/activity`],
        ["GET", `/v1/portal/resolve/${invite.code}`],
        ["POST", `/v1/portal/resolve/${invite.code}`],
        ["GET", "/v1/users/me"],
        ["GET", "/v1/users/me/chats"],
        ["POST", `/v1/portal/chats/${mine.id}/invites/${invite.code}/delete`],
        ["POST", `/v1/portal/chats/${mine.id}/invites`],
        ["POST", "/v1/authentication/logout"],
      ];
      for (const [method, path] of rest) {
        const res = await http(server.url, method, path, { session, ...(method === "POST" ? { json: {} } : {}) });
        expect(res.status, `${method} ${path}`).toBe(expected === 200 && path.endsWith("/invites") && method === "POST" ? 201 : expected);
        if (expected === 403) expect(res.body).toMatchObject({ error: ErrorMessage.accountRestricted });
      }
      // The same through tRPC, with a fresh session (logout above ended the old one when allowed).
      const client = trpcClient(server.url, await server.fixtures.session(user));
      const other = await server.fixtures.invite(mine, user);
      const calls: (() => Promise<unknown>)[] = [
        () => client.user.me.query(),
        () => client.chat.mine.query(),
        () => client.chat.manageable.query(),
        () => client.chat.activity.query({ chat_id: mine.id }),
        () => client.invite.list.query({ chat_id: mine.id }),
        () => client.invite.create.mutate({ chat_id: mine.id }),
        () => client.invite.preview.query({ code: other.code }),
        () => client.invite.redeem.mutate({ code: other.code }),
        () => client.invite.revoke.mutate({ chat_id: mine.id, code: other.code }),
        () => client.auth.logout.mutate(),
      ];
      for (const call of calls) {
        const outcome = await trpcOutcome(call);
        expect(outcome.status).toBe(expected);
        if (expected === 403) expect(outcome.body).toMatchObject({ error: ErrorMessage.accountRestricted, code: "FORBIDDEN" });
      }
    });
  });
});
