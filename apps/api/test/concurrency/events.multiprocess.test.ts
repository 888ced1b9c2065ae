/**
 * Live events across server processes on one database (SPEC section 11): four instances on one
 * SQLite file, and four on one PostgreSQL database. Subscribers sit on other instances than the
 * writers; a burst of creates, edits, joins and revokes from several instances reaches every
 * subscriber exactly as the chat_events table holds it, in id order. A subscriber that drops, or
 * whose instance is killed with SIGKILL, reconnects elsewhere with its last id and misses nothing.
 * Access lost on one instance ends streams on the others; the 10-stream limit holds over all
 * instances, and a killed instance's streams stop counting when their leases run out. On
 * PostgreSQL the LISTEN connections are cut and every event still arrives (the catch-up).
 */
import { ErrorMessage } from "@portal/contracts";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow } from "../../src/db/schema.js";
import { LISTENER_APPLICATION_NAME } from "../../src/live/feed.js";
import { BACKENDS, POSTGRES_ADMIN_URL } from "../support/backends.js";
import { http } from "../support/clients.js";
import { openSocket } from "../support/raw-http.js";
import { spawnServer, startProcessCluster, type ProcessCluster, type ServerProcess } from "../support/processes.js";
import { openSse, subscribeChatEvents, type SseStream, type TrpcEventSubscriber } from "../support/sse.js";

const PROCESSES = 4;
/** Small, so a killed instance's leases lapse within the test; renewed every third of it. */
const LEASE_MS = 3_000;
const ENV = {
  EVENTS_LEASE_MS: String(LEASE_MS),
  EVENTS_ACCESS_CHECK_MS: "300",
  // No safety poll within a test: on PostgreSQL every event comes through NOTIFY or the catch-up.
  EVENTS_SAFETY_POLL_MS: "600000",
};

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

describe.each(BACKENDS)("live events across %s: 4 server processes on one database", (backend) => {
  let cluster: ProcessCluster;
  let servers: ServerProcess[];
  /** Servers a test started (and may kill) beyond the cluster's four. */
  const extra: ServerProcess[] = [];
  const streams: SseStream[] = [];
  const subscribers: TrpcEventSubscriber[] = [];

  const url = (i: number) => servers[i % PROCESSES]!.url;
  const sse = async (baseUrl: string, chatId: number, session: string, lastEventId?: string) => {
    const s = await openSse(baseUrl, `/v1/portal/chats/${chatId}/events`, { session, ...(lastEventId ? { lastEventId } : {}) });
    streams.push(s);
    return s;
  };
  const trpc = (baseUrl: string, chatId: number, session: string, lastEventId?: string) => {
    const s = subscribeChatEvents(baseUrl, session, { chat_id: chatId, ...(lastEventId ? { lastEventId } : {}) });
    subscribers.push(s);
    return s;
  };
  const extraServer = async (env: Record<string, string> = {}) => {
    const server = await spawnServer({ ...ENV, ...env, DATABASE_URL: databaseUrl });
    extra.push(server);
    return server;
  };
  let databaseUrl: string;

  /** The chat's events as the table holds them: id and type, in id order. */
  const table = async (chat: ChatRow) =>
    (await cluster.database.db.selectFrom("chat_events").select(["id", "type"]).where("chat_id", "=", chat.id).orderBy("id").execute()).map(
      (r) => ({ id: String(r.id), type: r.type }),
    );
  const creates = (baseUrl: string, chat: ChatRow, session: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, async () => {
        const res = await http(baseUrl, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: {} });
        expect(res.status).toBe(201);
      }),
    );
  const owned = async () => {
    const owner = await cluster.fixtures.user();
    const chat = await cluster.fixtures.chat({ owner });
    return { owner, chat, session: await cluster.fixtures.session(owner) };
  };

  beforeAll(async () => {
    cluster = await startProcessCluster(backend, PROCESSES, { env: () => ENV });
    servers = cluster.servers;
    databaseUrl = cluster.databaseUrl;
  });
  afterAll(async () => {
    for (const s of streams) s.close();
    for (const s of subscribers) s.unsubscribe();
    await Promise.allSettled(extra.map((s) => s.stop("SIGKILL")));
    await cluster?.stop();
  });

  it("a burst of creates, edits, joins and revokes from two instances reaches every subscriber on the other two exactly as the table holds it", async () => {
    const owner = await cluster.fixtures.user();
    const session = await cluster.fixtures.session(owner);
    const chats = await Promise.all([0, 1, 2].map(() => cluster.fixtures.chat({ owner })));
    const joiners = await Promise.all(Array.from({ length: 48 }, async () => cluster.fixtures.session(await cluster.fixtures.user())));

    // Subscribers on instances 2 and 3 (REST), and tRPC on 3; the writers are instances 0 and 1.
    const rest = await Promise.all(chats.flatMap((chat) => [sse(url(2), chat.id, session), sse(url(3), chat.id, session)]));
    const viaTrpc = chats.map((chat) => trpc(url(3), chat.id, session));
    await Promise.all(rest.map((s) => s.waitFor((x) => x.retry !== null, "the stream to start")));
    await Promise.all(viaTrpc.map((s) => s.started));

    // Per chat, 4 workers on instances 0 and 1, each 4 rounds of: create, edit, a join, revoke.
    let joiner = 0;
    await Promise.all(
      chats.flatMap((chat) =>
        Array.from({ length: 4 }, async (_, worker) => {
          const at = url(worker % 2);
          for (let round = 0; round < 4; round++) {
            const created = await http<{ code: string }>(at, "POST", `/v1/portal/chats/${chat.id}/invites`, { session, json: { max_uses: 5 } });
            expect(created.status).toBe(201);
            const code = created.body.code;
            const base = `/v1/portal/chats/${chat.id}/invites/${code}`;
            expect((await http(url(worker + 1), "POST", `${base}/update`, { session, json: { max_uses: 2 } })).status).toBe(200);
            expect((await http(at, "POST", `/v1/portal/resolve/${code}`, { session: joiners[joiner++ % joiners.length]! })).status).toBe(200);
            expect((await http(url(worker + 1), "POST", `${base}/delete`, { session })).status).toBe(200);
          }
        }),
      ),
    );

    for (const [i, chat] of chats.entries()) {
      const expected = await table(chat);
      const types = new Set(expected.map((e) => e.type));
      // What ev-record records for these changes (create, edit, join, revoke) is all there.
      expect(expected.length).toBeGreaterThanOrEqual(16);
      expect(types.has("invite.created")).toBe(true);
      for (const s of [rest[2 * i]!, rest[2 * i + 1]!]) {
        await s.waitFor((x) => x.ids().length >= expected.length, `${expected.length} events of chat ${chat.id}`);
        expect(s.events().map((e) => ({ id: e.id, type: e.type }))).toEqual(expected);
        expect(s.ids()).toEqual(expected.map((e) => e.id));
      }
      const t = viaTrpc[i]!;
      await t.waitFor((x) => x.ids.length >= expected.length, `${expected.length} tRPC events of chat ${chat.id}`);
      expect(t.events.map((e) => ({ id: e.id, type: e.type }))).toEqual(expected);
    }
    // Nothing more arrives afterwards (no duplicates sent late).
    await sleep(500);
    for (const [i, chat] of chats.entries()) {
      const count = (await table(chat)).length;
      expect(rest[2 * i]!.ids()).toHaveLength(count);
      expect(rest[2 * i + 1]!.ids()).toHaveLength(count);
      expect(viaTrpc[i]!.ids).toHaveLength(count);
    }
  });

  it("a subscriber that drops mid-burst and reconnects to another instance with its last id misses nothing and sees nothing twice", async () => {
    const { chat, session } = await owned();
    const first = await sse(url(2), chat.id, session);
    await first.waitFor((x) => x.retry !== null, "the stream to start");
    const burst = (async () => {
      for (let i = 0; i < 4; i++) await creates(url(i % 2), chat, session, 4);
    })();
    await first.waitFor((x) => x.ids().length >= 3, "a few events");
    first.close();
    const seen = first.ids();
    const second = await sse(url(3), chat.id, session, seen[seen.length - 1]);
    await burst;
    const expected = (await table(chat)).map((e) => e.id);
    expect(expected).toHaveLength(16);
    await second.waitFor((x) => seen.length + x.ids().length >= expected.length, "the rest of the events");
    expect([...seen, ...second.ids()]).toEqual(expected);
  });

  it("a subscriber whose instance is killed (SIGKILL) resumes on another instance, and on a restarted one, with nothing lost", async () => {
    const { chat, session } = await owned();
    const doomed = await extraServer();
    const first = await sse(doomed.url, chat.id, session);
    const viaTrpc = trpc(doomed.url, chat.id, session);
    await first.waitFor((x) => x.retry !== null, "the stream to start");
    await viaTrpc.started;
    await creates(url(0), chat, session, 5);
    await first.waitFor((x) => x.ids().length >= 5, "five events");
    await viaTrpc.waitFor((x) => x.ids.length >= 5, "five tRPC events");
    await doomed.stop("SIGKILL");
    await first.closed;
    viaTrpc.unsubscribe();
    // Committed while the subscriber had no instance.
    await creates(url(1), chat, session, 5);

    const seen = first.ids();
    const resumed = await sse(url(2), chat.id, session, seen[seen.length - 1]);
    const restarted = await extraServer();
    const resumedTrpc = trpc(restarted.url, chat.id, session, viaTrpc.ids[viaTrpc.ids.length - 1]);
    await creates(url(0), chat, session, 2);
    const expected = (await table(chat)).map((e) => e.id);
    expect(expected).toHaveLength(12);
    await resumed.waitFor((x) => seen.length + x.ids().length >= expected.length, "the rest of the events");
    expect([...seen, ...resumed.ids()]).toEqual(expected);
    await resumedTrpc.waitFor((x) => viaTrpc.ids.length + x.ids.length >= expected.length, "the rest over tRPC");
    expect([...viaTrpc.ids, ...resumedTrpc.ids]).toEqual(expected);
  });

  it("a tRPC client reconnects by itself when its instance restarts (same address) and resumes after its last tracked id", async () => {
    const { chat, session } = await owned();
    const first = await extraServer();
    const port = new URL(first.url).port;
    const viaTrpc = trpc(first.url, chat.id, session);
    await viaTrpc.started;
    await creates(url(0), chat, session, 3);
    await viaTrpc.waitFor((x) => x.ids.length >= 3, "three events");
    await first.stop("SIGTERM");
    // Committed while the client's instance is down: the resumed subscription must bring them, once.
    await creates(url(1), chat, session, 3);
    await extraServer({ PORT: port });
    await creates(url(2), chat, session, 1);
    const expected = (await table(chat)).map((e) => e.id);
    await viaTrpc.waitFor((x) => x.ids.length >= expected.length, "the events after the restart");
    expect(viaTrpc.ids).toEqual(expected);
    expect(viaTrpc.error).toBeUndefined();
  });

  it("ends streams on every instance when the session signs out on one, or the user is banned or loses the chat", async () => {
    const { owner, chat, session } = await owned();
    const onOthers = [await sse(url(1), chat.id, session), await sse(url(2), chat.id, session)];
    const viaTrpc = trpc(url(3), chat.id, session);
    await Promise.all(onOthers.map((s) => s.waitFor((x) => x.retry !== null, "the stream to start")));
    await viaTrpc.started;
    expect((await http(url(0), "POST", "/v1/authentication/logout", { session })).status).toBe(200);
    for (const s of onOthers) {
      await s.closed;
      expect(s.comments).toContain(ErrorMessage.eventStreamSessionEnded);
    }
    expect(((await viaTrpc.failed) as { data?: { code?: string } }).data?.code).toBe("UNAUTHORIZED");

    // A user banned (account state) loses the stream at the next check, on whichever instance.
    const banned = await cluster.fixtures.session(owner);
    const bannedStream = await sse(url(2), chat.id, banned);
    await bannedStream.waitFor((x) => x.retry !== null, "the stream to start");
    await cluster.database.db.updateTable("users").set({ state: 2 }).where("id", "=", owner.id).execute();
    await bannedStream.closed;
    expect(bannedStream.comments).toContain(ErrorMessage.accountRestricted);

    // A moderator of a public chat loses it when the owner becomes an Admin (role change).
    const chatOwner = await cluster.fixtures.user();
    const mod = await cluster.fixtures.user({ level: 1 });
    const publicChat = await cluster.fixtures.chat({ owner: chatOwner, visibility: "public" });
    const modSession = await cluster.fixtures.session(mod);
    const modStream = await sse(url(3), publicChat.id, modSession);
    const modTrpc = trpc(url(1), publicChat.id, modSession);
    await modStream.waitFor((x) => x.retry !== null, "the stream to start");
    await modTrpc.started;
    await cluster.database.db.updateTable("users").set({ permission_level: 2 }).where("id", "=", chatOwner.id).execute();
    await modStream.closed;
    expect(modStream.comments).toContain(ErrorMessage.eventStreamAccessLost);
    expect(((await modTrpc.failed) as { data?: { code?: string } }).data?.code).toBe("FORBIDDEN");
  });

  it("holds 10 open streams per user over every instance; a killed instance's streams stop counting when their leases lapse", async () => {
    const user = await cluster.fixtures.user();
    const session = await cluster.fixtures.session(user);
    const chats = await Promise.all([0, 1].map(() => cluster.fixtures.chat({ owner: user })));
    const doomed = await extraServer();
    const onDoomed = await Promise.all(Array.from({ length: 6 }, (_, i) => sse(doomed.url, chats[i % 2]!.id, session)));
    const elsewhere = await Promise.all(Array.from({ length: 4 }, (_, i) => sse(url(i), chats[0]!.id, session)));
    expect([...onDoomed, ...elsewhere].map((s) => s.status)).toEqual(Array(10).fill(200));
    for (let i = 0; i < PROCESSES; i++) {
      const refused = await sse(url(i), chats[1]!.id, session);
      expect(refused.status).toBe(429);
      expect((refused.body as { error: string }).error).toBe(ErrorMessage.eventStreamLimit);
    }

    await doomed.stop("SIGKILL");
    // Its six leases count until they lapse (at most LEASE_MS after its last renewal), then free six places.
    const opened: SseStream[] = [];
    for (let attempt = 0; attempt < 200 && opened.length < 6; attempt++) {
      const s = await sse(url(attempt), chats[1]!.id, session);
      if (s.status === 200) opened.push(s);
      else {
        expect(s.status).toBe(429);
        await sleep(100);
      }
    }
    expect(opened).toHaveLength(6);
    expect((await sse(url(0), chats[1]!.id, session)).status).toBe(429);
    for (const s of [...elsewhere, ...opened]) s.close();
  });

  it("ends its streams at shutdown (SIGTERM) so the server exits at once, cleanly, and they resume on another instance", async () => {
    const { chat, session } = await owned();
    // With a long shutdown timeout: a stream that held the server open would show as a slow exit and a warning.
    const stopping = await extraServer({ SHUTDOWN_TIMEOUT_MS: "60000", KEEP_ALIVE_TIMEOUT_MS: "60000" });
    const rest = await sse(stopping.url, chat.id, session);
    const viaTrpc = trpc(stopping.url, chat.id, session);
    await rest.waitFor((x) => x.retry !== null, "the stream to start");
    await viaTrpc.started;
    await creates(url(0), chat, session, 2);
    await rest.waitFor((x) => x.ids().length >= 2, "two events");
    await viaTrpc.waitFor((x) => x.ids.length >= 2, "two tRPC events");
    const exit = await stopping.stop("SIGTERM");
    expect(exit.code).toBe(0);
    expect(stopping.output.some((line) => line.includes("shut down cleanly"))).toBe(true);
    expect(stopping.output.some((line) => line.includes("shutdown timeout reached"))).toBe(false);
    await rest.closed;
    expect(rest.comments).toContain(ErrorMessage.serviceUnavailable);
    // tRPC's client takes SERVICE_UNAVAILABLE as "reconnect", not as the end.
    expect(viaTrpc.error).toBeUndefined();
    viaTrpc.unsubscribe();

    await creates(url(1), chat, session, 1);
    const resumed = await sse(url(2), chat.id, session, rest.ids()[1]);
    await resumed.waitFor((x) => x.ids().length >= 1, "the event committed meanwhile");
    expect([...rest.ids(), ...resumed.ids()]).toEqual((await table(chat)).map((e) => e.id));
  });

  it.skipIf(backend !== "sqlite")("keeps streams open past REQUEST_TIMEOUT_MS, and the connection cap sheds idle sockets, never a live stream", async () => {
    const { chat, session } = await owned();
    const bounded = await extraServer({ REQUEST_TIMEOUT_MS: "1000", HEADERS_TIMEOUT_MS: "500", MAX_CONNECTIONS: "6" });
    const open = await Promise.all([0, 1, 2].map(() => sse(bounded.url, chat.id, session)));
    await Promise.all(open.map((s) => s.waitFor((x) => x.retry !== null, "the stream to start")));
    await sleep(2_500);
    // A flood of idle connections at the cap: the guard closes idle ones to make room, not the streams.
    const idle = await Promise.all(Array.from({ length: 12 }, () => openSocket(bounded.url).catch(() => null)));
    await sleep(300);
    await creates(url(0), chat, session, 1);
    for (const s of open) {
      await s.waitFor((x) => x.ids().length >= 1, "the event after the timeout and the flood");
      expect(s.isClosed).toBe(false);
    }
    for (const socket of idle) socket?.destroy();
  });

  it.skipIf(backend !== "postgres")("delivers every event when the LISTEN connections are cut (pg_terminate_backend): the catch-up after reconnecting", async () => {
    const { chat, session } = await owned();
    const subs = [await sse(url(2), chat.id, session), await sse(url(3), chat.id, session)];
    const viaTrpc = trpc(url(1), chat.id, session);
    await Promise.all(subs.map((s) => s.waitFor((x) => x.retry !== null, "the stream to start")));
    await viaTrpc.started;
    await creates(url(0), chat, session, 3);
    await Promise.all(subs.map((s) => s.waitFor((x) => x.ids().length >= 3, "three events")));

    const database = new URL(databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    try {
      for (let cut = 0; cut < 3; cut++) {
        const { rows } = await admin.query<{ pid: number }>(
          "select pid, pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = $2",
          [database, LISTENER_APPLICATION_NAME],
        );
        expect(rows.length).toBeGreaterThanOrEqual(3);
        // Committed while the listeners are down or coming back: only their catch-up can deliver these.
        await creates(url(0), chat, session, 3);
        await sleep(300);
      }
    } finally {
      await admin.end();
    }
    const expected = (await table(chat)).map((e) => e.id);
    expect(expected).toHaveLength(12);
    for (const s of subs) {
      await s.waitFor((x) => x.ids().length >= expected.length, "every event after the cuts");
      expect(s.ids()).toEqual(expected);
    }
    await viaTrpc.waitFor((x) => x.ids.length >= expected.length, "every tRPC event after the cuts");
    expect(viaTrpc.ids).toEqual(expected);
    for (const i of [1, 2, 3]) {
      expect(servers[i]!.output.some((line) => line.includes("event listener reconnected"))).toBe(true);
    }
  });
});
