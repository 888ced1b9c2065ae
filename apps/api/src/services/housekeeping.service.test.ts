/**
 * Housekeeping (SPEC section 11) on both databases, with the clock passed in: what it purges and
 * what it keeps, on either side of each cutoff (events at 7 days, dead invites at 30 days, expired
 * sessions and login codes, stale stream leases, Idempotency-Key answers at 24 hours); that a run
 * is bounded; and that two instances running it at once (each on its own connection pool) share
 * the work without an error or a row counted twice.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../../test/support/backends.js";
import { openTestDatabase, type Fixtures, type OpenTestDatabase } from "../../test/support/test-server.js";
import { openDatabase } from "../db/database.js";
import type { ChatRow, UserRow } from "../db/schema.js";
import type { ServiceDeps } from "./context.js";
import { purgeInvites } from "./admin.service.js";
import { runHousekeeping } from "./housekeeping.service.js";

const NOW = Date.UTC(2031, 6, 1, 12, 0, 0);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const NOTHING = { events: 0, invites: 0, sessions: 0, login_codes: 0, event_streams: 0, idempotency_keys: 0 };

describe.each(BACKENDS)("housekeeping on %s", (backend) => {
  let opened: OpenTestDatabase;
  let fixtures: Fixtures;
  let owner: UserRow;
  const at = (now: number): ServiceDeps => ({ ...opened.deps, now: () => now });
  const db = () => opened.handle.db;

  beforeAll(async () => {
    opened = await openTestDatabase(backend);
    fixtures = opened.fixtures;
    owner = await fixtures.user();
  });
  afterAll(async () => {
    await opened?.close();
  });

  /** Clears what earlier tests left, so each test counts only its own rows. */
  async function clean() {
    for (const table of ["chat_events", "invites", "sessions", "login_codes", "event_streams", "idempotency_keys", "activity_events"] as const) {
      await db().deleteFrom(table).execute();
    }
  }

  async function events(chat: ChatRow, createdAt: number[]) {
    if (createdAt.length === 0) return;
    await db()
      .insertInto("chat_events")
      .values(createdAt.map((t) => ({ chat_id: chat.id, type: "invite.revoked", data: '{"code":"x"}', created_at: t })))
      .execute();
  }
  const remainingEvents = async () => (await db().selectFrom("chat_events").select("created_at").orderBy("created_at").execute()).map((r) => Number(r.created_at));

  it("purges events past their retention and keeps the newer ones (7 days by default, EVENTS_RETENTION_DAYS otherwise)", async () => {
    await clean();
    const chat = await fixtures.chat({ owner });
    await events(chat, [NOW - 30 * DAY, NOW - 7 * DAY - 1, NOW - 7 * DAY, NOW - 7 * DAY + MINUTE, NOW - HOUR]);
    expect(await runHousekeeping(at(NOW))).toEqual({ ...NOTHING, events: 2 });
    expect(await remainingEvents()).toEqual([NOW - 7 * DAY, NOW - 7 * DAY + MINUTE, NOW - HOUR]);
    expect(await runHousekeeping(at(NOW), { eventsRetentionDays: 1 })).toEqual({ ...NOTHING, events: 2 });
    expect(await remainingEvents()).toEqual([NOW - HOUR]);
  });

  it("purges invites dead for 30 days (revoked, expired, used up with no join since), keeps those dead for 29 and every live one", async () => {
    await clean();
    const chat = await fixtures.chat({ owner });
    const old = NOW - 60 * DAY;
    const invite = (code: string, fields: Parameters<Fixtures["invite"]>[2]) => fixtures.invite(chat, owner, { code, created_at: old, ...fields });
    await invite("revoked31", { revoked_at: NOW - 31 * DAY });
    await invite("revoked29", { revoked_at: NOW - 29 * DAY });
    await invite("expired31", { expires_at: NOW - 31 * DAY });
    await invite("expired29", { expires_at: NOW - 29 * DAY });
    await invite("usedup-quiet", { max_uses: 2, uses: 2 });
    await invite("usedup-joined29", { max_uses: 2, uses: 2 });
    await fixtures.invite(chat, owner, { code: "usedup-new29", created_at: NOW - 29 * DAY, max_uses: 1, uses: 1 });
    await invite("active-old", { max_uses: 5, uses: 4 });
    await invite("never-expires", {});
    await invite("expires-later", { expires_at: NOW + DAY });
    // A join through "usedup-joined29" 29 days ago: it was used up then, not 30 days ago.
    const joiner = await fixtures.user();
    await db()
      .insertInto("activity_events")
      .values([
        { chat_id: chat.id, user_id: joiner.id, action: "join", method: "invite", invite_code: "usedup-joined29", created_at: NOW - 29 * DAY },
        { chat_id: chat.id, user_id: joiner.id, action: "join", method: "invite", invite_code: "usedup-quiet", created_at: NOW - 45 * DAY },
      ])
      .execute();

    expect(await runHousekeeping(at(NOW))).toEqual({ ...NOTHING, invites: 3 });
    const left = (await db().selectFrom("invites").select("code").orderBy("code").execute()).map((r) => r.code);
    expect(left).toEqual(["active-old", "expired29", "expires-later", "never-expires", "revoked29", "usedup-joined29", "usedup-new29"]);
    // Two days on, those dead for 29 days then are dead for 31.
    expect(await runHousekeeping(at(NOW + 2 * DAY))).toEqual({ ...NOTHING, invites: 4 });
    const after = (await db().selectFrom("invites").select("code").orderBy("code").execute()).map((r) => r.code);
    expect(after).toEqual(["active-old", "expires-later", "never-expires"]);
  });

  it("purges expired sessions and login codes (used or not), stale stream leases and Idempotency-Key answers past 24 hours; keeps the live ones", async () => {
    await clean();
    const user = await fixtures.user();
    await db()
      .insertInto("sessions")
      .values([
        { token_hash: "expired", user_id: user.id, created_at: NOW - 40 * DAY, expires_at: NOW - 1 },
        { token_hash: "ends-now", user_id: user.id, created_at: NOW - 30 * DAY, expires_at: NOW },
        { token_hash: "live", user_id: user.id, created_at: NOW - DAY, expires_at: NOW + 1 },
      ])
      .execute();
    await db()
      .insertInto("login_codes")
      .values([
        { code_hash: "expired-unused", user_id: user.id, created_at: NOW - 11 * MINUTE, expires_at: NOW - MINUTE, used_at: null },
        { code_hash: "expired-used", user_id: user.id, created_at: NOW - 11 * MINUTE, expires_at: NOW - MINUTE, used_at: NOW - 10 * MINUTE },
        { code_hash: "fresh-unused", user_id: user.id, created_at: NOW - MINUTE, expires_at: NOW + 9 * MINUTE, used_at: null },
      ])
      .execute();
    await db()
      .insertInto("event_streams")
      .values([
        { id: "dead-instance", user_id: user.id, instance_id: "gone", chat_id: 1, opened_at: NOW - 3 * HOUR, lease_until: NOW - 2 * HOUR },
        { id: "just-ran-out", user_id: user.id, instance_id: "slow", chat_id: 1, opened_at: NOW - HOUR, lease_until: NOW - MINUTE },
        { id: "live", user_id: user.id, instance_id: "here", chat_id: 1, opened_at: NOW - MINUTE, lease_until: NOW + MINUTE },
      ])
      .execute();
    const answer = { request_hash: "h", outcome: "CONFLICT", response: '{"error":"x"}' };
    await db()
      .insertInto("idempotency_keys")
      .values([
        { user_id: user.id, idempotency_key: "25h", ...answer, created_at: NOW - 25 * HOUR },
        { user_id: user.id, idempotency_key: "24h", ...answer, created_at: NOW - 24 * HOUR },
        { user_id: user.id, idempotency_key: "23h", ...answer, created_at: NOW - 23 * HOUR },
      ])
      .execute();

    expect(await runHousekeeping(at(NOW))).toEqual({ ...NOTHING, sessions: 2, login_codes: 2, event_streams: 1, idempotency_keys: 1 });
    expect((await db().selectFrom("sessions").select("token_hash").execute()).map((r) => r.token_hash)).toEqual(["live"]);
    expect((await db().selectFrom("login_codes").select("code_hash").execute()).map((r) => r.code_hash)).toEqual(["fresh-unused"]);
    expect((await db().selectFrom("event_streams").select("id").orderBy("id").execute()).map((r) => r.id)).toEqual(["just-ran-out", "live"]);
    expect((await db().selectFrom("idempotency_keys").select("idempotency_key").orderBy("idempotency_key").execute()).map((r) => r.idempotency_key)).toEqual(["23h", "24h"]);
    expect(await runHousekeeping(at(NOW))).toEqual(NOTHING);
  });

  it("a run is bounded (batchSize × maxBatches of each kind); the next run goes on", async () => {
    await clean();
    const chat = await fixtures.chat({ owner });
    await events(chat, Array.from({ length: 10 }, (_, i) => NOW - 10 * DAY + i));
    for (let i = 0; i < 7; i++) await fixtures.invite(chat, owner, { created_at: NOW - 90 * DAY, revoked_at: NOW - 60 * DAY });
    const limits = { batchSize: 3, maxBatches: 2 };
    expect(await runHousekeeping(at(NOW), { limits })).toEqual({ ...NOTHING, events: 6, invites: 6 });
    expect(await runHousekeeping(at(NOW), { limits })).toEqual({ ...NOTHING, events: 4, invites: 1 });
    expect(await runHousekeeping(at(NOW), { limits })).toEqual(NOTHING);
  });

  it("the CLI's purge is the same purge with its own cutoff: dead now and created over N days ago", async () => {
    await clean();
    const chat = await fixtures.chat({ owner });
    await fixtures.invite(chat, owner, { code: "old-just-revoked", created_at: NOW - 40 * DAY, revoked_at: NOW - MINUTE });
    await fixtures.invite(chat, owner, { code: "old-just-expired", created_at: NOW - 40 * DAY, expires_at: NOW - MINUTE });
    await fixtures.invite(chat, owner, { code: "new-revoked", created_at: NOW - 5 * DAY, revoked_at: NOW - 4 * DAY });
    // Housekeeping keeps them: none is dead for 30 days yet.
    expect((await runHousekeeping(at(NOW))).invites).toBe(0);
    expect(await purgeInvites(at(NOW))).toEqual({ purged: 2, idempotency_keys_purged: 0 });
    expect(await purgeInvites(at(NOW), { olderThanDays: 1 })).toEqual({ purged: 1, idempotency_keys_purged: 0 });
    expect(await db().selectFrom("invites").selectAll().execute()).toEqual([]);
  });

  it("two instances at once, each on its own connections, purge everything between them: no error, no row counted twice", async () => {
    await clean();
    const chat = await fixtures.chat({ owner });
    await events(chat, Array.from({ length: 2500 }, (_, i) => NOW - 8 * DAY - i));
    await events(chat, Array.from({ length: 40 }, (_, i) => NOW - i));
    const user = await fixtures.user();
    await db()
      .insertInto("sessions")
      .values(Array.from({ length: 1200 }, (_, i) => ({ token_hash: `s${i}`, user_id: user.id, created_at: NOW - DAY, expires_at: NOW - 1 - i })))
      .execute();
    await db()
      .insertInto("invites")
      .values(
        Array.from({ length: 1500 }, (_, i) => ({
          code: `dead${i}`,
          chat_id: chat.id,
          created_by_id: owner.id,
          created_at: NOW - 90 * DAY,
          expires_at: i % 2 === 0 ? NOW - 40 * DAY : null,
          revoked_at: i % 2 === 1 ? NOW - 35 * DAY : null,
        })),
      )
      .execute();
    const other = openDatabase(opened.url);
    try {
      const limits = { batchSize: 100, maxBatches: 100 };
      const [first, second] = await Promise.all([
        runHousekeeping(at(NOW), { limits }),
        runHousekeeping({ ...at(NOW), db: other.db }, { limits }),
      ]);
      expect(first.events + second.events).toBe(2500);
      expect(first.sessions + second.sessions).toBe(1200);
      expect(first.invites + second.invites).toBe(1500);
    } finally {
      await other.close();
    }
    expect(await remainingEvents()).toHaveLength(40);
    expect(await db().selectFrom("sessions").selectAll().execute()).toEqual([]);
    expect(await db().selectFrom("invites").selectAll().execute()).toEqual([]);
  });
});
