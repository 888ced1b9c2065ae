/**
 * Model-based test of the invite life cycle (fast-check `fc.commands` + `fc.asyncModelRun`), over
 * real HTTP on every backend, REST and tRPC mixed within one run.
 *
 * Random sequences of create / list / revoke / join / preview / time-advance commands by several
 * users (a chat owner, a Mod, strangers, two of them banned) on three chats are played against
 * the server and against a plain in-memory model written from the SPEC. After every command the
 * answer must match the model: statuses and messages, every field of every listed invite (codes,
 * `uses`, order newest first), and the quota (409 exactly when the model has 20 active invites).
 * After every run the database rows of the run's chats must match the model too.
 *
 * Time: the server reads the clock through `deps.now` (services/context.ts). `startServer` hands
 * the same mutable `deps` object to the REST router and the tRPC context (server.ts, app.ts), and
 * `startTestServer` returns it as `server.deps`, so replacing `server.deps.now` moves the clock of
 * the running server. The model's clock stays on whole seconds, as expiries on the wire do.
 */
import { ErrorMessage } from "@portal/contracts";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow, UserRow } from "../../src/db/schema.js";
import { BACKENDS } from "../support/backends.js";
import { http, trpcClient, trpcOutcome, type TrpcClient } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const QUOTA = 20;
const SECOND = 1000;
const HOUR = 3600 * SECOND;

// ---- the world ------------------------------------------------------------------------------

type Visibility = "private" | "public" | "official";
type Transport = "rest" | "trpc";

/** The actors, by index: a User who owns two chats, a Mod who owns one, and three strangers. */
const USERS = [
  { name: "owner", level: 0 },
  { name: "mod", level: 1 },
  { name: "stranger1", level: 0 },
  { name: "stranger2", level: 0 },
  { name: "stranger3", level: 0 },
] as const;

const CHATS: { name: string; visibility: Visibility; owner: number }[] = [
  { name: "Alpha (public, owner's)", visibility: "public", owner: 0 },
  { name: "Beta (private, owner's)", visibility: "private", owner: 0 },
  { name: "Gamma (official, mod's)", visibility: "official", owner: 1 },
];

/** stranger3 is banned from Alpha for good; stranger2 from Beta for the first two hours. */
const BANS: { chat: number; user: number; untilOffsetMs: number | null }[] = [
  { chat: 0, user: 4, untilOffsetMs: null },
  { chat: 1, user: 3, untilOffsetMs: 2 * HOUR },
];

// ---- the model ------------------------------------------------------------------------------

interface ModelInvite {
  code: string;
  chat: number;
  createdBy: number;
  createdAt: number;
  expiresAt: number | null;
  maxUses: number | null;
  uses: number;
  revoked: boolean;
}

interface Model {
  /** Epoch ms, whole seconds. */
  now: number;
  start: number;
  /** In creation order. */
  invites: ModelInvite[];
  /** `${chat}:${user}` of chat_members rows. */
  members: Set<string>;
}

interface Real {
  server: TestServer;
  /** The clock the server reads. */
  clock: { now: number };
  chats: ChatRow[];
  /** Database ids of USERS, by index. */
  userIds: number[];
  sessions: string[];
  clients: TrpcClient[];
}

// SPEC section 2, restated.
const canActOn = (actor: number, target: number) => actor > target || (actor === 3 && target === 3);

function canManage(user: number, chat: number): boolean {
  const c = CHATS[chat]!;
  if (c.owner === user) return true;
  if (c.visibility === "private") return false;
  return canActOn(USERS[user]!.level, USERS[c.owner]!.level);
}

function canSee(m: Model, user: number, chat: number): boolean {
  const c = CHATS[chat]!;
  return c.visibility !== "private" || c.owner === user || m.members.has(`${chat}:${user}`);
}

function isActive(invite: ModelInvite, now: number): boolean {
  return !invite.revoked && (invite.expiresAt === null || invite.expiresAt > now) && (invite.maxUses === null || invite.uses < invite.maxUses);
}

function isBanned(m: Model, user: number, chat: number): boolean {
  return BANS.some((b) => b.chat === chat && b.user === user && (b.untilOffsetMs === null || m.start + b.untilOffsetMs > m.now));
}

/** The manage routes' answer before they look at anything else: 404, 403, or null to go on. */
function accessRefusal(m: Model, user: number, chat: number): Outcome | null {
  if (canManage(user, chat)) return null;
  if (canSee(m, user, chat)) return { status: 403, error: ErrorMessage.accessDenied };
  return { status: 404, error: ErrorMessage.chatNotFound };
}

const wire = (epochMs: number) => new Date(epochMs).toISOString().replace(".000Z", "Z");

function inviteDto(real: Real, invite: ModelInvite) {
  return {
    code: invite.code,
    chat_id: real.chats[invite.chat]!.id,
    created_by_id: real.userIds[invite.createdBy],
    created_at: wire(invite.createdAt),
    expires_at: invite.expiresAt === null ? null : wire(invite.expiresAt),
    uses: invite.uses,
    max_uses: invite.maxUses,
  };
}

// ---- talking to the server -------------------------------------------------------------------

interface Outcome {
  status: number;
  error?: string;
  body?: unknown;
}

async function call(transport: Transport, rest: () => Promise<{ status: number; body: unknown }>, trpc: () => Promise<unknown>): Promise<Outcome> {
  const res = transport === "rest" ? await rest() : await trpcOutcome(trpc);
  if (res.status >= 400) return { status: res.status, error: (res.body as { error: string }).error };
  return { status: res.status, body: res.body };
}

/** What the runs exercised: `<command>:<status>` → count. */
const exercised = new Map<string, number>();

function expectOutcome(actual: Outcome, expected: Outcome, where: string): void {
  const tag = `${where.slice(0, where.indexOf("("))}:${expected.status}${expected.error === ErrorMessage.inviteLimitReached ? " quota" : ""}`;
  exercised.set(tag, (exercised.get(tag) ?? 0) + 1);
  expect({ status: actual.status, error: actual.error }, where).toEqual({ status: expected.status, error: expected.error });
}

/** Picks an invite the model knows by a generated index, or none (an unknown code) for -1. */
function pick(m: Model, ref: number): ModelInvite | undefined {
  return ref < 0 || m.invites.length === 0 ? undefined : m.invites[ref % m.invites.length];
}

const UNKNOWN_CODE = "unknowncode00000";

// ---- commands --------------------------------------------------------------------------------

type Cmd = fc.AsyncCommand<Model, Real>;

class CreateInvite implements Cmd {
  constructor(
    readonly user: number,
    readonly chat: number,
    readonly maxUses: number | null,
    /** Seconds from now; 0 or less is in the past (or now) and must be refused. */
    readonly expiresIn: number | null,
    readonly withOffset: boolean,
    readonly transport: Transport,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const expiresAt = this.expiresIn === null ? null : m.now + this.expiresIn * SECOND;
    const body: Record<string, unknown> = {};
    if (this.maxUses !== null) body.max_uses = this.maxUses;
    if (expiresAt !== null) body.expires_at = this.withOffset ? withPlusOneHour(expiresAt) : wire(expiresAt);
    const chatId = r.chats[this.chat]!.id;
    const res = await call(
      this.transport,
      () => http(r.server.url, "POST", `/v1/portal/chats/${chatId}/invites`, { session: r.sessions[this.user], json: body }),
      () => r.clients[this.user]!.invite.create.mutate({ chat_id: chatId, ...body }),
    );
    const where = this.toString();
    // The expiry is checked first (SPEC 3 input rules), then access, then the archive and the quota.
    if (expiresAt !== null && expiresAt <= m.now) return expectOutcome(res, { status: 400, error: ErrorMessage.expiresAtInPast }, where);
    const refusal = accessRefusal(m, this.user, this.chat);
    if (refusal) return expectOutcome(res, refusal, where);
    const active = m.invites.filter((i) => i.chat === this.chat && isActive(i, m.now)).length;
    if (active >= QUOTA) return expectOutcome(res, { status: 409, error: ErrorMessage.inviteLimitReached }, where);
    expectOutcome(res, { status: this.transport === "rest" ? 201 : 200 }, where);
    const code = (res.body as { code: string }).code;
    expect(code, where).toMatch(/^[a-z0-9]{16}$/);
    expect(m.invites.some((i) => i.code === code), `${where}: code ${code} was handed out before`).toBe(false);
    const invite: ModelInvite = {
      code,
      chat: this.chat,
      createdBy: this.user,
      createdAt: m.now,
      expiresAt,
      maxUses: this.maxUses,
      uses: 0,
      revoked: false,
    };
    expect(res.body, where).toEqual(inviteDto(r, invite));
    m.invites.push(invite);
  }
  toString(): string {
    const limits = `max_uses=${this.maxUses ?? "null"}, expires=${this.expiresIn === null ? "null" : `now+${this.expiresIn}s${this.withOffset ? " (+01:00)" : ""}`}`;
    return `create(${USERS[this.user]!.name} → ${CHATS[this.chat]!.name}, ${limits}, ${this.transport})`;
  }
}

/** The same moment written with a +01:00 offset: `2026-05-01T01:00:00+01:00` for `…T00:00:00Z`. */
function withPlusOneHour(epochMs: number): string {
  return new Date(epochMs + HOUR).toISOString().replace(".000Z", "+01:00");
}

class ListInvites implements Cmd {
  constructor(
    readonly user: number,
    readonly chat: number,
    readonly transport: Transport,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const chatId = r.chats[this.chat]!.id;
    const res = await call(
      this.transport,
      () => http(r.server.url, "GET", `/v1/portal/chats/${chatId}/invites`, { session: r.sessions[this.user] }),
      () => r.clients[this.user]!.invite.list.query({ chat_id: chatId }),
    );
    const where = this.toString();
    const refusal = accessRefusal(m, this.user, this.chat);
    if (refusal) return expectOutcome(res, refusal, where);
    expectOutcome(res, { status: 200 }, where);
    // Active invites only, newest first; invites made in the same second keep their creation order reversed.
    const expected = m.invites
      .map((invite, order) => ({ invite, order }))
      .filter(({ invite }) => invite.chat === this.chat && isActive(invite, m.now))
      .sort((a, b) => b.invite.createdAt - a.invite.createdAt || b.order - a.order)
      .map(({ invite }) => inviteDto(r, invite));
    expect(res.body, where).toEqual({ invites: expected });
  }
  toString(): string {
    return `list(${USERS[this.user]!.name} → ${CHATS[this.chat]!.name}, ${this.transport})`;
  }
}

class RevokeInvite implements Cmd {
  constructor(
    readonly user: number,
    readonly chat: number,
    readonly ref: number,
    readonly transport: Transport,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const target = pick(m, this.ref);
    const code = target?.code ?? UNKNOWN_CODE;
    const chatId = r.chats[this.chat]!.id;
    const res = await call(
      this.transport,
      () => http(r.server.url, "POST", `/v1/portal/chats/${chatId}/invites/${code}/delete`, { session: r.sessions[this.user] }),
      () => r.clients[this.user]!.invite.revoke.mutate({ chat_id: chatId, code }),
    );
    const where = `${this.toString()} [${code}]`;
    const refusal = accessRefusal(m, this.user, this.chat);
    if (refusal) return expectOutcome(res, refusal, where);
    // SPEC 3: unknown, another chat's, or already revoked → 404; expired or used-up ones can still be revoked.
    if (!target || target.chat !== this.chat || target.revoked) {
      return expectOutcome(res, { status: 404, error: ErrorMessage.inviteNotFound }, where);
    }
    expectOutcome(res, { status: 200 }, where);
    expect(res.body, where).toEqual({ message: `Invite '${code}' revoked` });
    target.revoked = true;
  }
  toString(): string {
    return `revoke(${USERS[this.user]!.name} → ${CHATS[this.chat]!.name}, invite #${this.ref}, ${this.transport})`;
  }
}

class UseInvite implements Cmd {
  constructor(
    readonly user: number,
    readonly ref: number,
    readonly action: "redeem" | "preview",
    readonly transport: Transport,
  ) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    const target = pick(m, this.ref);
    const code = target?.code ?? UNKNOWN_CODE;
    const method = this.action === "redeem" ? "POST" : "GET";
    const client = r.clients[this.user]!;
    const res = await call(
      this.transport,
      () => http(r.server.url, method, `/v1/portal/resolve/${code}`, { session: r.sessions[this.user] }),
      () => (this.action === "redeem" ? client.invite.redeem.mutate({ code }) : client.invite.preview.query({ code })),
    );
    const where = `${this.toString()} [${code}]`;
    if (!target || !isActive(target, m.now)) return expectOutcome(res, { status: 404, error: ErrorMessage.inviteNotFound }, where);
    if (isBanned(m, this.user, target.chat)) return expectOutcome(res, { status: 403, error: ErrorMessage.accessDenied }, where);
    expectOutcome(res, { status: 200 }, where);
    const chat = CHATS[target.chat]!;
    const chatRow = r.chats[target.chat]!;
    const alreadyMember = chat.owner === this.user || m.members.has(`${target.chat}:${this.user}`);
    if (this.action === "preview") {
      const memberCount = [...m.members].filter((key) => key.startsWith(`${target.chat}:`)).length;
      expect(res.body, where).toEqual({
        chat: { id: chatRow.id, name: chat.name, description: null, visibility: chat.visibility, member_count: memberCount },
        expires_at: target.expiresAt === null ? null : wire(target.expiresAt),
        uses: target.uses,
        max_uses: target.maxUses,
        already_member: alreadyMember,
        // The model never turns join approval on (SPEC section 10).
        join_approval: false,
      });
      return;
    }
    expect(res.body, where).toEqual({
      chat: { id: chatRow.id, name: chat.name, is_public: chat.visibility !== "private", visibility: chat.visibility, created_at: expect.any(String) },
      already_member: alreadyMember,
    });
    if (!alreadyMember) {
      target.uses += 1;
      m.members.add(`${target.chat}:${this.user}`);
    }
  }
  toString(): string {
    return `${this.action}(${USERS[this.user]!.name}, invite #${this.ref}, ${this.transport})`;
  }
}

class AdvanceTime implements Cmd {
  constructor(readonly seconds: number) {}
  check = () => true;
  async run(m: Model, r: Real): Promise<void> {
    m.now += this.seconds * SECOND;
    r.clock.now = m.now;
  }
  toString(): string {
    return `advance(${this.seconds}s)`;
  }
}

/** Moves the clock to one second before, exactly at, or one second after an invite's expiry. */
class AdvanceToExpiry implements Cmd {
  constructor(
    readonly ref: number,
    readonly offsetSeconds: -1 | 0 | 1,
  ) {}
  check(m: Readonly<Model>): boolean {
    const target = pick(m as Model, this.ref);
    return target?.expiresAt != null && target.expiresAt + this.offsetSeconds * SECOND > m.now;
  }
  async run(m: Model, r: Real): Promise<void> {
    const target = pick(m, this.ref)!;
    m.now = target.expiresAt! + this.offsetSeconds * SECOND;
    r.clock.now = m.now;
  }
  toString(): string {
    return `advanceTo(expiry of invite #${this.ref} ${this.offsetSeconds >= 0 ? "+" : ""}${this.offsetSeconds}s)`;
  }
}

const user = fc.integer({ min: 0, max: USERS.length - 1 });
const chat = fc.integer({ min: 0, max: CHATS.length - 1 });
const transport = fc.constantFrom<Transport>("rest", "trpc");
const inviteRef = fc.oneof({ weight: 9, arbitrary: fc.nat(60) }, { weight: 1, arbitrary: fc.constant(-1) });

const createCommand = fc
  .record({
    // Mostly people who may manage Alpha, on Alpha: that is where the quota is reached.
    user: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(0, 1) }, { weight: 1, arbitrary: user }),
    chat: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: chat }),
    maxUses: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    expiresIn: fc.option(
      fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 1, max: 7200 }) },
        { weight: 2, arbitrary: fc.constantFrom(1, 60, 3600) },
        { weight: 1, arbitrary: fc.constantFrom(0, -1, -3600) },
      ),
      { nil: null },
    ),
    withOffset: fc.boolean(),
    transport,
  })
  .map((c) => new CreateInvite(c.user, c.chat, c.maxUses, c.expiresIn, c.withOffset, c.transport));

const COMMANDS: fc.Arbitrary<Cmd>[] = [
  createCommand,
  createCommand,
  createCommand,
  fc.tuple(user, chat, transport).map(([u, c, t]) => new ListInvites(u, c, t)),
  fc.tuple(user, chat, transport).map(([u, c, t]) => new ListInvites(u, c, t)),
  fc.tuple(user, chat, inviteRef, transport).map(([u, c, i, t]) => new RevokeInvite(u, c, i, t)),
  fc.tuple(user, inviteRef, transport).map(([u, i, t]) => new UseInvite(u, i, "redeem", t)),
  fc.tuple(user, inviteRef, transport).map(([u, i, t]) => new UseInvite(u, i, "redeem", t)),
  fc.tuple(user, inviteRef, transport).map(([u, i, t]) => new UseInvite(u, i, "preview", t)),
  fc.integer({ min: 1, max: 7200 }).map((s) => new AdvanceTime(s)),
  fc.tuple(inviteRef, fc.constantFrom<-1 | 0 | 1>(-1, 0, 1)).map(([i, o]) => new AdvanceToExpiry(i, o)),
];

/** Invites already in Alpha when a run starts: sometimes none, mostly near or at the quota. */
const prefillInvite = fc.record({
  maxUses: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null, freq: 2 }),
  expiresIn: fc.option(fc.integer({ min: 1, max: 7200 }), { nil: null, freq: 2 }),
});
const prefill = fc.oneof(
  { weight: 1, arbitrary: fc.constant<{ maxUses: number | null; expiresIn: number | null }[]>([]) },
  {
    weight: 3,
    arbitrary: fc.integer({ min: 15, max: QUOTA }).chain((n) => fc.array(prefillInvite, { minLength: n, maxLength: n })),
  },
);

// ---- the suite -------------------------------------------------------------------------------

describe.each(BACKENDS)("invite life cycle against a model on %s", (backend) => {
  let server: TestServer;
  let users: UserRow[];
  let sessions: string[];
  let clients: TrpcClient[];
  /** Every run starts at this whole second; the server reads `clock.now`. */
  let start: number;
  const clock = { now: 0 };
  let runs = 0;

  beforeAll(async () => {
    server = await startTestServer(backend);
    start = Math.floor(Date.now() / SECOND) * SECOND;
    clock.now = start;
    server.deps.now = () => clock.now;
    users = [];
    for (const u of USERS) users.push(await server.fixtures.user({ username: `${u.name}_${backend}`, level: u.level }));
    // Sessions last 30 days for Users and Mods: far longer than any run's clock moves.
    sessions = await Promise.all(users.map((u) => server.fixtures.session(u)));
    clients = sessions.map((s) => trpcClient(server.url, s));
  });

  afterAll(async () => {
    await server?.stop();
  });

  async function setup(fill: { maxUses: number | null; expiresIn: number | null }[]): Promise<{ model: Model; real: Real }> {
    runs += 1;
    clock.now = start;
    const chats: ChatRow[] = [];
    for (const c of CHATS) {
      chats.push(await server.fixtures.chat({ owner: users[c.owner]!, visibility: c.visibility, name: c.name }));
    }
    for (const ban of BANS) {
      await server.fixtures.ban(chats[ban.chat]!, users[ban.user]!, ban.untilOffsetMs === null ? null : start + ban.untilOffsetMs);
    }
    const model: Model = { now: start, start, invites: [], members: new Set() };
    for (const [i, f] of fill.entries()) {
      const row = await server.fixtures.invite(chats[0]!, users[0]!, {
        code: `prefill${runs}x${i}`,
        created_at: start,
        max_uses: f.maxUses,
        expires_at: f.expiresIn === null ? null : start + f.expiresIn * SECOND,
      });
      model.invites.push({ code: row.code, chat: 0, createdBy: 0, createdAt: start, expiresAt: row.expires_at, maxUses: row.max_uses, uses: 0, revoked: false });
    }
    return { model, real: { server, clock, chats, userIds: users.map((u) => u.id), sessions, clients } };
  }

  /** The rows of the run's chats must say what the model says. */
  async function expectDatabaseMatches(model: Model, real: Real): Promise<void> {
    const chatIds = real.chats.map((c) => c.id);
    const rows = await server.deps.db.selectFrom("invites").selectAll().where("chat_id", "in", chatIds).orderBy("id").execute();
    expect(
      rows.map((row) => ({ code: row.code, uses: row.uses, max_uses: row.max_uses, revoked: row.revoked_at !== null })),
    ).toEqual(model.invites.map((i) => ({ code: i.code, uses: i.uses, max_uses: i.maxUses, revoked: i.revoked })));
    for (const row of rows) if (row.max_uses !== null) expect(row.uses).toBeLessThanOrEqual(row.max_uses);
    const members = await server.deps.db.selectFrom("chat_members").select(["chat_id", "user_id"]).where("chat_id", "in", chatIds).execute();
    const memberKeys = members.map((row) => `${chatIds.indexOf(row.chat_id)}:${real.userIds.indexOf(row.user_id)}`).sort();
    expect(memberKeys).toEqual([...model.members].sort());
    const joins = await server.deps.db.selectFrom("activity_events").select(["invite_code"]).where("chat_id", "in", chatIds).where("action", "=", "join").execute();
    // Every successful join of an invite is one `uses` (SPEC 7).
    for (const invite of model.invites) expect(joins.filter((j) => j.invite_code === invite.code).length, invite.code).toBe(invite.uses);
  }

  it(
    "matches the model through random create, list, revoke, join, preview and clock moves, REST and tRPC mixed",
    async () => {
      exercised.clear();
      const full = Array.from({ length: QUOTA }, () => ({ maxUses: null, expiresIn: null }));
      const expiring = [{ maxUses: 2, expiresIn: 30 }];
      await fc.assert(
        fc.asyncProperty(prefill, fc.commands(COMMANDS, { maxCommands: 40, size: "max" }), async (fill, commands) => {
          const { model, real } = await setup(fill);
          await fc.asyncModelRun(() => ({ model, real }), commands);
          await expectDatabaseMatches(model, real);
        }),
        {
          numRuns: 30,
          // Always played as well: the quota reached and freed, and an expiry crossed to the second.
          examples: [
            [
              full,
              [
                new CreateInvite(0, 0, null, null, false, "rest"),
                new CreateInvite(1, 0, 1, 60, true, "trpc"),
                new RevokeInvite(1, 0, 3, "trpc"),
                new CreateInvite(0, 0, 1, 60, false, "rest"),
                new UseInvite(2, 20, "redeem", "rest"),
                new CreateInvite(1, 0, null, null, false, "trpc"),
                new ListInvites(1, 0, "rest"),
              ],
            ],
            [
              expiring,
              [
                new UseInvite(2, 0, "redeem", "trpc"),
                new AdvanceToExpiry(0, -1),
                new UseInvite(3, 0, "preview", "rest"),
                new AdvanceToExpiry(0, 0),
                new UseInvite(3, 0, "redeem", "rest"),
                new ListInvites(0, 0, "trpc"),
                new RevokeInvite(0, 0, 0, "rest"),
                new RevokeInvite(0, 0, 0, "rest"),
              ],
            ],
          ],
        },
      );
      // The runs must have reached what this test claims to check.
      const seen = [...exercised.keys()];
      for (const tag of ["create:201", "create:200", "create:409 quota", "create:403", "create:404", "create:400", "list:200", "list:404"]) {
        expect(seen, tag).toContain(tag);
      }
      for (const tag of ["revoke:200", "revoke:404", "redeem:200", "redeem:403", "redeem:404", "preview:200", "preview:404"]) {
        expect(seen, tag).toContain(tag);
      }
    },
    300_000,
  );

  it("the server's clock is the test's: an invite expires exactly at its expires_at", async () => {
    const { model, real } = await setup([]);
    const create = new CreateInvite(0, 0, null, 60, false, "rest");
    await create.run(model, real);
    const code = model.invites[0]!.code;
    const listed = async () =>
      ((await http<{ invites: { code: string }[] }>(server.url, "GET", `/v1/portal/chats/${real.chats[0]!.id}/invites`, { session: sessions[0] })).body.invites.map(
        (i) => i.code,
      ));
    real.clock.now = model.now + 59 * SECOND;
    expect(await listed()).toEqual([code]);
    real.clock.now = model.now + 60 * SECOND;
    expect(await listed()).toEqual([]);
  });
});
