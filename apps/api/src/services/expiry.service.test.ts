/**
 * The expiry sweep (SPEC section 11) on both databases, with the clock passed in: a passed expiry
 * is told once as `invite.expired`; revoked and used-up invites are not told; an edit that moves
 * the expiry ahead makes it pending again; several sweeps at once (each on its own connection pool,
 * as instances are) tell each invite once; a sweep is bounded; it reads the partial index.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../../test/support/backends.js";
import { openTestDatabase, type Fixtures, type OpenTestDatabase } from "../../test/support/test-server.js";
import { openDatabase, type Database } from "../db/database.js";
import { expiryPendingQuery } from "../db/repositories/invite.repository.js";
import type { ChatRow, UserRow } from "../db/schema.js";
import type { ServiceDeps } from "./context.js";
import { recordPassedExpiries } from "./expiry.service.js";
import { updateInvite } from "./invite-management.service.js";

const NOW = Date.UTC(2031, 4, 1, 12, 0, 0);
const HOUR = 3_600_000;

describe.each(BACKENDS)("the expiry sweep on %s", (backend) => {
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

  async function expiredOf(chat: ChatRow) {
    const rows = await db().selectFrom("chat_events").selectAll().where("chat_id", "=", chat.id).orderBy("id").execute();
    return rows.map((row) => ({ type: row.type, data: JSON.parse(row.data) as unknown, created_at: row.created_at }));
  }
  const recordedFlag = async (id: number) =>
    (await db().selectFrom("invites").select("expiry_recorded").where("id", "=", id).executeTakeFirstOrThrow()).expiry_recorded;

  /** Sweeps until nothing is left (every earlier test's invites included), at most 20 times. */
  async function sweepAll(now: number): Promise<number> {
    let total = 0;
    for (let i = 0; i < 20; i++) {
      const recorded = await recordPassedExpiries(at(now));
      total += recorded;
      if (recorded === 0) break;
    }
    return total;
  }

  it("tells a passed expiry once; not one still ahead, not a revoked or used-up invite (which is marked, so it leaves the index)", async () => {
    const chat = await fixtures.chat({ owner });
    const passed = await fixtures.invite(chat, owner, { expires_at: NOW - 1 });
    const exactlyNow = await fixtures.invite(chat, owner, { expires_at: NOW });
    const ahead = await fixtures.invite(chat, owner, { expires_at: NOW + 1 });
    const revoked = await fixtures.invite(chat, owner, { expires_at: NOW - HOUR, revoked_at: NOW - 2 * HOUR });
    const usedUp = await fixtures.invite(chat, owner, { expires_at: NOW - HOUR, max_uses: 2, uses: 2 });
    const never = await fixtures.invite(chat, owner);

    await sweepAll(NOW);
    const events = await expiredOf(chat);
    expect(events.map((e) => e.type)).toEqual(["invite.expired", "invite.expired"]);
    expect(events.map((e) => e.data)).toEqual([{ code: passed.code }, { code: exactlyNow.code }]);
    expect(events.every((e) => Number(e.created_at) === NOW)).toBe(true);
    expect(await recordedFlag(usedUp.id)).toBe(1);
    expect(await recordedFlag(revoked.id)).toBe(0);
    expect(await recordedFlag(ahead.id)).toBe(0);
    expect(await recordedFlag(never.id)).toBe(0);

    // Again, and later: nothing new but the one whose time has come.
    expect(await sweepAll(NOW)).toBe(0);
    await sweepAll(NOW + 1);
    expect((await expiredOf(chat)).map((e) => e.data)).toEqual([{ code: passed.code }, { code: exactlyNow.code }, { code: ahead.code }]);
  });

  it("an edit moving a told expiry ahead makes it pending again; one changing only max_uses does not", async () => {
    const chat = await fixtures.chat({ owner });
    const invite = await fixtures.invite(chat, owner, { expires_at: NOW - HOUR, created_at: NOW - 2 * HOUR });
    await sweepAll(NOW);
    expect(await recordedFlag(invite.id)).toBe(1);

    await updateInvite(at(NOW + 1000), owner, { chat_id: chat.id, code: invite.code, max_uses: 7 });
    expect(await recordedFlag(invite.id)).toBe(1);
    await sweepAll(NOW + 2000);

    const later = new Date(NOW + 2 * HOUR).toISOString().replace(".000Z", "Z");
    await updateInvite(at(NOW + 3000), owner, { chat_id: chat.id, code: invite.code, expires_at: later });
    expect(await recordedFlag(invite.id)).toBe(0);
    await sweepAll(NOW + HOUR);
    await sweepAll(NOW + 3 * HOUR);
    expect((await expiredOf(chat)).map((e) => e.type)).toEqual(["invite.expired", "invite.updated", "invite.updated", "invite.expired"]);
  });

  it("a sweep is bounded: batchSize × maxBatches invites at most, the next sweep goes on", async () => {
    await sweepAll(NOW + 10 * HOUR);
    const chat = await fixtures.chat({ owner });
    for (let i = 0; i < 12; i++) await fixtures.invite(chat, owner, { expires_at: NOW + 11 * HOUR + i });
    const limits = { batchSize: 5, maxBatches: 2 };
    const sweepAt = at(NOW + 12 * HOUR);
    expect(await recordPassedExpiries(sweepAt, limits)).toBe(10);
    expect(await recordPassedExpiries(sweepAt, limits)).toBe(2);
    expect(await recordPassedExpiries(sweepAt, limits)).toBe(0);
    expect(await expiredOf(chat)).toHaveLength(12);
  });

  it("four sweeps at once, each on its own connections, tell each of 60 passed expiries exactly once", async () => {
    await sweepAll(NOW + 20 * HOUR);
    const chat = await fixtures.chat({ owner });
    const invites = [];
    for (let i = 0; i < 60; i++) invites.push(await fixtures.invite(chat, owner, { expires_at: NOW + 21 * HOUR + (i % 3) }));
    const handles: Database[] = Array.from({ length: 4 }, () => openDatabase(opened.url));
    try {
      const limits = { batchSize: 7, maxBatches: 20 };
      const counts = await Promise.all(
        handles.map((handle) => recordPassedExpiries({ ...opened.deps, db: handle.db, now: () => NOW + 22 * HOUR }, limits)),
      );
      expect(counts.reduce((a, b) => a + b, 0)).toBe(60);
    } finally {
      await Promise.all(handles.map((handle) => handle.close()));
    }
    const told = (await expiredOf(chat)).map((e) => (e.data as { code: string }).code);
    expect(told).toHaveLength(60);
    expect(new Set(told)).toEqual(new Set(invites.map((i) => i.code)));
  });

  it("reads the pending expiries through the partial index invites_expiry_pending", async () => {
    const compiled = expiryPendingQuery(db(), NOW, 100).compile();
    let plan: string;
    if (backend === "sqlite") {
      const rows = opened.handle.sqlite!.prepare(`explain query plan ${compiled.sql}`).all(...(compiled.parameters as unknown[])) as { detail: string }[];
      plan = rows.map((r) => r.detail).join("\n");
    } else {
      plan = await db().connection().execute(async (conn) => {
        await sql`set enable_seqscan = off`.execute(conn);
        const inlined = compiled.sql.replace(/\$(\d+)/g, (_m, n: string) => String(compiled.parameters[Number(n) - 1]));
        const result = await sql<{ "QUERY PLAN": string }>`explain ${sql.raw(inlined)}`.execute(conn);
        await sql`reset enable_seqscan`.execute(conn);
        return result.rows.map((r) => r["QUERY PLAN"]).join("\n");
      });
    }
    expect(plan).toContain("invites_expiry_pending");
  });
});
