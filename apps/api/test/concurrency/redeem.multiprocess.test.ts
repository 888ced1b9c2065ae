/**
 * `uses` never exceeds `max_uses`, and every successful join is one use, across server processes
 * sharing one database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../support/backends.js";
import { http } from "../support/clients.js";
import { burst, startProcessCluster, tally, type ProcessCluster, type ServerProcess } from "../support/processes.js";
import type { Fixtures } from "../support/test-server.js";

const PROCESSES = 4;

describe.each(BACKENDS)("joins across 4 server processes on %s", (backend) => {
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

  async function members(chatId: number) {
    return cluster.database.db.selectFrom("chat_members").selectAll().where("chat_id", "=", chatId).execute();
  }

  it("60 people join a max_uses 5 invite at once: exactly 5 get in", async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const invite = await fixtures.invite(chat, owner, { max_uses: 5 });
    const sessions = await Promise.all(Array.from({ length: 60 }, async () => fixtures.session(await fixtures.user())));

    const results = await burst(60, (i) =>
      http(servers[i % PROCESSES]!.url, "POST", `/v1/portal/resolve/${invite.code}`, { session: sessions[i] }),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 5, 404: 55 });
    expect(results.filter((r) => r.status === 200).every((r) => (r.body as { already_member: boolean }).already_member === false)).toBe(true);
    expect((await fixtures.inviteRow(invite.code))?.uses).toBe(5);
    const joined = await members(chat.id);
    expect(joined).toHaveLength(5);
    expect(joined.every((m) => m.invite_code === invite.code)).toBe(true);
    const events = await cluster.database.db.selectFrom("activity_events").selectAll().where("chat_id", "=", chat.id).execute();
    expect(events).toHaveLength(5);
  });

  it("one person joining 20 times at once is one membership and one use", async () => {
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const invite = await fixtures.invite(chat, owner, { max_uses: 10 });
    const user = await fixtures.user();
    const session = await fixtures.session(user);

    const results = await burst(20, (i) =>
      http(servers[i % PROCESSES]!.url, "POST", `/v1/portal/resolve/${invite.code}`, { session }),
    );
    expect(tally(results.map((r) => r.status))).toEqual({ 200: 20 });
    expect(results.filter((r) => (r.body as { already_member: boolean }).already_member === false)).toHaveLength(1);
    expect((await fixtures.inviteRow(invite.code))?.uses).toBe(1);
    expect(await members(chat.id)).toHaveLength(1);
  });
});
