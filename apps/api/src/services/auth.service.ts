import { ErrorMessage, toWireTimestamp, type AccountRestriction, type MessageResult, type UserMe } from "@portal/contracts";
import { isAccountRestricted, LOGIN_CODE_LIFETIME_MS, sessionLifetimeMs, UserState } from "@portal/core";
import {
  consumeLoginCode,
  deleteSession,
  findSessionUser,
  insertLoginCode,
  insertSession,
} from "../db/repositories/session.repository.js";
import { findUserById, findUserByUsername } from "../db/repositories/user.repository.js";
import type { UserRow } from "../db/schema.js";
import { readSteps, writeTransaction, type Steps } from "../db/steps.js";
import type { ServiceDeps } from "./context.js";
import { AppError, badRequest, forbidden, notFound, unauthorized } from "./errors.js";
import { levelOf, stateOf, toUserMe } from "./mappers.js";
import { sha256Hex } from "./secrets.js";

export interface IssuedSession {
  token: string;
  userId: number;
  /** Epoch milliseconds. */
  expiresAt: number;
  /** How long the session lasts, for the cookie's Max-Age. */
  lifetimeMs: number;
}

function assertNotRestricted(user: UserRow, now: number): void {
  if (isAccountRestricted({ state: stateOf(user), timeoutUntil: user.timeout_until }, now)) {
    throw forbidden(ErrorMessage.accountRestricted);
  }
}

/**
 * The signed-in user behind a session cookie. 401 without a cookie or with an unknown or expired
 * session (no detail which), 403 for a banned or timed-out account.
 */
export async function authenticate(deps: ServiceDeps, token: string | undefined): Promise<UserRow> {
  if (!token) throw unauthorized();
  const now = deps.now();
  const user = await readSteps(deps.db, findSessionUser(sha256Hex(token), now));
  if (!user) throw unauthorized();
  assertNotRestricted(user, now);
  return user;
}

/**
 * The user behind a session cookie, or null when there is no live session: for a client that asks
 * "who is signed in?" and takes "nobody" as an answer. A restricted account is still a 403.
 */
export async function currentUser(deps: ServiceDeps, token: string | undefined): Promise<UserMe | null> {
  try {
    return toUserMe(await authenticate(deps, token));
  } catch (error) {
    if (error instanceof AppError && error.code === "UNAUTHORIZED") return null;
    throw error;
  }
}

/**
 * Why the session's account is restricted, so a person in a timeout learns when it ends: null
 * without a live session or for an account that is not restricted.
 */
export async function accountRestriction(deps: ServiceDeps, token: string | undefined): Promise<AccountRestriction> {
  if (!token) return null;
  const now = deps.now();
  const user = await readSteps(deps.db, findSessionUser(sha256Hex(token), now));
  if (!user) return null;
  const state = stateOf(user);
  if (!isAccountRestricted({ state, timeoutUntil: user.timeout_until }, now)) return null;
  if (state === UserState.Banned) return { state: "banned", until: null };
  return { state: "timeout", until: user.timeout_until === null ? null : toWireTimestamp(user.timeout_until) };
}

/**
 * Ends the cookie's session whatever its account's standing: a banned or timed-out person can
 * still sign out (`auth.logout`, like every authenticated route, answers them 403). Answers
 * whether there was a session to end.
 */
export async function endAnySession(deps: ServiceDeps, token: string | undefined): Promise<boolean> {
  if (!token) return false;
  await logout(deps, token);
  return true;
}

/**
 * The signed-in user of a lookup (`authenticate`), or null for a caller without a live session:
 * for the routes a signed-out person may call too (the invite preview). A restricted account is
 * still a 403.
 */
export async function optionalUser(lookup: Promise<UserRow>): Promise<UserRow | null> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof AppError && error.code === "UNAUTHORIZED") return null;
    throw error;
  }
}

/** Starts a session: a new random token whose hash alone is stored; lifetime by permission level. */
export async function startSession(deps: ServiceDeps, user: UserRow): Promise<IssuedSession> {
  const now = deps.now();
  const token = deps.newSessionToken();
  const lifetimeMs = sessionLifetimeMs(levelOf(user));
  const expiresAt = now + lifetimeMs;
  await writeTransaction(deps.db, insertSession({ token_hash: sha256Hex(token), user_id: user.id, created_at: now, expires_at: expiresAt }));
  return { token, userId: user.id, expiresAt, lifetimeMs };
}

/**
 * Signs out: the session behind `token` ends. The adapters call it once the caller is signed in
 * (so a token is there), clear the cookie and answer with what it returns.
 */
export async function logout(deps: ServiceDeps, token: string): Promise<MessageResult> {
  const tokenHash = sha256Hex(token);
  await writeTransaction(deps.db, deleteSession(tokenHash));
  // The session's event streams on this instance end now; those on others at their next access check.
  deps.live?.streams.sessionEnded(tokenHash);
  return { message: "Logged out" };
}

/** Mints a single-use login code, valid for 10 minutes; only its hash is stored. */
export async function issueLoginCode(deps: ServiceDeps, user: UserRow): Promise<{ code: string; expiresAt: number }> {
  const now = deps.now();
  const code = deps.newLoginCode();
  const expiresAt = now + LOGIN_CODE_LIFETIME_MS;
  await writeTransaction(deps.db, insertLoginCode({ code_hash: sha256Hex(code), user_id: user.id, created_at: now, expires_at: expiresAt }));
  return { code, expiresAt };
}

/** Signs in with a login code: wrong, expired and used codes all get the same 400. */
export async function verifyLoginCode(deps: ServiceDeps, code: string): Promise<{ user: UserMe; session: IssuedSession }> {
  const now = deps.now();
  const user = await writeTransaction(deps.db, consumeLoginCodeSteps(sha256Hex(code), now));
  if (!user) throw badRequest(ErrorMessage.invalidLoginCode);
  assertNotRestricted(user, now);
  const session = await startSession(deps, user);
  deps.log.debug("signed in", { user_id: user.id, method: "login_code" });
  return { user: toUserMe(user), session };
}

/** Uses the code up and returns its user: the same 400 for a wrong, expired or used code. */
function* consumeLoginCodeSteps(codeHash: string, now: number): Steps<UserRow | undefined> {
  const userId = yield* consumeLoginCode(codeHash, now);
  if (userId === undefined) throw badRequest(ErrorMessage.invalidLoginCode);
  return yield* findUserById(userId);
}

/** One-click sign-in for the demo: only reachable when demo mode is on. */
export async function demoLogin(
  deps: ServiceDeps,
  demoEnabled: boolean,
  username: string,
): Promise<{ user: UserMe; session: IssuedSession }> {
  if (!demoEnabled) throw notFound();
  const user = await readSteps(deps.db, findUserByUsername(username));
  if (!user) throw new AppError("NOT_FOUND", `No demo account named '${username}'`);
  assertNotRestricted(user, deps.now());
  const session = await startSession(deps, user);
  deps.log.debug("signed in", { user_id: user.id, method: "demo" });
  return { user: toUserMe(user), session };
}
