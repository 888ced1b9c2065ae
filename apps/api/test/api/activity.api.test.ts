/** A chat's activity: joins through invites and bans, newest first, paged; REST and tRPC alike. */
import { ErrorMessage } from "@portal/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { UserRow } from "../../src/db/schema.js";
import { banUser } from "../../src/services/admin.service.js";
import { BACKENDS } from "../support/backends.js";
import { http, trpcClient, trpcOutcome } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

interface Page {
  events: { user: { id: number; username: string }; action: string; method: string | null; invite_code: string | null; created_at: string }[];
  total: number;
  offset: number;
  limit: number;
}

describe.each(BACKENDS)("chat activity on %s", (backend) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer(backend);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("shows who joined through which invite and the CLI's bans, newest first, paged", async () => {
    const f = server.fixtures;
    const owner = await f.user();
    const session = await f.session(owner);
    const chat = await f.chat({ owner });
    const invite = await f.invite(chat, owner, { max_uses: 10 });
    const joiners: UserRow[] = [];
    for (let i = 0; i < 7; i++) {
      const user = await f.user({ username: `joiner${i}_${backend}` });
      joiners.push(user);
      const res = await http(server.url, "POST", `/v1/portal/resolve/${invite.code}`, { session: await f.session(user) });
      expect(res.status).toBe(200);
    }
    await banUser(server.deps, { chatId: chat.id, user: joiners[2]!.username, reason: "spam" });

    const first = await http<Page>(server.url, "GET", `/v1/portal/chats/${chat.id}/activity?limit=3`, { session });
    expect(first.status).toBe(200);
    expect(first.body.total).toBe(8);
    expect(first.body.offset).toBe(0);
    expect(first.body.limit).toBe(3);
    expect(first.body.events).toHaveLength(3);
    expect(first.body.events[0]).toMatchObject({ action: "ban", method: null, invite_code: null, user: { id: joiners[2]!.id } });
    expect(first.body.events[1]).toMatchObject({
      action: "join",
      method: "invite",
      invite_code: invite.code,
      user: { id: joiners[6]!.id, username: joiners[6]!.username, avatar_url: null },
    });
    expect(first.body.events[0]!.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);

    const rest = await http<Page>(server.url, "GET", `/v1/portal/chats/${chat.id}/activity?offset=3&limit=100`, { session });
    // Newest first: the ban, then joins 6..0; from offset 3 come joins 4..0.
    expect(rest.body.events.map((e) => e.user.id)).toEqual([4, 3, 2, 1, 0].map((i) => joiners[i]!.id));
    expect(rest.body.events.every((e) => e.action === "join")).toBe(true);
    // Defaults, and the same page through tRPC.
    const all = await http<Page>(server.url, "GET", `/v1/portal/chats/${chat.id}/activity`, { session });
    expect(all.body).toMatchObject({ offset: 0, limit: 50, total: 8 });
    expect(await trpcClient(server.url, session).chat.activity.query({ chat_id: chat.id })).toEqual(all.body);
    // The banned user is no longer a member.
    const members = await server.deps.db.selectFrom("chat_members").select("user_id").where("chat_id", "=", chat.id).execute();
    expect(members.map((m) => m.user_id)).not.toContain(joiners[2]!.id);
  });

  it.each([
    ["limit=0", "limit must be an integer from 1 to 100"],
    ["limit=101", "limit must be an integer from 1 to 100"],
    ["limit=ten", "limit must be an integer from 1 to 100"],
    ["offset=-1", "offset must be an integer from 0 to 9007199254740991"],
  ])("answers %s with 400", async (query, message) => {
    const owner = await server.fixtures.user();
    const chat = await server.fixtures.chat({ owner });
    const res = await http(server.url, "GET", `/v1/portal/chats/${chat.id}/activity?${query}`, { session: await server.fixtures.session(owner) });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: message });
  });

  it("is for those who manage the chat: 403 for a member, 404 for a stranger to a private chat", async () => {
    const owner = await server.fixtures.user();
    const member = await server.fixtures.user();
    const stranger = await server.fixtures.user();
    const chat = await server.fixtures.chat({ owner, visibility: "private" });
    await server.fixtures.member(chat, member);
    const asMember = await trpcOutcome(async () => trpcClient(server.url, await server.fixtures.session(member)).chat.activity.query({ chat_id: chat.id }));
    expect(asMember).toMatchObject({ status: 403, body: { error: ErrorMessage.accessDenied } });
    const asStranger = await http(server.url, "GET", `/v1/portal/chats/${chat.id}/activity`, { session: await server.fixtures.session(stranger) });
    expect(asStranger).toMatchObject({ status: 404, body: { error: ErrorMessage.chatNotFound } });
  });
});
