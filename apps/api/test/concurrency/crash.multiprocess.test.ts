/**
 * No acknowledged write is lost when the server process is killed (SIGKILL) at random moments,
 * and the invariants hold afterwards: no chat over 20 active invites, no invite over max_uses,
 * and every invite's `uses` equals the members who joined through it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, type Database } from "../../src/db/database.js";
import type { ChatRow } from "../../src/db/schema.js";
import { createLogger } from "../../src/logger.js";
import { createServiceDeps } from "../../src/services/context.js";
import { sha256Hex } from "../../src/services/secrets.js";
import { BACKENDS, createTestDatabase, type TestDatabase } from "../support/backends.js";
import { http } from "../support/clients.js";
import { spawnServer, type ServerProcess } from "../support/processes.js";
import { Fixtures } from "../support/test-server.js";

const KILLS = 6;
const WORKERS = 12;
/** Requests each server answers before it is killed (and the last before the checks). */
const REQUESTS_PER_SERVER = 20;

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until `condition` holds, for at most `ms` (a loaded machine is slow, not wrong). */
async function waitFor(condition: () => boolean, ms: number): Promise<void> {
  for (const deadline = Date.now() + ms; !condition() && Date.now() < deadline; ) await sleep(20);
}

describe.each(BACKENDS)("kill -9 under load on %s", (backend) => {
  let database: TestDatabase;
  let handle: Database;
  let fixtures: Fixtures;
  let server: ServerProcess | null = null;

  beforeAll(async () => {
    database = await createTestDatabase(backend);
    server = await spawnServer({ DATABASE_URL: database.url });
    handle = openDatabase(database.url);
    fixtures = new Fixtures(createServiceDeps(handle.db, createLogger("silent")));
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await handle?.close();
    await database?.drop();
  });

  it(`keeps every acknowledged create and join across ${KILLS} SIGKILLs`, async () => {
    const chats: { chat: ChatRow; session: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const owner = await fixtures.user();
      chats.push({ chat: await fixtures.chat({ owner }), session: await fixtures.session(owner) });
    }
    const joiners = await Promise.all(Array.from({ length: 150 }, async () => fixtures.session(await fixtures.user())));

    const acknowledgedCreates = new Set<string>();
    const acknowledgedJoins: { code: string; session: string }[] = [];
    const liveCodes: string[] = [];
    const unexpected: string[] = [];
    let current = server!;
    let running = true;
    let requests = 0;

    const worker = async (id: number) => {
      let n = id;
      while (running) {
        n += WORKERS;
        const target = current;
        try {
          if (n % 3 === 0 || liveCodes.length === 0) {
            const { chat, session } = chats[n % chats.length]!;
            const res = await http<{ code: string }>(target.url, "POST", `/v1/portal/chats/${chat.id}/invites`, {
              session,
              json: { max_uses: 1 + (n % 3) },
            });
            if (res.status === 201) {
              acknowledgedCreates.add(res.body.code);
              liveCodes.push(res.body.code);
            } else if (res.status === 409) {
              // The chat is full: revoke its oldest invite so creates keep flowing.
              const list = await http<{ invites: { code: string }[] }>(target.url, "GET", `/v1/portal/chats/${chat.id}/invites`, { session });
              const oldest = list.body.invites?.at(-1);
              if (oldest) await http(target.url, "POST", `/v1/portal/chats/${chat.id}/invites/${oldest.code}/delete`, { session });
            } else {
              unexpected.push(`create ${res.status} ${JSON.stringify(res.body)}`);
            }
          } else {
            const code = liveCodes[n % liveCodes.length]!;
            const session = joiners[(n * 7) % joiners.length]!;
            const res = await http<{ already_member: boolean }>(target.url, "POST", `/v1/portal/resolve/${code}`, { session });
            if (res.status === 200 && !res.body.already_member) acknowledgedJoins.push({ code, session });
            else if (res.status !== 200 && res.status !== 404) unexpected.push(`join ${res.status} ${JSON.stringify(res.body)}`);
          }
          requests++;
        } catch {
          // The process was killed mid-request: nothing was acknowledged. Wait for the restart.
          await sleep(20);
        }
      }
    };

    const workers = Array.from({ length: WORKERS }, (_, i) => worker(i));
    try {
      for (let kill = 0; kill < KILLS; kill++) {
        // A random moment, but only once this server has answered some requests: the load is a
        // count of requests, not a length of time.
        const before = requests;
        await sleep(300 + Math.floor(Math.random() * 700));
        await waitFor(() => requests >= before + REQUESTS_PER_SERVER, 60_000);
        await current.stop("SIGKILL");
        server = null;
        current = await spawnServer({ DATABASE_URL: database.url });
        server = current;
      }
      const before = requests;
      await waitFor(() => requests >= before + REQUESTS_PER_SERVER, 60_000);
    } finally {
      // A restart that failed fails the test with its reason; the workers stop either way.
      running = false;
      await Promise.all(workers);
    }

    expect(unexpected).toEqual([]);
    expect(requests).toBeGreaterThan(100);
    expect(acknowledgedCreates.size).toBeGreaterThan(10);
    expect(acknowledgedJoins.length).toBeGreaterThan(5);

    // Every acknowledged create and join is in the database.
    const invites = await handle.db.selectFrom("invites").selectAll().execute();
    const stored = new Set(invites.map((i) => i.code));
    for (const code of acknowledgedCreates) expect(stored.has(code), code).toBe(true);
    const members = await handle.db.selectFrom("chat_members").selectAll().execute();
    const sessionsToUsers = new Map<string, number>();
    for (const { session } of acknowledgedJoins) {
      if (!sessionsToUsers.has(session)) {
        const row = await handle.db.selectFrom("sessions").select("user_id").where("token_hash", "=", sha256Hex(session)).executeTakeFirstOrThrow();
        sessionsToUsers.set(session, row.user_id);
      }
    }
    for (const join of acknowledgedJoins) {
      const userId = sessionsToUsers.get(join.session);
      expect(members.some((m) => m.user_id === userId && m.invite_code === join.code), `join of ${join.code}`).toBe(true);
    }

    // The invariants.
    const now = Date.now();
    const activeByChat = new Map<number, number>();
    for (const invite of invites) {
      if (invite.max_uses !== null) expect(invite.uses).toBeLessThanOrEqual(invite.max_uses);
      expect(invite.uses).toBe(members.filter((m) => m.invite_code === invite.code).length);
      const active = invite.revoked_at === null && (invite.expires_at === null || invite.expires_at > now) && (invite.max_uses === null || invite.uses < invite.max_uses);
      if (active) activeByChat.set(invite.chat_id, (activeByChat.get(invite.chat_id) ?? 0) + 1);
    }
    for (const count of activeByChat.values()) expect(count).toBeLessThanOrEqual(20);
    if (backend === "sqlite") {
      expect(handle.sqlite!.pragma("integrity_check", { simple: true })).toBe("ok");
    }
  }, 300_000);
});
