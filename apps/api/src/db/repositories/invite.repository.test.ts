/**
 * The database's idea of an active invite is core's: the SQL filter and `isInviteActive` agree on
 * every invite (property test on both databases), and the quota count and the list use the partial
 * index of live invites, so a chat's dead history does not slow them.
 */
import { isInviteActive } from "@portal/core";
import fc from "fast-check";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../../../test/support/backends.js";
import { openTestDatabase, type Fixtures, type OpenTestDatabase } from "../../../test/support/test-server.js";
import type { Database } from "../database.js";
import type { ChatRow, UserRow } from "../schema.js";
import { readSteps } from "../steps.js";
import { countActiveInvites, countActiveInvitesQuery, listActiveInvites } from "./invite.repository.js";

describe.each(BACKENDS)("active invites in SQL on %s", (backend) => {
  let opened: OpenTestDatabase;
  let handle: Database;
  let fixtures: Fixtures;
  let owner: UserRow;

  beforeAll(async () => {
    opened = await openTestDatabase(backend);
    ({ handle, fixtures } = opened);
    owner = await fixtures.user();
  });
  afterAll(async () => {
    await opened?.close();
  });

  it("agrees with core's isInviteActive on any invite at any moment", async () => {
    const now = Date.UTC(2030, 0, 1);
    const invite = fc.record({
      revoked: fc.boolean(),
      expiresOffset: fc.option(fc.integer({ min: -5, max: 5 }), { nil: null }),
      maxUses: fc.option(fc.integer({ min: 1, max: 4 }), { nil: null }),
      uses: fc.integer({ min: 0, max: 4 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(invite, { maxLength: 8 }), async (invites) => {
        const chat: ChatRow = await fixtures.chat({ owner });
        const expected: string[] = [];
        for (const i of invites) {
          const uses = i.maxUses === null ? i.uses : Math.min(i.uses, i.maxUses);
          const row = await fixtures.invite(chat, owner, {
            revoked_at: i.revoked ? now - 10 : null,
            expires_at: i.expiresOffset === null ? null : now + i.expiresOffset,
            max_uses: i.maxUses,
            uses,
          });
          if (isInviteActive({ revokedAt: row.revoked_at, expiresAt: row.expires_at, uses: row.uses, maxUses: row.max_uses }, now)) {
            expected.push(row.code);
          }
        }
        expect(await readSteps(handle.db, countActiveInvites(chat.id, now))).toBe(expected.length);
        expect((await readSteps(handle.db, listActiveInvites(chat.id, now))).map((r) => r.code).sort()).toEqual(expected.sort());
      }),
      { numRuns: 40 },
    );
  });

  it("counts and lists through the partial index of live invites", async () => {
    const chat = await fixtures.chat({ owner });
    const now = Date.now();
    for (let i = 0; i < 30; i++) {
      await fixtures.invite(chat, owner, { revoked_at: now - 1 });
      await fixtures.invite(chat, owner, { max_uses: 1, uses: 1 });
    }
    const compiled = countActiveInvitesQuery(handle.db, chat.id, now).compile();
    let plan: string;
    if (backend === "sqlite") {
      const rows = handle.sqlite!.prepare(`explain query plan ${compiled.sql}`).all(...(compiled.parameters as unknown[])) as { detail: string }[];
      plan = rows.map((r) => r.detail).join("\n");
    } else {
      // A near-empty table is cheapest to scan; forbid that to see which index the planner can use.
      plan = await handle.db.connection().execute(async (conn) => {
        await sql`set enable_seqscan = off`.execute(conn);
        const result = await sql<{ "QUERY PLAN": string }>`explain ${sql.raw(compiled.sql.replace(/\$(\d+)/g, (_m, n: string) => String(compiled.parameters[Number(n) - 1])))}`.execute(conn);
        await sql`reset enable_seqscan`.execute(conn);
        return result.rows.map((r) => r["QUERY PLAN"]).join("\n");
      });
    }
    expect(plan).toContain("invites_live_by_chat");
    expect(await readSteps(handle.db, countActiveInvites(chat.id, now))).toBe(0);
  });
});
