/**
 * The tRPC-only procedures the web app uses beside the documented shapes, over real HTTP on every
 * backend: `chat.people` (who created a chat's active invites, checked as `invite.list` is),
 * `auth.restriction` (why an account is restricted, and until when) and `auth.endSession`
 * (signing out whatever the account's standing).
 */
import { ErrorMessage } from "@portal/contracts";
import { PermissionLevel, UserState } from "@portal/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow, UserRow } from "../../src/db/schema.js";
import { BACKENDS } from "../support/backends.js";
import { trpcClient, trpcOutcome } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

describe.each(BACKENDS)("the web app's tRPC-only procedures on %s", (backend) => {
  let server: TestServer;
  let owner: UserRow;
  let mod: UserRow;
  let stranger: UserRow;
  let publicChat: ChatRow;
  let privateChat: ChatRow;
  const sessions = new Map<UserRow, string>();
  const client = (user?: UserRow) => trpcClient(server.url, user ? sessions.get(user) : undefined);

  beforeAll(async () => {
    server = await startTestServer(backend);
    const f = server.fixtures;
    owner = await f.user();
    mod = await f.user({ level: PermissionLevel.Mod });
    stranger = await f.user();
    for (const u of [owner, mod, stranger]) sessions.set(u, await f.session(u));
    publicChat = await f.chat({ owner, visibility: "public" });
    privateChat = await f.chat({ owner, visibility: "private" });
  });

  afterAll(async () => {
    await server?.stop();
  });

  describe("chat.people", () => {
    it("names the creators of the chat's active invites, once each, and no one else", async () => {
      const f = server.fixtures;
      await f.invite(publicChat, owner);
      await f.invite(publicChat, mod);
      await f.invite(publicChat, mod);
      // A revoked, an expired and a deleted creator's invite name nobody.
      await f.invite(publicChat, stranger, { revoked_at: Date.now() - 1000 });
      await f.invite(publicChat, stranger, { expires_at: Date.now() - 1000 });
      await f.invite(publicChat, null);

      const people = await client(owner).chat.people.query({ chat_id: publicChat.id });
      expect(people).toEqual({
        users: [
          { id: owner.id, username: owner.username, avatar_url: null },
          { id: mod.id, username: mod.username, avatar_url: null },
        ],
      });
      // The moderator manages the public chat too, and reads the same.
      expect(await client(mod).chat.people.query({ chat_id: publicChat.id })).toEqual(people);
    });

    it("answers as invite.list does for someone who may not manage the chat", async () => {
      const forbidden = await trpcOutcome(() => client(stranger).chat.people.query({ chat_id: publicChat.id }));
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toMatchObject({ error: ErrorMessage.accessDenied });
      const hidden = await trpcOutcome(() => client(mod).chat.people.query({ chat_id: privateChat.id }));
      expect(hidden.status).toBe(404);
      expect(hidden.body).toMatchObject({ error: ErrorMessage.chatNotFound });
      const list = await trpcOutcome(() => client(mod).invite.list.query({ chat_id: privateChat.id }));
      expect(list.status).toBe(hidden.status);
      const nobody = await trpcOutcome(() => client().chat.people.query({ chat_id: publicChat.id }));
      expect(nobody.status).toBe(401);
    });

    it("names nobody for a chat without invites", async () => {
      const empty = await server.fixtures.chat({ owner, visibility: "public" });
      expect(await client(owner).chat.people.query({ chat_id: empty.id })).toEqual({ users: [] });
    });
  });

  describe("auth.restriction and auth.endSession", () => {
    it("says until when a timeout runs, and that a ban has no end", async () => {
      const f = server.fixtures;
      const until = Math.floor((Date.now() + 3_600_000) / 1000) * 1000;
      const timedOut = await f.user({ state: UserState.Timeout, timeoutUntil: until });
      const banned = await f.user({ state: UserState.Banned });
      const timedOutClient = trpcClient(server.url, await f.session(timedOut));
      const bannedClient = trpcClient(server.url, await f.session(banned));

      expect(await timedOutClient.auth.restriction.query()).toEqual({
        state: "timeout",
        until: new Date(until).toISOString().replace(".000Z", "Z"),
      });
      expect(await bannedClient.auth.restriction.query()).toEqual({ state: "banned", until: null });
      expect(await client(owner).auth.restriction.query()).toBeNull();
      expect(await client().auth.restriction.query()).toBeNull();
    });

    it("signs a restricted account out, which auth.logout refuses", async () => {
      const f = server.fixtures;
      const banned = await f.user({ state: UserState.Banned });
      const session = await f.session(banned);
      const bannedClient = trpcClient(server.url, session);

      const logout = await trpcOutcome(() => bannedClient.auth.logout.mutate());
      expect(logout.status).toBe(403);
      expect(logout.body).toMatchObject({ error: ErrorMessage.accountRestricted });

      expect(await bannedClient.auth.endSession.mutate()).toEqual({ message: "Logged out" });
      // The session is gone: the account is no longer even seen as restricted.
      expect(await bannedClient.auth.restriction.query()).toBeNull();
      expect(await bannedClient.auth.session.query()).toBeNull();
    });

    it("ends an ordinary session too, and answers the same without one", async () => {
      const f = server.fixtures;
      const user = await f.user();
      const userClient = trpcClient(server.url, await f.session(user));
      expect(await userClient.auth.endSession.mutate()).toEqual({ message: "Logged out" });
      expect(await userClient.auth.session.query()).toBeNull();
      expect(await client().auth.endSession.mutate()).toEqual({ message: "Logged out" });
    });
  });
});
