import {
  ErrorMessage,
  toWireTimestamp,
  truncateToSecond,
  type CreateInviteInput,
  type Invite,
  type InviteList,
  type InvitePreview,
  type InviteRefInput,
  type PendingJoin,
  type RedeemResult,
  type RevokeInviteResult,
} from "@portal/contracts";
import { hasInviteQuotaRoom, isBanActive, isInviteActive, isPaused, isValidInviteExpiry } from "@portal/core";
import { insertActivityEvent } from "../db/repositories/activity.repository.js";
import { addMember, countMembers, findBan, findChatById, isChatMember } from "../db/repositories/chat.repository.js";
import { insertJoinRequest } from "../db/repositories/join-request.repository.js";
import {
  chatForNewInvite,
  consumeInviteUse,
  findInviteByCode,
  insertInviteUnlessCodeTaken,
  listActiveInvites,
  revokeInvite as revokeInviteRow,
} from "../db/repositories/invite.repository.js";
import type { ChatRow, InviteRow, UserRow } from "../db/schema.js";
import { readSteps, writeTransaction, type Steps } from "../db/steps.js";
import { assertManageableChat, requireManageableChat } from "./access.js";
import type { ServiceDeps } from "./context.js";
import { AppError, badRequest, conflict, forbidden, notFound } from "./errors.js";
import { onceSteps, parseIdempotencyKey, requestHashOf, type Answer, type KeyedRequest } from "./idempotency.js";
import { recordEvent, recordInviteJoin } from "./events.js";
import { toChatSummary, toInviteDto, toPublicUser } from "./mappers.js";

/** How often a freshly drawn code may collide before we give up (each collision is ~2^-83 likely). */
const CODE_ATTEMPTS = 5;

/**
 * Creates an invite for a chat the actor may manage. The permission check, the quota count and the
 * insert run in one write transaction (BEGIN IMMEDIATE on SQLite, the chat row locked on
 * PostgreSQL), so concurrent creates on one chat, from any number of processes, never exceed 20.
 * It is written as steps (`db/steps.ts`): on SQLite the whole transaction runs without an await.
 */
export async function createInvite(deps: ServiceDeps, actor: UserRow, input: CreateInviteInput): Promise<Invite> {
  const now = deps.now();
  const expiresAt = input.expires_at == null ? null : truncateToSecond(Date.parse(input.expires_at));
  if (!isValidInviteExpiry(expiresAt, now)) throw badRequest(ErrorMessage.expiresAtInPast);

  const row = await writeTransaction(deps.db, createInviteSteps(deps, actor, input, now, expiresAt, true));
  deps.log.debug("invite created", { chat_id: row.chat_id, user_id: actor.id, max_uses: row.max_uses, expires_at: row.expires_at });
  return toInviteDto(row);
}

/**
 * `createInvite` for a request with an `Idempotency-Key` (SPEC section 9): the first request with
 * the key creates (or is refused), and a retry of the same request by the same user within 24
 * hours gets that answer again, creating nothing, on any instance; `onReplayed` is called first so
 * the transport can say so. The key's claim, lookup and stored answer run in the create's own
 * write transaction (`idempotency.ts`). A create without the key never comes here: no extra query.
 */
export async function createInviteOnce(
  deps: ServiceDeps,
  actor: UserRow,
  input: CreateInviteInput,
  idempotencyKey: string,
  onReplayed: () => void,
): Promise<Invite> {
  const key = parseIdempotencyKey(idempotencyKey);
  const now = deps.now();
  const expiresAt = input.expires_at == null ? null : truncateToSecond(Date.parse(input.expires_at));
  const maxUses = input.max_uses ?? null;
  const request = { userId: actor.id, key, requestHash: requestHashOf("invite.create", [input.chat_id, maxUses, expiresAt]), now };
  const { answer, replayed } = await writeTransaction(deps.db, createOnceSteps(deps, actor, input, now, expiresAt, request));
  if (replayed) {
    deps.log.debug("idempotent create replayed", { chat_id: input.chat_id, user_id: actor.id });
    onReplayed();
  } else if (answer.ok) {
    deps.log.debug("invite created", { chat_id: input.chat_id, user_id: actor.id, max_uses: maxUses, expires_at: expiresAt });
  }
  if (!answer.ok) throw answer.error;
  return answer.value;
}

/**
 * The keyed create, and its `invite.created` only when this request created the invite (a replay
 * and a kept refusal record nothing): after the stored answer, since the event is the
 * transaction's last step (`recordEvent`).
 */
function* createOnceSteps(
  deps: ServiceDeps,
  actor: UserRow,
  input: CreateInviteInput,
  now: number,
  expiresAt: number | null,
  request: KeyedRequest,
): Steps<{ answer: Answer<Invite>; replayed: boolean }> {
  const outcome = yield* onceSteps(request, () => checkedCreateInviteSteps(deps, actor, input, now, expiresAt));
  if (!outcome.replayed && outcome.answer.ok) yield* recordEvent(outcome.answer.value.chat_id, "invite.created", outcome.answer.value, now);
  return outcome;
}

/** The expiry check (inside the transaction, after a replay had its chance: a retry's expiry may have passed) and the create. */
function* checkedCreateInviteSteps(deps: ServiceDeps, actor: UserRow, input: CreateInviteInput, now: number, expiresAt: number | null): Steps<Invite> {
  if (!isValidInviteExpiry(expiresAt, now)) throw badRequest(ErrorMessage.expiresAtInPast);
  return toInviteDto(yield* createInviteSteps(deps, actor, input, now, expiresAt, false));
}

// (A generator declared once, not a generator expression per call: V8 takes about 1.5 µs to
// create a generator closure, a few percent of a whole create.)
function* createInviteSteps(
  deps: ServiceDeps,
  actor: UserRow,
  input: CreateInviteInput,
  now: number,
  expiresAt: number | null,
  /** Whether to record `invite.created` here (false: the caller records it, later in the transaction). */
  record: boolean,
): Steps<InviteRow> {
  const found = yield* chatForNewInvite(input.chat_id, actor.id, now);
  const chat = assertManageableChat(actor, found.chat);
  if (chat.archived) throw conflict(ErrorMessage.chatArchived);
  if (!hasInviteQuotaRoom(found.activeInvites)) throw conflict(ErrorMessage.inviteLimitReached);
  for (let attempt = 0; attempt < CODE_ATTEMPTS; attempt++) {
    const row = yield* insertInviteUnlessCodeTaken({
      code: deps.newInviteCode(),
      chat_id: chat.id,
      created_by_id: actor.id,
      created_at: now,
      expires_at: expiresAt,
      max_uses: input.max_uses ?? null,
    });
    if (row) {
      if (record) yield* recordEvent(chat.id, "invite.created", toInviteDto(row), now);
      return row;
    }
    deps.log.warn("invite code collision, drawing another", { chat_id: chat.id, attempt });
  }
  throw new Error(`no free invite code after ${CODE_ATTEMPTS} attempts`);
}

/** The chat's active invites, newest first. */
export function listInvites(deps: ServiceDeps, actor: UserRow, chatId: number): Promise<InviteList> {
  return readSteps(deps.db, listInvitesSteps(actor, chatId, deps.now()));
}

function* listInvitesSteps(actor: UserRow, chatId: number, now: number): Steps<InviteList> {
  const chat = yield* requireManageableChat(actor, chatId);
  const rows = yield* listActiveInvites(chat.id, now);
  return { invites: rows.map(toInviteDto) };
}

export async function revokeInvite(deps: ServiceDeps, actor: UserRow, input: InviteRefInput): Promise<RevokeInviteResult> {
  const chatId = await writeTransaction(deps.db, revokeSteps(actor, input, deps.now()));
  deps.log.debug("invite revoked", { chat_id: chatId, user_id: actor.id });
  return { message: `Invite '${input.code}' revoked` };
}

/** Revokes the invite and records `invite.revoked`; the chat's id. */
function* revokeSteps(actor: UserRow, input: InviteRefInput, now: number): Steps<number> {
  const chat = yield* requireManageableChat(actor, input.chat_id);
  if (!(yield* revokeInviteRow(chat.id, input.code, now))) throw notFound(ErrorMessage.inviteNotFound);
  yield* recordEvent(chat.id, "invite.revoked", { code: input.code }, now);
  return chat.id;
}

interface LiveInvite {
  invite: InviteRow;
  chat: ChatRow;
}

/**
 * The invite and its chat when the invite can be used now. Unknown, revoked, expired and used-up
 * codes, and invites of archived chats, all answer the same 404, so a guesser learns nothing.
 */
function* findLiveInviteSteps(code: string, now: number): Steps<LiveInvite> {
  const invite = yield* findInviteByCode(code);
  if (!invite || !isInviteActive(toInviteFacts(invite), now)) throw notFound(ErrorMessage.inviteNotFound);
  const chat = yield* findChatById(invite.chat_id);
  if (!chat || chat.archived) throw notFound(ErrorMessage.inviteNotFound);
  // A holder of a valid code learns that the chat's invites are paused (SPEC section 10).
  if (isPaused({ pausedUntil: chat.invites_paused_until }, now)) throw forbidden(ErrorMessage.invitesPaused);
  return { invite, chat };
}

function toInviteFacts(invite: InviteRow) {
  return { revokedAt: invite.revoked_at, expiresAt: invite.expires_at, uses: invite.uses, maxUses: invite.max_uses };
}

function* assertNotBannedSteps(chatId: number, userId: number, now: number): Steps<void> {
  const ban = yield* findBan(chatId, userId);
  if (ban && isBanActive({ until: ban.until }, now)) throw forbidden();
}


/**
 * What a join page shows before the person decides: where the code leads. Signed out too
 * (`actor` null, SPEC section 10): then nobody is a member and there is no ban to check.
 */
export function previewInvite(deps: ServiceDeps, actor: UserRow | null, code: string): Promise<InvitePreview> {
  return readSteps(deps.db, previewSteps(code, actor?.id ?? null, deps.now()));
}

function* previewSteps(code: string, userId: number | null, now: number): Steps<InvitePreview> {
  const { invite, chat } = yield* findLiveInviteSteps(code, now);
  if (userId !== null) yield* assertNotBannedSteps(chat.id, userId, now);
  return {
    chat: {
      id: chat.id,
      name: chat.name,
      description: chat.description,
      visibility: chat.visibility,
      member_count: yield* countMembers(chat.id),
    },
    expires_at: invite.expires_at === null ? null : toWireTimestamp(invite.expires_at),
    uses: invite.uses,
    max_uses: invite.max_uses,
    already_member: userId !== null && (chat.owner_id === userId || (yield* isChatMember(chat.id, userId))),
    join_approval: chat.join_approval === 1,
  };
}

/** Raised inside the join transaction to undo the membership row when the use could not be counted. */
class InviteExhausted extends AppError {
  constructor() {
    super("NOT_FOUND", ErrorMessage.inviteNotFound);
  }
}

/**
 * Joins the chat an invite leads to. One transaction: the membership row (unique per chat and
 * user) is written first, then the use is counted by a single conditional update that only
 * succeeds while the invite is still active, then the `join` activity is recorded, and last the
 * live events: `member.joined` with the invite's uses after this join, and `invite.used_up` when
 * it took the last use. If the use cannot be counted, the whole transaction rolls back,
 * membership included, and no event is left.
 */
export async function redeemInvite(deps: ServiceDeps, actor: UserRow, code: string): Promise<RedeemResult | PendingJoin> {
  const { chat, joined, pending } = await writeTransaction(deps.db, redeemSteps(code, actor, deps.now()));
  if (joined) deps.log.debug("chat joined", { chat_id: chat.id, user_id: actor.id });
  if (pending) {
    deps.log.debug("join requested", { chat_id: chat.id, user_id: actor.id });
    return { chat: toChatSummary(chat), already_member: false, pending: true };
  }
  return { chat: toChatSummary(chat), already_member: !joined };
}

/** Whether a join's result is a pending request (REST answers it 202). */
export function isPendingJoin(result: RedeemResult | PendingJoin): result is PendingJoin {
  return "pending" in result && result.pending;
}

function* redeemSteps(code: string, actor: UserRow, now: number): Steps<{ chat: ChatRow; joined: boolean; pending?: boolean }> {
  const userId = actor.id;
  const { invite, chat } = yield* findLiveInviteSteps(code, now);
  yield* assertNotBannedSteps(chat.id, userId, now);
  if (chat.owner_id === userId) return { chat, joined: false };
  if (chat.join_approval === 1) {
    // With join approval on, a newcomer's join is a pending request; its use is counted at approval.
    if (yield* isChatMember(chat.id, userId)) return { chat, joined: false };
    // Asking again records nothing new (SPEC section 10), and so tells of nothing.
    if (yield* insertJoinRequest({ chat_id: chat.id, user_id: userId, invite_code: invite.code, created_at: now })) {
      yield* recordEvent(chat.id, "join_request.created", { user: toPublicUser(actor), invite_code: invite.code, created_at: toWireTimestamp(now) }, now);
    }
    return { chat, joined: false, pending: true };
  }
  if (!(yield* addMember({ chat_id: chat.id, user_id: userId, joined_at: now, invite_code: invite.code }))) {
    return { chat, joined: false };
  }
  const used = yield* consumeInviteUse(invite.code, now);
  if (!used) throw new InviteExhausted();
  yield* insertActivityEvent({ chat_id: chat.id, user_id: userId, action: "join", method: "invite", invite_code: invite.code, created_at: now });
  yield* recordInviteJoin(chat.id, actor, used, now);
  return { chat, joined: true };
}
