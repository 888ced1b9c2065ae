/**
 * Rules of invite management (SPEC section 10): editing an invite, pausing a chat's invites.
 * Times are epoch milliseconds; `now` is always an argument.
 */
import { hasInviteQuotaRoom, isInviteActive, type InviteFacts } from "./invite.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A chat's invites can be paused at most this far ahead. */
export const MAX_INVITE_PAUSE_MS = 30 * DAY_MS;

export interface InviteSettingsFacts {
  /** Epoch milliseconds, or null when not paused. */
  pausedUntil: number | null;
}

/** Invites are paused while `paused_until` lies after `now` (a pause ending exactly now is over). */
export function isPaused(settings: InviteSettingsFacts, now: number): boolean {
  return settings.pausedUntil !== null && settings.pausedUntil > now;
}

export type PauseProblem = "in the past" | "too far ahead";

/** What is wrong with a requested pause end, or null: it must lie after `now` and at most 30 days ahead. */
export function pauseProblem(pausedUntil: number | null, now: number): PauseProblem | null {
  if (pausedUntil === null) return null;
  if (pausedUntil <= now) return "in the past";
  if (pausedUntil > now + MAX_INVITE_PAUSE_MS) return "too far ahead";
  return null;
}

/** An edit: only the keys present change; null means unlimited / never. */
export interface InviteEdit {
  maxUses?: number | null;
  expiresAt?: number | null;
}

/** The invite as it would be after the edit. */
export function applyInviteEdit(invite: InviteFacts, edit: InviteEdit): InviteFacts {
  return {
    ...invite,
    maxUses: edit.maxUses === undefined ? invite.maxUses : edit.maxUses,
    expiresAt: edit.expiresAt === undefined ? invite.expiresAt : edit.expiresAt,
  };
}

/** `max_uses` may never go below the uses already counted. */
export function isMaxUsesAllowed(maxUses: number | null, uses: number): boolean {
  return maxUses === null || maxUses >= uses;
}

/**
 * Whether the edit makes an invite that is not active now (used up or expired) active again: such
 * an edit counts against the chat's quota like a new invite.
 */
export function editRevivesInvite(before: InviteFacts, after: InviteFacts, now: number): boolean {
  return !isInviteActive(before, now) && isInviteActive(after, now);
}

export type InviteEditOutcome = "ok" | "max uses below uses" | "quota reached";

/**
 * Whether an edit may apply to an invite of a chat with `activeInvites` active ones (the invite
 * itself included when it is active).
 */
export function inviteEditOutcome(before: InviteFacts, edit: InviteEdit, activeInvites: number, now: number): InviteEditOutcome {
  const after = applyInviteEdit(before, edit);
  if (!isMaxUsesAllowed(after.maxUses, before.uses)) return "max uses below uses";
  if (editRevivesInvite(before, after, now) && !hasInviteQuotaRoom(activeInvites)) return "quota reached";
  return "ok";
}
