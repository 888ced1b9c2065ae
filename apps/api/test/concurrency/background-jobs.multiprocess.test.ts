/**
 * The background jobs across server processes sharing one database (SPEC section 11), on both
 * databases: with four instances sweeping every 100 ms, `invite.expired` is recorded exactly once
 * for each invite whose expiry passes, and never for a revoked or used-up one; two instances
 * running housekeeping at once purge everything between them, each row once, without an error.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../support/backends.js";
import { http } from "../support/clients.js";
import { startProcessCluster, type ProcessCluster } from "../support/processes.js";

const SECOND = 1000;
const DAY = 86_400_000;
const wire = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");

/** Polls `check` every 200 ms until it holds or `timeoutMs` has passed; returns whether it held. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return check();
}

/** The log lines of every server of the cluster, parsed (non-JSON lines skipped). */
function logLines(cluster: ProcessCluster): Record<string, unknown>[] {
  return cluster.servers.flatMap((server) =>
    server.output.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    }),
  );
}

describe.each(BACKENDS)("invite.expired across 4 server processes on %s", (backend) => {
  let cluster: ProcessCluster;

  beforeAll(async () => {
    cluster = await startProcessCluster(backend, 4, { env: () => ({ EXPIRY_SWEEP_MS: "100" }) });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("of 100 invites expiring together, the 70 still usable are each told once; the 20 revoked and 10 used-up never", async () => {
    const { fixtures, servers } = cluster;
    const db = cluster.database.db;
    const owner = await fixtures.user();
    const session = await fixtures.session(owner);
    const chats = await Promise.all(Array.from({ length: 4 }, () => fixtures.chat({ owner })));
    // Whole seconds, as the API keeps them; far enough ahead for every create to land first.
    const expiresAt = Math.ceil((Date.now() + 12 * SECOND) / SECOND) * SECOND;

    // 40 through the API (10 a chat, each chat on its own server), 20 of them revoked before expiring.
    const created = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const chat = chats[i % 4]!;
        const res = await http<{ code: string }>(servers[i % 4]!.url, "POST", `/v1/portal/chats/${chat.id}/invites`, {
          session,
          json: { expires_at: wire(expiresAt) },
        });
        expect(res.status).toBe(201);
        return { chat, code: res.body.code };
      }),
    );
    const revoked = created.filter((_, i) => i % 2 === 1);
    for (const [i, { chat, code }] of revoked.entries()) {
      expect((await http(servers[(i + 1) % 4]!.url, "POST", `/v1/portal/chats/${chat.id}/invites/${code}/delete`, { session })).status).toBe(200);
    }
    // 60 more written directly: 50 that expire, 10 used up before they do.
    const direct = await Promise.all(Array.from({ length: 50 }, (_, i) => fixtures.invite(chats[i % 4]!, owner, { expires_at: expiresAt + (i % 3) })));
    const usedUp = await Promise.all(
      Array.from({ length: 10 }, (_, i) => fixtures.invite(chats[i % 4]!, owner, { expires_at: expiresAt, max_uses: 3, uses: 3 })),
    );
    const expiring = [...created.filter((_, i) => i % 2 === 0).map((c) => c.code), ...direct.map((d) => d.code)];
    expect(expiring).toHaveLength(70);
    expect(Date.now()).toBeLessThan(expiresAt);

    const expiredEvents = async () =>
      (await db.selectFrom("chat_events").select(["data", "chat_id"]).where("type", "=", "invite.expired").execute()).map((row) => ({
        chat_id: row.chat_id,
        code: (JSON.parse(row.data) as { code: string }).code,
      }));
    const allTold = await eventually(async () => (await expiredEvents()).length >= expiring.length, 60_000);
    expect(allTold, `told ${(await expiredEvents()).length} of ${expiring.length}`).toBe(true);
    // Another 15 sweeps of every instance: nothing is told twice.
    await new Promise((resolve) => setTimeout(resolve, 1500));

    const told = await expiredEvents();
    const perCode = new Map<string, number>();
    for (const { code } of told) perCode.set(code, (perCode.get(code) ?? 0) + 1);
    expect([...perCode.keys()].sort()).toEqual([...expiring].sort());
    expect([...perCode.values()].every((n) => n === 1)).toBe(true);
    const chatOf = new Map([...created.map((c) => [c.code, c.chat.id] as const), ...direct.map((d) => [d.code, d.chat_id] as const)]);
    for (const { code, chat_id } of told) expect(chat_id).toBe(chatOf.get(code));

    const flags = await db.selectFrom("invites").select(["code", "expiry_recorded"]).execute();
    const flagOf = new Map(flags.map((f) => [f.code, f.expiry_recorded]));
    for (const code of expiring) expect(flagOf.get(code)).toBe(1);
    for (const { code } of usedUp) expect(flagOf.get(code)).toBe(1);
    for (const { code } of revoked) expect(flagOf.get(code)).toBe(0);

    const problems = logLines(cluster).filter((line) => line.level === "error" || (typeof line.msg === "string" && line.msg.startsWith("expiry sweep")));
    expect(problems).toEqual([]);
  });
});

describe.each(BACKENDS)("housekeeping on 2 server processes at once on %s", (backend) => {
  let cluster: ProcessCluster;

  beforeAll(async () => {
    cluster = await startProcessCluster(backend, 2, { env: () => ({ HOUSEKEEPING_INTERVAL_MS: "1000" }) });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it("both purge, every old row goes once (their logged counts add up), the fresh ones stay, no error", async () => {
    const { fixtures } = cluster;
    const db = cluster.database.db;
    const owner = await fixtures.user();
    const chat = await fixtures.chat({ owner });
    const now = Date.now();
    const OLD_EVENTS = 4000;
    const EXPIRED_SESSIONS = 2000;
    const DEAD_INVITES = 1500;
    // Inserted in chunks, so the instances' runs interleave with the inserts as well.
    for (let chunk = 0; chunk < OLD_EVENTS / 500; chunk++) {
      await db
        .insertInto("chat_events")
        .values(Array.from({ length: 500 }, (_, i) => ({ chat_id: chat.id, type: "invite.revoked", data: '{"code":"x"}', created_at: now - 8 * DAY - chunk * 500 - i })))
        .execute();
    }
    await db
      .insertInto("chat_events")
      .values(Array.from({ length: 30 }, (_, i) => ({ chat_id: chat.id, type: "invite.revoked", data: '{"code":"y"}', created_at: now - i })))
      .execute();
    for (let chunk = 0; chunk < EXPIRED_SESSIONS / 500; chunk++) {
      await db
        .insertInto("sessions")
        .values(Array.from({ length: 500 }, (_, i) => ({ token_hash: `old${chunk}-${i}`, user_id: owner.id, created_at: now - 40 * DAY, expires_at: now - DAY - i })))
        .execute();
    }
    const live = await fixtures.session(owner);
    for (let chunk = 0; chunk < DEAD_INVITES / 500; chunk++) {
      await db
        .insertInto("invites")
        .values(
          Array.from({ length: 500 }, (_, i) => ({
            code: `dead${chunk}x${i}`,
            chat_id: chat.id,
            created_by_id: owner.id,
            created_at: now - 90 * DAY,
            revoked_at: now - 31 * DAY,
          })),
        )
        .execute();
    }
    const kept = await fixtures.invite(chat, owner, { created_at: now - 90 * DAY, revoked_at: now - 29 * DAY });

    const count = async (table: "chat_events" | "sessions" | "invites") =>
      Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n);
    const purged = await eventually(async () => (await count("chat_events")) === 30 && (await count("sessions")) === 1 && (await count("invites")) === 1, 90_000);
    expect(purged, `left: ${await count("chat_events")} events, ${await count("sessions")} sessions, ${await count("invites")} invites`).toBe(true);
    expect((await db.selectFrom("invites").select("code").executeTakeFirstOrThrow()).code).toBe(kept.code);
    expect((await db.selectFrom("sessions").select("token_hash").executeTakeFirstOrThrow()).token_hash).not.toMatch(/^old/);
    expect(live).toBeTruthy();

    // The line of the last run comes out after its last batch committed: wait for it (bounded).
    const runs = () => logLines(cluster).filter((line) => line.msg === "housekeeping purged");
    const sum = (key: string) => runs().reduce((total, line) => total + Number(line[key] ?? 0), 0);
    await eventually(async () => sum("events") >= OLD_EVENTS && sum("sessions") >= EXPIRED_SESSIONS && sum("invites") >= DEAD_INVITES, 30_000);
    const lines = logLines(cluster);
    expect({ events: sum("events"), sessions: sum("sessions"), invites: sum("invites") }).toEqual({
      events: OLD_EVENTS,
      sessions: EXPIRED_SESSIONS,
      invites: DEAD_INVITES,
    });
    const problems = lines.filter((line) => line.level === "error" || (typeof line.msg === "string" && line.msg.startsWith("housekeeping") && line.msg !== "housekeeping purged"));
    expect(problems).toEqual([]);
  });
});
