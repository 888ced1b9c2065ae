import { describe, it, expect } from "vitest";
import {
  LOGIN_CODE_LENGTH,
  LOGIN_CODE_LIFETIME_MS,
  USER_STATE_NAMES,
  UserState,
  isAccountRestricted,
  isBanActive,
  sessionLifetimeMs,
  userStateFromName,
  type AccountStanding,
} from "./account.js";
import type { PermissionLevel } from "./permissions.js";

const NOW = Date.UTC(2026, 2, 16, 12, 0, 0);
const SECOND = 1000;
const DAY = 24 * 60 * 60 * SECOND;

describe("UserState", () => {
  it("numbers the states active 0 · timeout 1 · banned 2", () => {
    expect(UserState).toEqual({ Active: 0, Timeout: 1, Banned: 2 });
    expect(USER_STATE_NAMES).toEqual(["active", "timeout", "banned"]);
  });
});

describe("userStateFromName", () => {
  it.each([
    ["active", 0],
    ["timeout", 1],
    ["banned", 2],
  ] as const)("%s → %i", (name, state) => {
    expect(userStateFromName(name)).toBe(state);
  });

  it.each([0, 1, 2] as const)("round trips state %i through its name", (state) => {
    const name = USER_STATE_NAMES[state];
    expect(name).toBeDefined();
    expect(userStateFromName(name as string)).toBe(state);
  });

  it.each(["", "Active", "BANNED", "ban", "timed_out", "suspended", " active", "0", "2", "toString", "length"])(
    "unknown name %j → null",
    (name) => {
      expect(userStateFromName(name)).toBeNull();
    },
  );
});

describe("isAccountRestricted (banned, or timeout with timeout_until in the future)", () => {
  it.each<[string, AccountStanding, boolean]>([
    ["active, no timeoutUntil", { state: UserState.Active, timeoutUntil: null }, false],
    ["active with a stale future timeoutUntil", { state: UserState.Active, timeoutUntil: NOW + DAY }, false],
    ["active with a past timeoutUntil", { state: UserState.Active, timeoutUntil: NOW - DAY }, false],
    ["banned, no timeoutUntil", { state: UserState.Banned, timeoutUntil: null }, true],
    ["banned with a future timeoutUntil", { state: UserState.Banned, timeoutUntil: NOW + DAY }, true],
    ["banned with a past timeoutUntil", { state: UserState.Banned, timeoutUntil: NOW - DAY }, true],
    ["banned with timeoutUntil exactly now", { state: UserState.Banned, timeoutUntil: NOW }, true],
    ["timeout until one day from now", { state: UserState.Timeout, timeoutUntil: NOW + DAY }, true],
    ["timeout until 1 ms from now", { state: UserState.Timeout, timeoutUntil: NOW + 1 }, true],
    ["timeout until exactly now (until > now is required)", { state: UserState.Timeout, timeoutUntil: NOW }, false],
    ["timeout until 1 ms ago", { state: UserState.Timeout, timeoutUntil: NOW - 1 }, false],
    ["timeout until one day ago", { state: UserState.Timeout, timeoutUntil: NOW - DAY }, false],
    ["timeout with timeoutUntil null", { state: UserState.Timeout, timeoutUntil: null }, false],
  ])("%s → %s", (_name, account, expected) => {
    expect(isAccountRestricted(account, NOW)).toBe(expected);
  });

  it("takes the time as an argument: a timeout lifts exactly when now reaches timeoutUntil", () => {
    const account: AccountStanding = { state: UserState.Timeout, timeoutUntil: NOW };
    expect(isAccountRestricted(account, NOW - 1)).toBe(true);
    expect(isAccountRestricted(account, NOW)).toBe(false);
    expect(isAccountRestricted(account, NOW + 1)).toBe(false);
  });

  it("a ban never lifts with time", () => {
    const account: AccountStanding = { state: UserState.Banned, timeoutUntil: null };
    for (const now of [0, NOW, NOW + 100 * 365 * DAY]) {
      expect(isAccountRestricted(account, now)).toBe(true);
    }
  });
});

describe("sessionLifetimeMs", () => {
  it.each<[PermissionLevel, string, number]>([
    [0, "User", 30 * DAY],
    [1, "Mod", 30 * DAY],
    [2, "Admin", DAY],
    [3, "Owner", DAY],
  ])("level %i (%s) → %i ms", (level, _label, expected) => {
    expect(sessionLifetimeMs(level)).toBe(expected);
  });

  it("is 30 days = 2 592 000 000 ms for Users and Mods and 1 day = 86 400 000 ms for Admins and Owners", () => {
    expect(sessionLifetimeMs(0)).toBe(2_592_000_000);
    expect(sessionLifetimeMs(1)).toBe(2_592_000_000);
    expect(sessionLifetimeMs(2)).toBe(86_400_000);
    expect(sessionLifetimeMs(3)).toBe(86_400_000);
  });
});

describe("login codes", () => {
  it("are 8 characters and last 10 minutes", () => {
    expect(LOGIN_CODE_LENGTH).toBe(8);
    expect(LOGIN_CODE_LIFETIME_MS).toBe(10 * 60 * 1000);
  });
});

describe("isBanActive (until null = permanent; otherwise until > now)", () => {
  it.each<[string, number | null, boolean]>([
    ["until null (permanent)", null, true],
    ["until one day from now", NOW + DAY, true],
    ["until 1 ms from now", NOW + 1, true],
    ["until exactly now", NOW, false],
    ["until 1 ms ago", NOW - 1, false],
    ["until one day ago", NOW - DAY, false],
    ["until the epoch", 0, false],
  ])("%s → %s", (_name, until, expected) => {
    expect(isBanActive({ until }, NOW)).toBe(expected);
  });

  it("a permanent ban is active at any time", () => {
    for (const now of [0, NOW, Number.MAX_SAFE_INTEGER]) {
      expect(isBanActive({ until: null }, now)).toBe(true);
    }
  });
});
