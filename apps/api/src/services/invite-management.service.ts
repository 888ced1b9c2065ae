/**
 * Invite management beyond the documented routes (SPEC section 10): edit an invite, revoke all of
 * a chat's invites, pause them, and approve or decline join requests.
 */
import {
  ErrorMessage,
  maxUsesBelowUsesMessage,
  toWireTimestamp,
  truncateToSecond,
  type Invite,
  type InviteSettings,
  type JoinRequestPage,
  type JoinRequestRefInput,
  type JoinRequestsQuery,
  type MessageResult,
  type RevokeAllResult,
  type UpdateInviteInput,
  type UpdateInviteSettingsInput,
} from "@portal/contracts";
import { inviteEditOutcome, isBanActive, isValidInviteExpiry, pauseProblem, type InviteEdit } from "@portal/core";
import { insertActivityEvent } from "../db/repositories/activity.repository.js";
import { addMember, findBan, findChatWithAccessFacts, updateChatInviteSettings } from "../db/repositories/chat.repository.js";
import {
  chatForNewInvite,
  consumeInviteUse,
  findUnrevokedInviteOfChat,
  revokeActiveInvites,
  updateInviteLimits,
} from "../db/repositories/invite.repository.js";
import { countJoinRequests, deleteJoinRequest, findJoinRequest, listJoinRequests } from "../db/repositories/join-request.repository.js";
import type { ChatRow, InviteRow, UserRow } from "../db/schema.js";
import { readSteps, writeTransaction, type Steps } from "../db/steps.js";
import { assertManageableChat, requireManageableChat } from "./access.js";
import type { ServiceDeps } from "./context.js";
import { badRequest, conflict, forbidden, notFound } from "./errors.js";
import { recordEvent, recordInviteJoin } from "./events.js";
import { toInviteDto, toPublicUser } from "./mappers.js";

const toEpoch = (value: string | null | undefined): number | null | undefined =>
  value === undefined ? undefined : value === null ? null : truncateToSecond(Date.parse(value));

function toInviteFacts(invite: InviteRow) {
  return { revokedAt: invite.revoked_at, expiresAt: invite.expires_at, uses: invite.uses, maxUses: invite.max_uses };
}

/**
 * Edits an invite's `max_uses` and `expires_at`; only the keys given change. Written like create:
 * one write transaction (BEGIN IMMEDIATE on SQLite, the chat row locked on PostgreSQL) counts the
 * chat's active invites, so an edit that makes a used-up or expired invite usable again competes
 * for the quota of 20 with every create and edit. The bound `max_uses ≥ uses` is part of the
 * UPDATE itself, so joins landing on the invite meanwhile (they do not lock the chat) cannot break it.
 */
export async function updateInvite(deps: ServiceDeps, actor: UserRow, input: UpdateInviteInput): Promise<Invite> {
  const now = deps.now();
  const edit: InviteEdit = {};
  if (input.max_uses !== undefined) edit.maxUses = input.max_uses;
  const expiresAt = toEpoch(input.expires_at);
  if (expiresAt !== undefined) {
    if (!isValidInviteExpiry(expiresAt, now)) throw badRequest(ErrorMessage.expiresAtInPast);
    edit.expiresAt = expiresAt;
  }
  const row = await writeTransaction(deps.db, updateInviteSteps(actor, input, edit, now));
  deps.log.debug("invite updated", { chat_id: row.chat_id, user_id: actor.id, max_uses: row.max_uses, expires_at: row.expires_at });
  return toInviteDto(row);
}

function* updateInviteSteps(actor: UserRow, input: UpdateInviteInput, edit: InviteEdit, now: number): Steps<InviteRow> {
  const found = yield* chatForNewInvite(input.chat_id, actor.id, now);
  const chat = assertManageableChat(actor, found.chat);
  if (chat.archived) throw conflict(ErrorMessage.chatArchived);
  const invite = yield* findUnrevokedInviteOfChat(chat.id, input.code);
  if (!invite) throw notFound(ErrorMessage.inviteNotFound);
  const outcome = inviteEditOutcome(toInviteFacts(invite), edit, found.activeInvites, now);
  if (outcome === "max uses below uses") throw badRequest(maxUsesBelowUsesMessage(invite.uses));
  if (outcome === "quota reached") throw conflict(ErrorMessage.inviteLimitReached);
  const maxUses = edit.maxUses === undefined ? invite.max_uses : edit.maxUses;
  const expires = edit.expiresAt === undefined ? invite.expires_at : edit.expiresAt;
  const updated = yield* updateInviteLimits(chat.id, invite.code, maxUses, expires, now);
  if (updated) {
    yield* recordEvent(chat.id, "invite.updated", toInviteDto(updated), now);
    return updated;
  }
  // A join or a revoke landed between the read and the update: say which, as it is now.
  const now_ = yield* findUnrevokedInviteOfChat(chat.id, input.code);
  if (!now_) throw notFound(ErrorMessage.inviteNotFound);
  throw badRequest(maxUsesBelowUsesMessage(now_.uses));
}

/** Revokes every active invite of the chat in one transaction, with an `invite.revoked` for each. */
export async function revokeAllInvites(deps: ServiceDeps, actor: UserRow, chatId: number): Promise<RevokeAllResult> {
  const revoked = await writeTransaction(deps.db, revokeAllSteps(actor, chatId, deps.now()));
  deps.log.debug("invites revoked", { chat_id: chatId, user_id: actor.id, revoked });
  return { revoked };
}

function* revokeAllSteps(actor: UserRow, chatId: number, now: number): Steps<number> {
  const chat = yield* requireManageableChat(actor, chatId);
  const codes = yield* revokeActiveInvites(chat.id, now);
  for (const code of codes) yield* recordEvent(chat.id, "invite.revoked", { code }, now);
  return codes.length;
}

function toInviteSettings(chat: Pick<ChatRow, "invites_paused_until" | "join_approval">, now: number): InviteSettings {
  const paused = chat.invites_paused_until !== null && chat.invites_paused_until > now;
  return {
    paused_until: paused && chat.invites_paused_until !== null ? toWireTimestamp(chat.invites_paused_until) : null,
    join_approval: chat.join_approval === 1,
  };
}

/** Whether the chat's invites are paused (and until when), and whether joins need approval. */
export async function inviteSettings(deps: ServiceDeps, actor: UserRow, chatId: number): Promise<InviteSettings> {
  const now = deps.now();
  return toInviteSettings(await readSteps(deps.db, requireManageableChat(actor, chatId)), now);
}

/** Pauses or resumes the chat's invites, turns join approval on or off; only the keys given change. */
export async function updateInviteSettings(deps: ServiceDeps, actor: UserRow, input: UpdateInviteSettingsInput): Promise<InviteSettings> {
  const now = deps.now();
  const pausedUntil = toEpoch(input.paused_until);
  if (pausedUntil !== undefined) {
    const problem = pauseProblem(pausedUntil, now);
    if (problem === "in the past") throw badRequest(ErrorMessage.pausedUntilInPast);
    if (problem === "too far ahead") throw badRequest(ErrorMessage.pausedUntilTooFar);
  }
  const changes: { invites_paused_until?: number | null; join_approval?: number } = {};
  if (pausedUntil !== undefined) changes.invites_paused_until = pausedUntil;
  if (input.join_approval !== undefined) changes.join_approval = input.join_approval ? 1 : 0;
  const settings = await writeTransaction(deps.db, updateSettingsSteps(actor, input.chat_id, changes, now));
  deps.log.debug("invite settings updated", { chat_id: input.chat_id, user_id: actor.id, ...changes });
  return settings;
}

function* updateSettingsSteps(
  actor: UserRow,
  chatId: number,
  changes: { invites_paused_until?: number | null; join_approval?: number },
  now: number,
): Steps<InviteSettings> {
  const chat = yield* requireManageableChat(actor, chatId);
  const updated = yield* updateChatInviteSettings(chat.id, changes);
  if (!updated) throw notFound(ErrorMessage.chatNotFound);
  const settings = toInviteSettings(updated, now);
  yield* recordEvent(chat.id, "invite_settings.updated", settings, now);
  return settings;
}

/** The chat's pending join requests, oldest first. */
export function joinRequests(deps: ServiceDeps, actor: UserRow, input: JoinRequestsQuery): Promise<JoinRequestPage> {
  return readSteps(deps.db, joinRequestsSteps(actor, input));
}

function* joinRequestsSteps(actor: UserRow, input: JoinRequestsQuery): Steps<JoinRequestPage> {
  const { chat_id, offset, limit } = input;
  const chat = yield* requireManageableChat(actor, chat_id);
  const rows = yield* listJoinRequests(chat.id, offset, limit);
  const total = yield* countJoinRequests(chat.id);
  return {
    requests: rows.map((row) => ({
      user: toPublicUser({ id: row.user_id, username: row.username, avatar_url: row.avatar_url }),
      invite_code: row.invite_code,
      created_at: toWireTimestamp(row.created_at),
    })),
    total,
    offset,
    limit,
  };
}

/**
 * Approves a pending request: the join happens now, in one write transaction, as a join does:
 * the membership row, one use of the invite by the same single conditional update, the `join`
 * activity, and last `member.joined` (and `invite.used_up` when it took the last use). When the
 * invite can no longer be used, the transaction rolls back and the request stays.
 */
export async function approveJoinRequest(deps: ServiceDeps, actor: UserRow, input: JoinRequestRefInput): Promise<MessageResult> {
  const joined = await writeTransaction(deps.db, approveSteps(actor, input, deps.now()));
  if (joined) deps.log.debug("join request approved", { chat_id: input.chat_id, user_id: input.user_id, by: actor.id });
  return { message: "Join request approved" };
}

function* approveSteps(actor: UserRow, input: JoinRequestRefInput, now: number): Steps<boolean> {
  const chat = assertManageableChat(actor, yield* findChatWithAccessFacts(input.chat_id, actor.id, { lock: true }));
  const request = yield* findJoinRequest(chat.id, input.user_id);
  if (!request) throw notFound(ErrorMessage.joinRequestNotFound);
  if (chat.archived) throw conflict(ErrorMessage.chatArchived);
  // Banned since asking: the ban wins, the request stays for the manager to decline.
  const ban = yield* findBan(chat.id, request.user_id);
  if (ban && isBanActive({ until: ban.until }, now)) throw forbidden();
  const added = chat.owner_id !== request.user_id && (yield* addMember({ chat_id: chat.id, user_id: request.user_id, joined_at: now, invite_code: request.invite_code }));
  const used = added ? yield* consumeInviteUse(request.invite_code, now) : undefined;
  if (added && !used) throw conflict(ErrorMessage.inviteNoLongerUsable);
  if (added) {
    yield* insertActivityEvent({
      chat_id: chat.id,
      user_id: request.user_id,
      action: "join",
      method: "invite",
      invite_code: request.invite_code,
      created_at: now,
    });
  }
  yield* deleteJoinRequest(chat.id, request.user_id);
  // The events last: on PostgreSQL recording takes the chat's event lock, and nothing may lock after it.
  if (used) yield* recordInviteJoin(chat.id, { id: request.user_id, username: request.username, avatar_url: request.avatar_url }, used, now);
  return added;
}

/** Declines a pending request: it is deleted; the person may ask again. */
export async function declineJoinRequest(deps: ServiceDeps, actor: UserRow, input: JoinRequestRefInput): Promise<MessageResult> {
  await writeTransaction(deps.db, declineSteps(actor, input, deps.now()));
  deps.log.debug("join request declined", { chat_id: input.chat_id, user_id: input.user_id, by: actor.id });
  return { message: "Join request declined" };
}

function* declineSteps(actor: UserRow, input: JoinRequestRefInput, now: number): Steps<void> {
  const chat = yield* requireManageableChat(actor, input.chat_id);
  if (!(yield* deleteJoinRequest(chat.id, input.user_id))) throw notFound(ErrorMessage.joinRequestNotFound);
  yield* recordEvent(chat.id, "join_request.declined", { user_id: input.user_id }, now);
}
