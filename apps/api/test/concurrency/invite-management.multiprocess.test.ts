/**
 * Invite management under concurrency, across server processes sharing one database (SPEC 7 and
 * 10): edits and creates racing on one chat never pass 20 active invites; edits lowering max_uses
 * racing joins never leave uses > max_uses; N approvals for an invite with one use left admit one.
 */
import { ErrorMessage } from "@portal/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../support/backends.js";
import { http } from "../support/clients.js";
import { burst, startProcessCluster, tally, type ProcessCluster, type ServerProcess } from "../support/processes.js";
import type { Fixtures } from "../support/test-server.js";

const PROCESSES = 4;

describe.each(BACKENDS)("invite management across 4 server processes on %s", (backend) => {
  let cluster: ProcessCluster;
  let servers: ServerProcess[];
  let fixtures: Fixtures;

  beforeAll(async () => {
    cluster = await startProcessCluster(backend, PROCESSES);
    ({ servers, fixtures } = cluster);
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  const url = (i: number) => servers[i % PROCESSES]!.url;

  it("15 edits reviving used-up invites and 15 creates race on a chat with 15 active: exactly 5 succeed, never more than 20 active", async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const session = await fixtures.session(owner);
    for (let i = 0; i < 15; i++) await fixtures.invite(chat, owner);
    const usedUp = await Promise.all(Array.from({ length: 15 }, () => fixtures.invite(chat, owner, { max_uses: 1, uses: 1 })));

    const results = await burst(30, (i) =>
      i % 2 === 0
        ? http(url(i), "POST", `/v1/portal/chats/${chat.id}/invites/${usedUp[i / 2]!.code}/update`, { session, json: { max_uses: 5 } })
        : http(url(i), "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: {} }),
    );
    const statuses = results.map((r) => r.status);
    const succeeded = statuses.filter((s) => s === 200 || s === 201).length;
    expect(succeeded).toBe(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(25);
    for (const r of results.filter((r) => r.status === 409)) expect(r.body).toMatchObject({ error: ErrorMessage.inviteLimitReached });
    expect(await fixtures.countActive(chat)).toBe(20);
  });

  it("edits lowering max_uses race 40 joins on one invite: uses never exceeds max_uses, no 5xx, every join is one use", async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const session = await fixtures.session(owner);
    const invite = await fixtures.invite(chat, owner, { max_uses: 100 });
    const joiners = await Promise.all(Array.from({ length: 40 }, async () => fixtures.session(await fixtures.user())));
    // Edits from 30 down to 3, interleaved with the joins.
    const edits = Array.from({ length: 10 }, (_, i) => 30 - i * 3);

    const results = await burst(50, (i) =>
      i % 5 === 0
        ? http(url(i), "POST", `/v1/portal/chats/${chat.id}/invites/${invite.code}/update`, { session, json: { max_uses: edits[i / 5]! } })
        : http(url(i), "POST", `/v1/portal/resolve/${invite.code}`, { session: joiners[i - Math.ceil(i / 5)]! }),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s < 500), JSON.stringify(tally(statuses))).toBe(true);
    for (const [i, r] of results.entries()) {
      if (i % 5 === 0) {
        expect([200, 400]).toContain(r.status);
        if (r.status === 400) expect((r.body as { error: string }).error).toMatch(/^max_uses must be at least the invite's current uses \(\d+\)$/);
        if (r.status === 200) expect((r.body as { uses: number; max_uses: number }).uses).toBeLessThanOrEqual(edits[i / 5]!);
      } else {
        expect([200, 404]).toContain(r.status);
      }
    }
    const row = (await fixtures.inviteRow(invite.code))!;
    expect(row.max_uses === null || row.uses <= row.max_uses).toBe(true);
    const joined = results.filter((r, i) => i % 5 !== 0 && r.status === 200).length;
    expect(row.uses).toBe(joined);
    const members = await cluster.database.db.selectFrom("chat_members").selectAll().where("chat_id", "=", chat.id).execute();
    expect(members).toHaveLength(joined);
  });

  it("20 approvals of requests for an invite with one use left, at once: exactly one is admitted, the rest 409 and stay pending", async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner, visibility: "private" });
    const session = await fixtures.session(owner);
    await cluster.database.db.updateTable("chats").set({ join_approval: 1 }).where("id", "=", chat.id).execute();
    const invite = await fixtures.invite(chat, owner, { max_uses: 3, uses: 2 });
    const people = await Promise.all(Array.from({ length: 20 }, () => fixtures.user()));
    // Each asks through the API: 202 pending.
    const asked = await burst(20, async (i) => http(url(i), "POST", `/v1/portal/resolve/${invite.code}`, { session: await fixtures.session(people[i]!) }));
    expect(tally(asked.map((r) => r.status))).toEqual({ 202: 20 });

    const results = await burst(20, (i) => http(url(i), "POST", `/v1/portal/chats/${chat.id}/join-requests/${people[i]!.id}/approve`, { session }));
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 1, 409: 19 });
    for (const r of results.filter((r) => r.status === 409)) expect(r.body).toMatchObject({ error: ErrorMessage.inviteNoLongerUsable });
    expect((await fixtures.inviteRow(invite.code))!.uses).toBe(3);
    const members = await cluster.database.db.selectFrom("chat_members").selectAll().where("chat_id", "=", chat.id).execute();
    expect(members).toHaveLength(1);
    const admitted = people[results.findIndex((r) => r.status === 200)]!;
    expect(members[0]!.user_id).toBe(admitted.id);
    const pending = await cluster.database.db.selectFrom("join_requests").selectAll().where("chat_id", "=", chat.id).execute();
    expect(pending.map((p) => p.user_id).sort((a, b) => a - b)).toEqual(people.filter((p) => p !== admitted).map((p) => p.id).sort((a, b) => a - b));
  });
});
