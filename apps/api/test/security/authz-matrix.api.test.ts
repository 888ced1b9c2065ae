/**
 * The authorization matrix (BOLA/BFLA), over real HTTP on every backend: every actor level (0–3)
 * × chat owner level (0–3, or no owner) × visibility (private, public, official) × relation of
 * the actor to the chat (owner, member, banned, stranger), against every chat route, REST and
 * tRPC. The expected answer comes from the SPEC section 2 rules restated below in plain code,
 * not from packages/core.
 *
 * Decisions this table makes explicit:
 * - "owner" means the actor owns the chat, so the owner's level is the actor's; the other
 *   owner levels with that relation cannot happen and are not listed (192 cases in all).
 * - A "banned" actor has an active, permanent ban from the chat and is not a member. The SPEC's
 *   "can see" is public/official, or owner, or member, so a banned user cannot see a private
 *   chat (404). A ban is about joining: the SPEC's "can manage" does not mention bans, so a banned
 *   Admin still manages a public chat of a User, and a banned user who can see but not manage gets
 *   403.
 * - Preview and join use a fresh, active invite of the chat for every row: 200 for everyone
 *   (already_member for the owner and members), 403 for a banned user. Seeing the chat is not
 *   required: an invite is how one gets into a private chat.
 * - The invite management routes of SPEC section 10 (edit, revoke all, invite settings, join
 *   requests, approve, decline, activity by invite) follow "can manage" exactly as create does.
 *   Approve and decline rows act on a pending request of a fixed requester, through a fresh invite.
 */
import { ErrorMessage } from "@portal/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatRow, UserRow } from "../../src/db/schema.js";
import { BACKENDS } from "../support/backends.js";
import { http, trpcClient, trpcOutcome, type TrpcClient } from "../support/clients.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

type Level = 0 | 1 | 2 | 3;
type Visibility = "private" | "public" | "official";
type Relation = "owner" | "member" | "banned" | "stranger";

const LEVELS: Level[] = [0, 1, 2, 3];
const LEVEL_NAMES = ["User(0)", "Mod(1)", "Admin(2)", "Owner(3)"] as const;
const VISIBILITIES: Visibility[] = ["private", "public", "official"];
const OTHER_RELATIONS: Relation[] = ["member", "banned", "stranger"];

interface Case {
  actorLevel: Level;
  /** null: the chat has no owner. */
  ownerLevel: Level | null;
  visibility: Visibility;
  relation: Relation;
}

function caseName(c: Case): string {
  const article = (level: Level) => (level >= 2 ? "an" : "a");
  const owner =
    c.relation === "owner" ? "owned by the actor" : c.ownerLevel === null ? "with no owner" : `owned by ${article(c.ownerLevel)} ${LEVEL_NAMES[c.ownerLevel]}`;
  return `${LEVEL_NAMES[c.actorLevel]} as ${c.relation} of a ${c.visibility} chat ${owner}`;
}

const CASES: Case[] = [];
for (const actorLevel of LEVELS) {
  for (const visibility of VISIBILITIES) CASES.push({ actorLevel, ownerLevel: actorLevel, visibility, relation: "owner" });
  for (const ownerLevel of [...LEVELS, null]) {
    for (const visibility of VISIBILITIES) {
      for (const relation of OTHER_RELATIONS) CASES.push({ actorLevel, ownerLevel, visibility, relation });
    }
  }
}

// ---- SPEC section 2, restated ------------------------------------------------------------------

/** "can act on": a higher level, or both Owners. */
function canActOn(actor: Level, target: Level): boolean {
  return actor > target || (actor === 3 && target === 3);
}

/** "can manage a chat": its owner always; a private chat nobody else; otherwise whoever can act on the owner (Admins and Owners when there is none). */
function specCanManage(c: Case): boolean {
  if (c.relation === "owner") return true;
  if (c.visibility === "private") return false;
  if (c.ownerLevel === null) return c.actorLevel >= 2;
  return canActOn(c.actorLevel, c.ownerLevel);
}

/** "can see a chat": public or official, or the actor owns it or is a member. */
function specCanSee(c: Case): boolean {
  return c.visibility !== "private" || c.relation === "owner" || c.relation === "member";
}

interface Expected {
  status: "ok" | 403 | 404;
  error?: string;
  alreadyMember?: boolean;
}

function expectedForManageRoute(c: Case): Expected {
  if (specCanManage(c)) return { status: "ok" };
  if (specCanSee(c)) return { status: 403, error: ErrorMessage.accessDenied };
  return { status: 404, error: ErrorMessage.chatNotFound };
}

function expectedForJoinRoute(c: Case): Expected {
  if (c.relation === "banned") return { status: 403, error: ErrorMessage.accessDenied };
  return { status: "ok", alreadyMember: c.relation === "owner" || c.relation === "member" };
}

// ---- routes ------------------------------------------------------------------------------------

interface Outcome {
  status: number;
  body: unknown;
}

interface RowContext {
  server: TestServer;
  c: Case;
  actor: UserRow;
  session: string;
  client: TrpcClient;
  chat: ChatRow;
  /** A fresh active invite of the chat (revoke, preview and join rows). */
  code: string;
  /** Who asked to join (approve and decline rows). */
  requesterId: number;
}

interface Route {
  name: string;
  kind: "manage" | "join";
  /** What a success writes: a new invite, a revoked one, a membership and one use, or nothing. */
  effect: "create" | "revoke" | "join" | "none" | "update" | "settings" | "approve" | "decline";
  needsInvite: boolean;
  /** A pending join request of the requester through the row's invite (approve and decline rows). */
  needsRequest?: boolean;
  /** The success status (REST create is 201). */
  ok: number;
  call(row: RowContext): Promise<Outcome>;
  /** What a success must look like, beyond the status. */
  checkSuccess(row: RowContext, body: unknown): string | null;
}

const ok = (condition: boolean, what: string) => (condition ? null : what);

const ROUTES: Route[] = [
  {
    name: "REST POST /v1/portal/chats/{id}/invites (create)",
    effect: "create",
    kind: "manage",
    needsInvite: false,
    ok: 201,
    call: (r) => http(r.server.url, "POST", `/v1/portal/chats/${r.chat.id}/invites`, { session: r.session, json: {} }),
    checkSuccess: (r, b) => ok((b as { chat_id?: number }).chat_id === r.chat.id && (b as { created_by_id?: number }).created_by_id === r.actor.id, "not an invite of this chat by the actor"),
  },
  {
    name: "REST GET /v1/portal/chats/{id}/invites (list)",
    effect: "none",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => http(r.server.url, "GET", `/v1/portal/chats/${r.chat.id}/invites`, { session: r.session }),
    checkSuccess: (r, b) => ok(Array.isArray((b as { invites?: unknown }).invites), "no invites list"),
  },
  {
    name: "REST POST /v1/portal/chats/{id}/invites/{code}/delete (revoke)",
    effect: "revoke",
    kind: "manage",
    needsInvite: true,
    ok: 200,
    call: (r) => http(r.server.url, "POST", `/v1/portal/chats/${r.chat.id}/invites/${r.code}/delete`, { session: r.session }),
    checkSuccess: (r, b) => ok((b as { message?: string }).message === `Invite '${r.code}' revoked`, "not the revoked message"),
  },
  {
    name: "REST GET /v1/portal/chats/{id}/activity",
    effect: "none",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => http(r.server.url, "GET", `/v1/portal/chats/${r.chat.id}/activity`, { session: r.session }),
    checkSuccess: (r, b) => ok(Array.isArray((b as { events?: unknown }).events), "no events page"),
  },
  {
    name: "REST GET /v1/portal/resolve/{code} (preview)",
    effect: "none",
    kind: "join",
    needsInvite: true,
    ok: 200,
    call: (r) => http(r.server.url, "GET", `/v1/portal/resolve/${r.code}`, { session: r.session }),
    checkSuccess: (r, b) => ok((b as { chat?: { id?: number } }).chat?.id === r.chat.id, "not a preview of this chat"),
  },
  {
    name: "REST POST /v1/portal/resolve/{code} (join)",
    effect: "join",
    kind: "join",
    needsInvite: true,
    ok: 200,
    call: (r) => http(r.server.url, "POST", `/v1/portal/resolve/${r.code}`, { session: r.session }),
    checkSuccess: (r, b) => ok((b as { chat?: { id?: number } }).chat?.id === r.chat.id, "not this chat"),
  },
  {
    name: "tRPC invite.create",
    effect: "create",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.invite.create.mutate({ chat_id: r.chat.id })),
    checkSuccess: (r, b) => ok((b as { chat_id?: number }).chat_id === r.chat.id && (b as { created_by_id?: number }).created_by_id === r.actor.id, "not an invite of this chat by the actor"),
  },
  {
    name: "tRPC invite.list",
    effect: "none",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.invite.list.query({ chat_id: r.chat.id })),
    checkSuccess: (r, b) => ok(Array.isArray((b as { invites?: unknown }).invites), "no invites list"),
  },
  {
    name: "tRPC chat.people (tRPC only: who created the chat's invites)",
    effect: "none",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.chat.people.query({ chat_id: r.chat.id })),
    checkSuccess: (_r, b) => ok(Array.isArray((b as { users?: unknown }).users), "no users list"),
  },
  {
    name: "tRPC invite.revoke",
    effect: "revoke",
    kind: "manage",
    needsInvite: true,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.invite.revoke.mutate({ chat_id: r.chat.id, code: r.code })),
    checkSuccess: (r, b) => ok((b as { message?: string }).message === `Invite '${r.code}' revoked`, "not the revoked message"),
  },
  {
    name: "tRPC chat.activity",
    effect: "none",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.chat.activity.query({ chat_id: r.chat.id })),
    checkSuccess: (r, b) => ok(Array.isArray((b as { events?: unknown }).events), "no events page"),
  },
  {
    name: "tRPC invite.preview",
    effect: "none",
    kind: "join",
    needsInvite: true,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.invite.preview.query({ code: r.code })),
    checkSuccess: (r, b) => ok((b as { chat?: { id?: number } }).chat?.id === r.chat.id, "not a preview of this chat"),
  },
  {
    name: "tRPC invite.redeem",
    effect: "join",
    kind: "join",
    needsInvite: true,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.invite.redeem.mutate({ code: r.code })),
    checkSuccess: (r, b) => ok((b as { chat?: { id?: number } }).chat?.id === r.chat.id, "not this chat"),
  },
];

const isMessage = (text: string) => (b: unknown) => ok((b as { message?: string }).message === text, `not "${text}"`);
const isSettings = (b: unknown) => ok(typeof (b as { join_approval?: unknown }).join_approval === "boolean", "no settings");
const isRequestPage = (b: unknown) => ok(Array.isArray((b as { requests?: unknown }).requests), "no requests page");

/** The invite management routes of SPEC section 10, over REST and tRPC. */
const MANAGEMENT_ROUTES: Route[] = [
  {
    name: "REST POST /v1/portal/chats/{id}/invites/{code}/update (edit)",
    effect: "update",
    kind: "manage",
    needsInvite: true,
    ok: 200,
    call: (r) => http(r.server.url, "POST", `/v1/portal/chats/${r.chat.id}/invites/${r.code}/update`, { session: r.session, json: { max_uses: 7 } }),
    checkSuccess: (r, b) => ok((b as { code?: string; max_uses?: number }).code === r.code && (b as { max_uses?: number }).max_uses === 7, "not the edited invite"),
  },
  {
    name: "REST POST /v1/portal/chats/{id}/invites/revoke-all",
    effect: "revoke",
    kind: "manage",
    needsInvite: true,
    ok: 200,
    call: (r) => http(r.server.url, "POST", `/v1/portal/chats/${r.chat.id}/invites/revoke-all`, { session: r.session }),
    checkSuccess: (_r, b) => ok((b as { revoked?: number }).revoked === 1, "not { revoked: 1 }"),
  },
  {
    name: "REST GET /v1/portal/chats/{id}/invite-settings",
    effect: "none",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => http(r.server.url, "GET", `/v1/portal/chats/${r.chat.id}/invite-settings`, { session: r.session }),
    checkSuccess: (_r, b) => isSettings(b),
  },
  {
    name: "REST POST /v1/portal/chats/{id}/invite-settings/update",
    effect: "settings",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => http(r.server.url, "POST", `/v1/portal/chats/${r.chat.id}/invite-settings/update`, { session: r.session, json: { join_approval: true } }),
    checkSuccess: (_r, b) => ok((b as { join_approval?: boolean }).join_approval === true, "approval not on"),
  },
  {
    name: "REST GET /v1/portal/chats/{id}/join-requests",
    effect: "none",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => http(r.server.url, "GET", `/v1/portal/chats/${r.chat.id}/join-requests`, { session: r.session }),
    checkSuccess: (_r, b) => isRequestPage(b),
  },
  {
    name: "REST POST /v1/portal/chats/{id}/join-requests/{user_id}/approve",
    effect: "approve",
    kind: "manage",
    needsInvite: true,
    needsRequest: true,
    ok: 200,
    call: (r) => http(r.server.url, "POST", `/v1/portal/chats/${r.chat.id}/join-requests/${r.requesterId}/approve`, { session: r.session }),
    checkSuccess: (_r, b) => isMessage("Join request approved")(b),
  },
  {
    name: "REST POST /v1/portal/chats/{id}/join-requests/{user_id}/decline",
    effect: "decline",
    kind: "manage",
    needsInvite: true,
    needsRequest: true,
    ok: 200,
    call: (r) => http(r.server.url, "POST", `/v1/portal/chats/${r.chat.id}/join-requests/${r.requesterId}/decline`, { session: r.session }),
    checkSuccess: (_r, b) => isMessage("Join request declined")(b),
  },
  {
    name: "REST GET /v1/portal/chats/{id}/activity?invite_code=",
    effect: "none",
    kind: "manage",
    needsInvite: true,
    ok: 200,
    call: (r) => http(r.server.url, "GET", `/v1/portal/chats/${r.chat.id}/activity?invite_code=${r.code}`, { session: r.session }),
    checkSuccess: (_r, b) => ok(Array.isArray((b as { events?: unknown }).events), "no events page"),
  },
  {
    name: "tRPC invite.update",
    effect: "update",
    kind: "manage",
    needsInvite: true,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.invite.update.mutate({ chat_id: r.chat.id, code: r.code, max_uses: 7 })),
    checkSuccess: (r, b) => ok((b as { code?: string }).code === r.code && (b as { max_uses?: number }).max_uses === 7, "not the edited invite"),
  },
  {
    name: "tRPC invite.revokeAll",
    effect: "revoke",
    kind: "manage",
    needsInvite: true,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.invite.revokeAll.mutate({ chat_id: r.chat.id })),
    checkSuccess: (_r, b) => ok((b as { revoked?: number }).revoked === 1, "not { revoked: 1 }"),
  },
  {
    name: "tRPC chat.inviteSettings",
    effect: "none",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.chat.inviteSettings.query({ chat_id: r.chat.id })),
    checkSuccess: (_r, b) => isSettings(b),
  },
  {
    name: "tRPC chat.updateInviteSettings",
    effect: "settings",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.chat.updateInviteSettings.mutate({ chat_id: r.chat.id, join_approval: true })),
    checkSuccess: (_r, b) => ok((b as { join_approval?: boolean }).join_approval === true, "approval not on"),
  },
  {
    name: "tRPC chat.joinRequests",
    effect: "none",
    kind: "manage",
    needsInvite: false,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.chat.joinRequests.query({ chat_id: r.chat.id })),
    checkSuccess: (_r, b) => isRequestPage(b),
  },
  {
    name: "tRPC chat.approveJoinRequest",
    effect: "approve",
    kind: "manage",
    needsInvite: true,
    needsRequest: true,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.chat.approveJoinRequest.mutate({ chat_id: r.chat.id, user_id: r.requesterId })),
    checkSuccess: (_r, b) => isMessage("Join request approved")(b),
  },
  {
    name: "tRPC chat.declineJoinRequest",
    effect: "decline",
    kind: "manage",
    needsInvite: true,
    needsRequest: true,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.chat.declineJoinRequest.mutate({ chat_id: r.chat.id, user_id: r.requesterId })),
    checkSuccess: (_r, b) => isMessage("Join request declined")(b),
  },
  {
    name: "tRPC chat.activity with invite_code",
    effect: "none",
    kind: "manage",
    needsInvite: true,
    ok: 200,
    call: (r) => trpcOutcome(() => r.client.chat.activity.query({ chat_id: r.chat.id, invite_code: r.code })),
    checkSuccess: (_r, b) => ok(Array.isArray((b as { events?: unknown }).events), "no events page"),
  },
];

// ---- the suite -----------------------------------------------------------------------------

describe("the authorization table restated from the SPEC", () => {
  it("has 192 cases: 12 with the actor as owner, 180 for member, banned and stranger", () => {
    expect(CASES).toHaveLength(192);
    expect(CASES.filter((c) => c.relation === "owner")).toHaveLength(12);
    expect(new Set(CASES.map(caseName)).size).toBe(192);
  });

  it.each<[string, Case, Expected["status"]]>([
    ["a Mod manages a public chat of a User", { actorLevel: 1, ownerLevel: 0, visibility: "public", relation: "stranger" }, "ok"],
    ["a User only sees a public chat of another User", { actorLevel: 0, ownerLevel: 0, visibility: "public", relation: "stranger" }, 403],
    ["an Admin only sees an official chat of another Admin", { actorLevel: 2, ownerLevel: 2, visibility: "official", relation: "member" }, 403],
    ["an Owner manages an official chat of another Owner", { actorLevel: 3, ownerLevel: 3, visibility: "official", relation: "stranger" }, "ok"],
    ["an Owner cannot see a private chat of a User he is not in", { actorLevel: 3, ownerLevel: 0, visibility: "private", relation: "stranger" }, 404],
    ["a member only sees a private chat", { actorLevel: 3, ownerLevel: 0, visibility: "private", relation: "member" }, 403],
    ["a banned Admin cannot see a private chat", { actorLevel: 2, ownerLevel: 0, visibility: "private", relation: "banned" }, 404],
    ["a banned Admin still manages a public chat of a User", { actorLevel: 2, ownerLevel: 0, visibility: "public", relation: "banned" }, "ok"],
    ["an Admin manages a public chat without an owner", { actorLevel: 2, ownerLevel: null, visibility: "public", relation: "stranger" }, "ok"],
    ["a Mod only sees a public chat without an owner", { actorLevel: 1, ownerLevel: null, visibility: "public", relation: "stranger" }, 403],
    ["nobody but its owner manages a private chat without an owner", { actorLevel: 3, ownerLevel: null, visibility: "private", relation: "member" }, 403],
    ["a User manages his own private chat", { actorLevel: 0, ownerLevel: 0, visibility: "private", relation: "owner" }, "ok"],
  ])("%s", (_name, c, status) => {
    expect(expectedForManageRoute(c).status).toBe(status);
  });
});

describe.each(BACKENDS)("authorization matrix on %s", (backend) => {
  let server: TestServer;
  /** owners[level] owns one chat of each visibility. */
  const owners = new Map<Level, UserRow>();
  /** actors[`${level}:${relation}`] for member, banned and stranger. */
  const actors = new Map<string, UserRow>();
  /** chats[`${ownerLevel|none}:${visibility}`]. */
  const chats = new Map<string, ChatRow>();
  const sessions = new Map<number, string>();
  const clients = new Map<number, TrpcClient>();
  /** Asks to join every chat in approve and decline rows; never an actor. */
  let requester: UserRow;

  beforeAll(async () => {
    server = await startTestServer(backend);
    const f = server.fixtures;
    for (const level of LEVELS) {
      owners.set(level, await f.user({ username: `owner_l${level}_${backend}`, level }));
      for (const relation of OTHER_RELATIONS) actors.set(`${level}:${relation}`, await f.user({ username: `${relation}_l${level}_${backend}`, level }));
    }
    for (const ownerLevel of [...LEVELS, null]) {
      for (const visibility of VISIBILITIES) {
        const owner = ownerLevel === null ? null : owners.get(ownerLevel)!;
        const chat = await f.chat({ owner, visibility, name: `${visibility} of ${ownerLevel === null ? "nobody" : LEVEL_NAMES[ownerLevel]}` });
        chats.set(`${ownerLevel ?? "none"}:${visibility}`, chat);
        for (const level of LEVELS) {
          await f.member(chat, actors.get(`${level}:member`)!);
          await f.ban(chat, actors.get(`${level}:banned`)!, null);
        }
      }
    }
    requester = await f.user({ username: `requester_${backend}` });
    for (const user of [...owners.values(), ...actors.values()]) {
      const session = await f.session(user);
      sessions.set(user.id, session);
      clients.set(user.id, trpcClient(server.url, session));
    }
  });

  afterAll(async () => {
    await server?.stop();
  });

  function actorOf(c: Case): UserRow {
    return c.relation === "owner" ? owners.get(c.actorLevel)! : actors.get(`${c.actorLevel}:${c.relation}`)!;
  }

  function chatOf(c: Case): ChatRow {
    return chats.get(`${c.ownerLevel ?? "none"}:${c.visibility}`)!;
  }

  const db = () => server.deps.db;

  async function maxInviteId(): Promise<number> {
    const row = await db().selectFrom("invites").select((eb) => eb.fn.max("id").as("max")).executeTakeFirst();
    return Number(row?.max ?? 0);
  }

  /** Runs one row and returns what is wrong with it, or null. Leaves the world as it found it. */
  async function runRow(route: Route, c: Case): Promise<string | null> {
    const actor = actorOf(c);
    const chat = chatOf(c);
    const before = await maxInviteId();
    const creator = [...owners.values()].find((owner) => owner.id === chat.owner_id) ?? null;
    const invite = route.needsInvite ? await server.fixtures.invite(chat, creator) : null;
    const row: RowContext = {
      server,
      c,
      actor,
      session: sessions.get(actor.id)!,
      client: clients.get(actor.id)!,
      chat,
      code: invite?.code ?? "",
      requesterId: requester.id,
    };
    if (route.needsRequest && invite) {
      await db().insertInto("join_requests").values({ chat_id: chat.id, user_id: requester.id, invite_code: invite.code, created_at: Date.now() }).execute();
    }
    const expected = route.kind === "manage" ? expectedForManageRoute(c) : expectedForJoinRoute(c);
    const outcome = await route.call(row);
    const problems: string[] = [];
    const want = expected.status === "ok" ? route.ok : expected.status;
    if (outcome.status !== want) problems.push(`expected ${want}${expected.error ? ` ${expected.error}` : ""}, got ${outcome.status} ${JSON.stringify(outcome.body).slice(0, 120)}`);
    else if (expected.error !== undefined && (outcome.body as { error?: string }).error !== expected.error) {
      problems.push(`expected the message "${expected.error}", got "${(outcome.body as { error?: string }).error}"`);
    } else if (expected.status === "ok") {
      const wrong = route.checkSuccess(row, outcome.body);
      if (wrong) problems.push(wrong);
      if (expected.alreadyMember !== undefined && (outcome.body as { already_member?: boolean }).already_member !== expected.alreadyMember) {
        problems.push(`expected already_member ${expected.alreadyMember}`);
      }
    }

    // Side effects: a refused request wrote nothing; a join counted a use only for a newcomer.
    const created = await db().selectFrom("invites").select("code").where("chat_id", "=", chat.id).where("id", ">", before).execute();
    const succeeded = outcome.status === route.ok;
    const newInvites = created.filter((r) => r.code !== invite?.code).length;
    if (newInvites !== (route.effect === "create" && succeeded ? 1 : 0)) problems.push(`${newInvites} invites were created`);
    const joined = route.effect === "join" && succeeded && c.relation === "stranger";
    const approved = route.effect === "approve" && succeeded;
    if (invite) {
      const after = (await server.fixtures.inviteRow(invite.code))!;
      const revoked = after.revoked_at !== null;
      const shouldBeRevoked = route.effect === "revoke" && succeeded;
      if (revoked !== shouldBeRevoked) problems.push(shouldBeRevoked ? "the invite is not revoked" : "the invite was revoked");
      if (after.uses !== (joined || approved ? 1 : 0)) problems.push(`the invite has ${after.uses} uses`);
      const edited = route.effect === "update" && succeeded;
      if (after.max_uses !== (edited ? 7 : null)) problems.push(edited ? "the invite was not edited" : "the invite was edited");
    }
    const settings = await db().selectFrom("chats").select(["join_approval", "invites_paused_until"]).where("id", "=", chat.id).executeTakeFirstOrThrow();
    const approvalOn = route.effect === "settings" && succeeded;
    if ((settings.join_approval === 1) !== approvalOn) problems.push(approvalOn ? "join approval is not on" : "join approval changed");
    if (route.needsRequest) {
      const request = await db().selectFrom("join_requests").select("user_id").where("chat_id", "=", chat.id).where("user_id", "=", requester.id).executeTakeFirst();
      const decided = (route.effect === "approve" || route.effect === "decline") && succeeded;
      if ((request === undefined) !== decided) problems.push(decided ? "the request is still pending" : "the request is gone");
      const requesterMember = await db().selectFrom("chat_members").select("user_id").where("chat_id", "=", chat.id).where("user_id", "=", requester.id).executeTakeFirst();
      if ((requesterMember !== undefined) !== approved) problems.push(approved ? "the requester is not a member" : "the requester became a member");
      await db().deleteFrom("join_requests").where("chat_id", "=", chat.id).where("user_id", "=", requester.id).execute();
      await db().deleteFrom("chat_members").where("chat_id", "=", chat.id).where("user_id", "=", requester.id).execute();
    }
    if (settings.join_approval === 1) await db().updateTable("chats").set({ join_approval: 0 }).where("id", "=", chat.id).execute();
    const member = await db().selectFrom("chat_members").select("user_id").where("chat_id", "=", chat.id).where("user_id", "=", actor.id).executeTakeFirst();
    const shouldBeMember = c.relation === "member" || joined;
    if ((member !== undefined) !== shouldBeMember) problems.push(shouldBeMember ? "the newcomer is not a member" : "membership changed");

    // Put the world back: strangers stay strangers, and no chat fills up with invites.
    if (c.relation === "stranger" && member) {
      await db().deleteFrom("chat_members").where("chat_id", "=", chat.id).where("user_id", "=", actor.id).execute();
    }
    await db().updateTable("invites").set({ revoked_at: Date.now() }).where("chat_id", "=", chat.id).where("id", ">", before).where("revoked_at", "is", null).execute();

    return problems.length === 0 ? null : `${caseName(c)}: ${problems.join("; ")}`;
  }

  it.each([...ROUTES, ...MANAGEMENT_ROUTES].map((route) => [route.name, route] as const))("%s answers every case as the SPEC says", async (_name, route) => {
    // Rows of one chat run in turn (each puts the chat back as it found it); chats run side by side.
    const results = new Map<Case, string | null>();
    const byChat = new Map<ChatRow, Case[]>();
    for (const c of CASES) byChat.set(chatOf(c), [...(byChat.get(chatOf(c)) ?? []), c]);
    await Promise.all(
      [...byChat.values()].map(async (cases) => {
        for (const c of cases) results.set(c, await runRow(route, c));
      }),
    );
    const mismatches = CASES.map((c) => results.get(c)).filter((problem): problem is string => problem != null);
    expect(mismatches, `${mismatches.length} of ${CASES.length} cases differ from the SPEC`).toEqual([]);
  });
});
