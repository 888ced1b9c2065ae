import { PermissionLevel } from "./permissions.js";

export const UserState = { Active: 0, Timeout: 1, Banned: 2 } as const;
export type UserState = (typeof UserState)[keyof typeof UserState];
export const USER_STATE_NAMES = ["active", "timeout", "banned"] as const;
export type UserStateName = (typeof USER_STATE_NAMES)[number];

export function userStateFromName(name: string): UserState | null {
  const index = (USER_STATE_NAMES as readonly string[]).indexOf(name);
  return index === 0 || index === 1 || index === 2 ? index : null;
}

export interface AccountStanding {
  state: UserState;
  /** Epoch milliseconds; only meaningful for a timeout. */
  timeoutUntil: number | null;
}

/** Banned, or timed out until a moment still in the future. */
export function isAccountRestricted(account: AccountStanding, now: number): boolean {
  if (account.state === UserState.Banned) return true;
  if (account.state === UserState.Timeout) return account.timeoutUntil !== null && account.timeoutUntil > now;
  return false;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Sessions of Users and Mods last 30 days; Admins and Owners, whose sessions are worth more, 1 day. */
export function sessionLifetimeMs(level: PermissionLevel): number {
  return level >= PermissionLevel.Admin ? DAY_MS : 30 * DAY_MS;
}

/** A login code is good for 10 minutes and one use. */
export const LOGIN_CODE_LIFETIME_MS = 10 * 60 * 1000;
export const LOGIN_CODE_LENGTH = 8;
/** Login codes are case-sensitive: 62 symbols, 8 of them, about 47 bits for a 10-minute, single-use code. */
export const LOGIN_CODE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

export interface ChatBanFacts {
  /** Epoch milliseconds; null means permanent. */
  until: number | null;
}

/** A ban without `until` is permanent; one with `until` holds until that moment. */
export function isBanActive(ban: ChatBanFacts, now: number): boolean {
  return ban.until === null || ban.until > now;
}
