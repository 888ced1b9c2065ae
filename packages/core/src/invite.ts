/** The state of an invite and the quota of a chat (SPEC section 2). Times are epoch milliseconds. */

export const MAX_ACTIVE_INVITES_PER_CHAT = 20;
export const INVITE_CODE_LENGTH = 16;
export const INVITE_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

export interface InviteFacts {
  revokedAt: number | null;
  expiresAt: number | null;
  uses: number;
  maxUses: number | null;
}

/** Not revoked, not expired (expiry exactly at `now` is expired), and not used up. */
export function isInviteActive(invite: InviteFacts, now: number): boolean {
  return (
    invite.revokedAt === null &&
    (invite.expiresAt === null || invite.expiresAt > now) &&
    (invite.maxUses === null || invite.uses < invite.maxUses)
  );
}

/** Every use taken: a join that takes the last one is told as `invite.used_up` (SPEC section 11). */
export function isInviteUsedUp(invite: Pick<InviteFacts, "uses" | "maxUses">): boolean {
  return invite.maxUses !== null && invite.uses >= invite.maxUses;
}

/** Whether one more invite fits in a chat that has `activeCount` active ones. */
export function hasInviteQuotaRoom(activeCount: number): boolean {
  return activeCount < MAX_ACTIVE_INVITES_PER_CHAT;
}

/** A requested expiry must lie after `now`; null means never. */
export function isValidInviteExpiry(expiresAt: number | null, now: number): boolean {
  return expiresAt === null || expiresAt > now;
}

/**
 * Maps uniformly distributed random bytes onto `alphabet` without modulo bias: bytes at or above
 * the largest multiple of the alphabet's size are dropped. Returns null when the bytes ran out
 * before the code was complete (the caller draws more).
 */
export function codeFromRandomBytes(bytes: Uint8Array, alphabet: string, length: number): string | null {
  const limit = 256 - (256 % alphabet.length);
  let code = "";
  for (const byte of bytes) {
    if (byte >= limit) continue;
    code += alphabet[byte % alphabet.length];
    if (code.length === length) return code;
  }
  return null;
}

/** An invite code: 16 characters of a-z0-9 (about 83 bits). */
export function inviteCodeFromRandomBytes(bytes: Uint8Array, length = INVITE_CODE_LENGTH): string | null {
  return codeFromRandomBytes(bytes, INVITE_CODE_ALPHABET, length);
}
