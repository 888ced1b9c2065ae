/**
 * Live events are recorded with their change (SPEC section 11), over real HTTP, on every backend,
 * through REST and a real tRPC client: every write records its event, with the documented data,
 * in the change's own transaction; a change that is refused or rolled back leaves no event, and a
 * replayed idempotent create records nothing new. The events are read from the `chat_events`
 * table itself (their delivery is tested elsewhere).
 */
import { chatEventSchema, ErrorMessage, type ChatEvent } from "@portal/contracts";
import { createTRPCClient, httpLink } from "@trpc/client";
import { sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow, UserRow } from "../../src/db/schema.js";
import { LiveEvent } from "../../src/live/live-event.js";
import type { AppRouter } from "../../src/trpc/app-router.js";
import { BACKENDS } from "../support/backends.js";
import { http, trpcClient, trpcOutcome } from "../support/clients.js";
import { burst, tally } from "../support/processes.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const HOUR = 3_600_000;
const wire = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

interface Outcome {
  status: number;
  body: unknown;
}
type Body = Record<string, unknown>;

interface Transport {
  name: "rest" | "trpc";
  create(session: string, chatId: number, body?: Body, idempotencyKey?: string): Promise<Outcome>;
  update(session: string, chatId: number, code: string, body: Body): Promise<Outcome>;
  revoke(session: string, chatId: number, code: string): Promise<Outcome>;
  revokeAll(session: string, chatId: number): Promise<Outcome>;
  redeem(session: string, code: string): Promise<Outcome>;
  updateSettings(session: string, chatId: number, body: Body): Promise<Outcome>;
  approve(session: string, chatId: number, userId: number): Promise<Outcome>;
  decline(session: string, chatId: number, userId: number): Promise<Outcome>;
}

function transport(name: "rest" | "trpc", url: string): Transport {
  if (name === "rest") {
    const chat = (id: number) => `/v1/portal/chats/${id}`;
    return {
      name,
      create: (s, c, body = {}, key) =>
        http(url, "POST", `${chat(c)}/invites`, { session: s, json: body, ...(key === undefined ? {} : { headers: { "idempotency-key": key } }) }),
      update: (s, c, code, body) => http(url, "POST", `${chat(c)}/invites/${code}/update`, { session: s, json: body }),
      revoke: (s, c, code) => http(url, "POST", `${chat(c)}/invites/${code}/delete`, { session: s }),
      revokeAll: (s, c) => http(url, "POST", `${chat(c)}/invites/revoke-all`, { session: s }),
      redeem: (s, code) => http(url, "POST", `/v1/portal/resolve/${code}`, { session: s }),
      updateSettings: (s, c, body) => http(url, "POST", `${chat(c)}/invite-settings/update`, { session: s, json: body }),
      approve: (s, c, u) => http(url, "POST", `${chat(c)}/join-requests/${u}/approve`, { session: s }),
      decline: (s, c, u) => http(url, "POST", `${chat(c)}/join-requests/${u}/decline`, { session: s }),
    };
  }
  const t = (s: string) => trpcClient(url, s);
  const keyed = (s: string, key: string) =>
    createTRPCClient<AppRouter>({ links: [httpLink({ url: `${url}/trpc`, headers: () => ({ cookie: `psession=${s}`, "idempotency-key": key }) })] });
  return {
    name,
    create: (s, c, body = {}, key) =>
      trpcOutcome(() => (key === undefined ? t(s) : keyed(s, key)).invite.create.mutate({ chat_id: c, ...body } as never)),
    update: (s, c, code, body) => trpcOutcome(() => t(s).invite.update.mutate({ chat_id: c, code, ...body } as never)),
    revoke: (s, c, code) => trpcOutcome(() => t(s).invite.revoke.mutate({ chat_id: c, code })),
    revokeAll: (s, c) => trpcOutcome(() => t(s).invite.revokeAll.mutate({ chat_id: c })),
    redeem: (s, code) => trpcOutcome(() => t(s).invite.redeem.mutate({ code })),
    updateSettings: (s, c, body) => trpcOutcome(() => t(s).chat.updateInviteSettings.mutate({ chat_id: c, ...body } as never)),
    approve: (s, c, u) => trpcOutcome(() => t(s).chat.approveJoinRequest.mutate({ chat_id: c, user_id: u })),
    decline: (s, c, u) => trpcOutcome(() => t(s).chat.declineJoinRequest.mutate({ chat_id: c, user_id: u })),
  };
}

const errorOf = (o: Outcome) => (o.body as { error?: string }).error;

describe.each(BACKENDS)("events recorded with their change on %s", (backend) => {
  let server: TestServer;
  let owner: UserRow;
  let session: string;

  beforeAll(async () => {
    server = await startTestServer(backend);
    owner = await server.fixtures.user();
    session = await server.fixtures.session(owner);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const f = () => server.fixtures;
  const db = () => server.database.db;
  const publicUser = (user: UserRow) => ({ id: user.id, username: user.username, avatar_url: user.avatar_url });

  /** The chat's events in id order, each checked against the contract's shape. */
  async function eventsOf(chat: ChatRow): Promise<ChatEvent[]> {
    const rows = await db().selectFrom("chat_events").selectAll().where("chat_id", "=", chat.id).orderBy("id").execute();
    // As the streams send them (LiveEvent), checked against the contract.
    return rows.map((row) => chatEventSchema.parse(new LiveEvent(row).event));
  }
  const typesOf = async (chat: ChatRow) => (await eventsOf(chat)).map((e) => e.type);
  const dataOf = async (chat: ChatRow) => (await eventsOf(chat)).map((e) => ({ type: e.type, data: e.data }));

  async function newcomer() {
    const user = await f().user();
    return { user, session: await f().session(user) };
  }

  describe.each(["rest", "trpc"] as const)("over %s", (name) => {
    const t = () => transport(name, server.url);
    const chatOf = (visibility: ChatRow["visibility"] = "public") => f().chat({ owner, name: "Live", visibility });

    it("create records invite.created with the invite object; edit invite.updated with the invite after it; revoke invite.revoked", async () => {
      const chat = await chatOf();
      const before = Date.now();
      const created = await t().create(session, chat.id, { max_uses: 5 });
      expect(created.status).toBe(name === "rest" ? 201 : 200);
      const invite = created.body as { code: string };
      const expiresAt = wire(Date.now() + 2 * HOUR);
      const updated = await t().update(session, chat.id, invite.code, { max_uses: 9, expires_at: expiresAt });
      expect(updated.status).toBe(200);
      expect(updated.body).toMatchObject({ max_uses: 9, expires_at: expiresAt });
      expect((await t().revoke(session, chat.id, invite.code)).status).toBe(200);

      const events = await eventsOf(chat);
      expect(events.map((e) => ({ type: e.type, data: e.data }))).toEqual([
        { type: "invite.created", data: created.body },
        { type: "invite.updated", data: updated.body },
        { type: "invite.revoked", data: { code: invite.code } },
      ]);
      for (const event of events) {
        expect(event.chat_id).toBe(chat.id);
        expect(Date.parse(event.created_at)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      }
      expect(Number(events[2]!.id)).toBeGreaterThan(Number(events[1]!.id));
      expect(Number(events[1]!.id)).toBeGreaterThan(Number(events[0]!.id));
    });

    it("revoke-all records one invite.revoked per revoked invite, none for dead ones or other chats'", async () => {
      const chat = await chatOf();
      const other = await chatOf();
      const active = [await f().invite(chat, owner), await f().invite(chat, owner, { max_uses: 3, uses: 1 }), await f().invite(chat, owner)];
      await f().invite(chat, owner, { revoked_at: Date.now() - 1000 });
      await f().invite(chat, owner, { max_uses: 1, uses: 1 });
      await f().invite(other, owner);
      const result = await t().revokeAll(session, chat.id);
      expect(result.body).toEqual({ revoked: 3 });
      const events = await dataOf(chat);
      expect(events.every((e) => e.type === "invite.revoked")).toBe(true);
      expect(events.map((e) => (e.data as { code: string }).code).sort()).toEqual(active.map((i) => i.code).sort());
      expect(await eventsOf(other)).toEqual([]);
      // Nothing left to revoke: nothing told.
      expect((await t().revokeAll(session, chat.id)).body).toEqual({ revoked: 0 });
      expect(await eventsOf(chat)).toHaveLength(3);
    });

    it("a join records member.joined with the user, the method, the invite and its uses after the join; the last use adds invite.used_up", async () => {
      const chat = await chatOf();
      const invite = await f().invite(chat, owner, { max_uses: 2 });
      const first = await newcomer();
      const second = await newcomer();
      expect((await t().redeem(first.session, invite.code)).status).toBe(200);
      expect((await t().redeem(second.session, invite.code)).status).toBe(200);
      // A member joining again, and the owner, change nothing and tell nothing.
      expect((await t().redeem(first.session, invite.code)).status).toBe(404);
      expect(await dataOf(chat)).toEqual([
        { type: "member.joined", data: { user: publicUser(first.user), method: "invite", invite_code: invite.code, uses: 1 } },
        { type: "member.joined", data: { user: publicUser(second.user), method: "invite", invite_code: invite.code, uses: 2 } },
        { type: "invite.used_up", data: { code: invite.code } },
      ]);

      const unlimited = await f().invite(chat, owner);
      expect((await t().redeem(first.session, unlimited.code)).body).toMatchObject({ already_member: true });
      expect((await t().redeem(session, unlimited.code)).body).toMatchObject({ already_member: true });
      expect(await eventsOf(chat)).toHaveLength(3);
    });

    it("with join approval: join_request.created once (asking again tells nothing), approval member.joined and invite.used_up, decline join_request.declined", async () => {
      const chat = await chatOf("private");
      const settings = await t().updateSettings(session, chat.id, { join_approval: true });
      expect(settings.body).toEqual({ paused_until: null, join_approval: true });
      const invite = await f().invite(chat, owner, { max_uses: 1 });
      const asker = await newcomer();
      const other = await newcomer();
      const asked = Date.now();
      await t().redeem(asker.session, invite.code);
      await t().redeem(asker.session, invite.code);
      await t().redeem(other.session, invite.code);
      const [settingsEvent, request, otherRequest, ...rest] = await dataOf(chat);
      expect(rest).toEqual([]);
      expect(settingsEvent).toEqual({ type: "invite_settings.updated", data: settings.body });
      expect(request).toEqual({ type: "join_request.created", data: { user: publicUser(asker.user), invite_code: invite.code, created_at: expect.any(String) } });
      expect(Date.parse((request!.data as { created_at: string }).created_at)).toBeGreaterThanOrEqual(Math.floor(asked / 1000) * 1000);
      expect(otherRequest).toMatchObject({ type: "join_request.created", data: { user: publicUser(other.user) } });

      expect((await t().approve(session, chat.id, asker.user.id)).status).toBe(200);
      // The one use is gone: the other's approval is refused and rolls back, telling nothing.
      const refused = await t().approve(session, chat.id, other.user.id);
      expect({ status: refused.status, error: errorOf(refused) }).toEqual({ status: 409, error: ErrorMessage.inviteNoLongerUsable });
      expect((await t().decline(session, chat.id, other.user.id)).status).toBe(200);
      expect((await t().decline(session, chat.id, other.user.id)).status).toBe(404);
      expect((await dataOf(chat)).slice(3)).toEqual([
        { type: "member.joined", data: { user: publicUser(asker.user), method: "invite", invite_code: invite.code, uses: 1 } },
        { type: "invite.used_up", data: { code: invite.code } },
        { type: "join_request.declined", data: { user_id: other.user.id } },
      ]);
    });

    it("a settings change records invite_settings.updated with the settings after it", async () => {
      const chat = await chatOf();
      const until = wire(Date.now() + 2 * HOUR);
      const paused = await t().updateSettings(session, chat.id, { paused_until: until });
      const resumed = await t().updateSettings(session, chat.id, { paused_until: null, join_approval: true });
      expect(paused.body).toEqual({ paused_until: until, join_approval: false });
      expect(await dataOf(chat)).toEqual([
        { type: "invite_settings.updated", data: paused.body },
        { type: "invite_settings.updated", data: resumed.body },
      ]);
    });

    it("refused changes leave no event: a create over the quota, an edit below the uses or over the quota, an unknown revoke, a bad settings change", async () => {
      const chat = await chatOf();
      for (let i = 0; i < 20; i++) await f().invite(chat, owner);
      const full = await t().create(session, chat.id);
      expect({ status: full.status, error: errorOf(full) }).toEqual({ status: 409, error: ErrorMessage.inviteLimitReached });
      const usedUp = await f().invite(chat, owner, { max_uses: 2, uses: 2 });
      const revive = await t().update(session, chat.id, usedUp.code, { max_uses: 5 });
      expect({ status: revive.status, error: errorOf(revive) }).toEqual({ status: 409, error: ErrorMessage.inviteLimitReached });
      const below = await t().update(session, chat.id, usedUp.code, { max_uses: 1 });
      expect(below.status).toBe(400);
      expect((await t().revoke(session, chat.id, "nosuchinvitecode")).status).toBe(404);
      expect((await t().updateSettings(session, chat.id, { paused_until: wire(Date.now() - HOUR) })).status).toBe(400);
      expect((await t().approve(session, chat.id, owner.id)).status).toBe(404);
      expect(await eventsOf(chat)).toEqual([]);
    });

    it("an idempotent create records invite.created once: its replays, and a kept refusal's, record nothing", async () => {
      const chat = await chatOf();
      const key = `events-${name}-${Math.random().toString(36).slice(2)}`;
      const first = await t().create(session, chat.id, { max_uses: 4 }, key);
      const again = await t().create(session, chat.id, { max_uses: 4 }, key);
      expect(again.body).toEqual(first.body);
      expect(await dataOf(chat)).toEqual([{ type: "invite.created", data: first.body }]);

      const full = await chatOf();
      for (let i = 0; i < 20; i++) await f().invite(full, owner);
      const refusedKey = `${key}-full`;
      expect((await t().create(session, full.id, {}, refusedKey)).status).toBe(409);
      expect((await t().create(session, full.id, {}, refusedKey)).status).toBe(409);
      expect(await eventsOf(full)).toEqual([]);
    });
  });

  it("joins racing for the last uses: one member.joined per counted use (uses 1 and 2), one invite.used_up, nothing for the refused", async () => {
    const chat = await f().chat({ owner });
    const invite = await f().invite(chat, owner, { max_uses: 2 });
    const joiners = await Promise.all(Array.from({ length: 12 }, () => newcomer()));
    const results = await burst(12, (i) => http(server.url, "POST", `/v1/portal/resolve/${invite.code}`, { session: joiners[i]!.session }));
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 2, 404: 10 });
    const events = await dataOf(chat);
    expect(events.map((e) => e.type)).toEqual(["member.joined", "member.joined", "invite.used_up"]);
    expect(events.slice(0, 2).map((e) => (e.data as { uses: number }).uses)).toEqual([1, 2]);
    const joinedIds = events.slice(0, 2).map((e) => (e.data as { user: { id: number } }).user.id).sort((a, b) => a - b);
    const admitted = joiners.filter((_, i) => results[i]!.status === 200).map((j) => j.user.id).sort((a, b) => a - b);
    expect(joinedIds).toEqual(admitted);
  });

  it("an edit that moves a passed expiry ahead makes it pending again, so its next passing is told once more", async () => {
    const chat = await f().chat({ owner });
    // Written as told already (the server's own sweep would otherwise tell it first).
    const invite = await db()
      .insertInto("invites")
      .values({ code: `moved${Math.random().toString(36).slice(2, 12)}`, chat_id: chat.id, created_by_id: owner.id, created_at: Date.now() - HOUR, expires_at: Date.now() - 1000, expiry_recorded: 1 })
      .returningAll()
      .executeTakeFirstOrThrow();
    const expiry = () => db().selectFrom("invites").select("expiry_recorded").where("id", "=", invite.id).executeTakeFirstOrThrow();
    // Only max_uses changes: the expiry stays past and told.
    expect((await transport("rest", server.url).update(session, chat.id, invite.code, { max_uses: 10 })).status).toBe(200);
    expect((await expiry()).expiry_recorded).toBe(1);
    expect((await transport("rest", server.url).update(session, chat.id, invite.code, { expires_at: wire(Date.now() + HOUR) })).status).toBe(200);
    expect((await expiry()).expiry_recorded).toBe(0);
    expect(await typesOf(chat)).toEqual(["invite.updated", "invite.updated"]);
  });

  it.runIf(backend === "postgres")(
    "a join whose use cannot be counted after its membership row (the last use taken meanwhile) rolls back with no event",
    async () => {
      const chat = await f().chat({ owner });
      const invite = await f().invite(chat, owner, { max_uses: 1 });
      const joiner = await newcomer();
      // Hold the invite's row: the join reads it as usable, writes the membership, then waits at
      // the use's conditional update; meanwhile the last use goes.
      const holder = new pg.Client({ connectionString: server.config.databaseUrl });
      await holder.connect();
      try {
        await holder.query("begin");
        await holder.query("select id from invites where id = $1 for update", [invite.id]);
        const join = http(server.url, "POST", `/v1/portal/resolve/${invite.code}`, { session: joiner.session });
        const deadline = Date.now() + 30_000;
        let waiting = false;
        while (!waiting && Date.now() < deadline) {
          const found = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'update "invites"%'`.execute(db());
          waiting = (found.rows[0]?.n ?? 0) > 0;
          if (!waiting) await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(waiting, "the join waits at the use's update").toBe(true);
        await holder.query("update invites set uses = 1 where id = $1", [invite.id]);
        await holder.query("commit");
        const result = await join;
        expect({ status: result.status, error: errorOf(result) }).toEqual({ status: 404, error: ErrorMessage.inviteNotFound });
      } finally {
        await holder.end();
      }
      expect(await eventsOf(chat)).toEqual([]);
      expect(await db().selectFrom("chat_members").selectAll().where("chat_id", "=", chat.id).execute()).toEqual([]);
    },
  );
});
