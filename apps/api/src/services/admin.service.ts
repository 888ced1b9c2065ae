import {
  timestampInputSchema,
  toWireTimestamp,
  truncateToSecond,
  usernameSchema,
  visibilitySchema,
  type Visibility,
} from "@portal/contracts";
import {
  isAccountRestricted,
  PERMISSION_LEVEL_NAMES,
  PermissionLevel,
  permissionLevelFromName,
  USER_STATE_NAMES,
  UserState,
  userStateFromName,
} from "@portal/core";
import { isUniqueViolation } from "../db/database.js";
import { insertActivityEvent } from "../db/repositories/activity.repository.js";
import { deleteBan, findChatById, insertChat, removeMember, setChatArchived, upsertBan } from "../db/repositories/chat.repository.js";
import { deleteSessionsOfUser } from "../db/repositories/session.repository.js";
import {
  deleteUser as deleteUserRow,
  findUserById,
  findUserByUsername,
  insertUser,
  updateUser,
} from "../db/repositories/user.repository.js";
import type { ChatBanRow, ChatRow, NewChat, UserRow } from "../db/schema.js";
import { readSteps, writeTransaction, type Steps } from "../db/steps.js";
import { issueLoginCode, startSession } from "./auth.service.js";
import type { ServiceDeps } from "./context.js";
import { badRequest, conflict, notFound } from "./errors.js";
import { DEFAULT_PURGE_LIMITS, purgeDeadInvites, purgeIdempotencyKeys } from "./housekeeping.service.js";
import { stateOf, toUserMe } from "./mappers.js";

/*
 * The operator's use cases behind `portal-admin`. They trust the operator (no permission checks)
 * but not the operator's typing: every input is checked, and a mistake names the field and the fix.
 */

const DAY_MS = 86_400_000;
const NAME_MIN = 2;
const NAME_MAX = 64;
const DESCRIPTION_MAX = 500;
const REASON_MAX = 500;
const SLUG_PATTERN = /^[a-z0-9-]{2,64}$/;
const TIME_EXAMPLE = "2026-05-01T00:00:00Z";

export const DEFAULT_PURGE_AGE_DAYS = 30;

export interface AdminUser {
  id: number;
  username: string;
  avatar_url: string | null;
  permission_level: PermissionLevel;
  state: UserState;
  timeout_until: string | null;
  created_at: string;
}

export interface AdminChat {
  id: number;
  name: string;
  description: string | null;
  visibility: Visibility;
  owner_id: number | null;
  slug: string | null;
  archived: boolean;
  created_at: string;
}

export interface AdminBan {
  chat_id: number;
  user_id: number;
  until: string | null;
  reason: string | null;
  created_at: string;
}

export interface AdminUnban {
  chat_id: number;
  user_id: number;
  unbanned: true;
}

export interface AdminSession {
  /** The `psession` cookie value; only its hash is stored. */
  token: string;
  user_id: number;
  expires_at: string;
}

export interface AdminLoginCode {
  code: string;
  expires_at: string;
}

const wireOrNull = (epochMs: number | null): string | null => (epochMs === null ? null : toWireTimestamp(epochMs));

export function toAdminUser(row: UserRow): AdminUser {
  return { ...toUserMe(row), timeout_until: wireOrNull(row.timeout_until) };
}

export function toAdminChat(row: ChatRow): AdminChat {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    visibility: row.visibility,
    owner_id: row.owner_id,
    slug: row.slug,
    archived: row.archived === 1,
    created_at: toWireTimestamp(row.created_at),
  };
}

function toAdminBan(row: ChatBanRow): AdminBan {
  return {
    chat_id: row.chat_id,
    user_id: row.user_id,
    until: wireOrNull(row.until),
    reason: row.reason,
    created_at: toWireTimestamp(row.created_at),
  };
}

// ---- input checks -------------------------------------------------------------------------

function parseLevel(name: string): PermissionLevel {
  const level = permissionLevelFromName(name);
  if (level === null) throw badRequest(`level must be one of ${PERMISSION_LEVEL_NAMES.join(", ")} (got '${name}')`);
  return level;
}

function parseState(name: string): UserState {
  const state = userStateFromName(name);
  if (state === null) throw badRequest(`state must be one of ${USER_STATE_NAMES.join(", ")} (got '${name}')`);
  return state;
}

function parseUsername(username: string): string {
  const result = usernameSchema.safeParse(username);
  if (!result.success) throw badRequest(result.error.issues[0]?.message ?? "username is invalid");
  return result.data;
}

/** A future moment, as an ISO 8601 date-time with a UTC offset (the same rules as an invite's expiry). */
function parseFutureTime(field: string, value: string, now: number): number {
  const parsed = timestampInputSchema(field).safeParse(value);
  if (!parsed.success) throw badRequest(`${parsed.error.issues[0]?.message ?? `${field} is invalid`} (got '${value}')`);
  // Whole seconds, as the wire shows them, so printing and re-reading a time never moves it.
  const epochMs = truncateToSecond(Date.parse(value));
  if (epochMs <= now) throw badRequest(`${field} must be in the future (got '${value}')`);
  return epochMs;
}

function assertChatId(chatId: number): void {
  if (!Number.isSafeInteger(chatId) || chatId < 1) throw badRequest(`chat must be a chat id, a positive integer (got ${chatId})`);
}

function optionalText(field: string, value: string | null | undefined, max: number): string | null {
  if (value === undefined || value === null || value === "") return null;
  if (value.length > max) throw badRequest(`${field} must be at most ${max} characters (got ${value.length})`);
  return value;
}

// ---- lookups --------------------------------------------------------------------------------

/** A user by username, or by numeric id when no user has that name. */
function* findUserByRef(ref: string): Steps<UserRow> {
  if (ref.trim() === "") throw badRequest("user must be a username or a numeric user id (got an empty value)");
  const byName = yield* findUserByUsername(ref);
  if (byName) return byName;
  if (/^\d+$/.test(ref) && Number.isSafeInteger(Number(ref))) {
    const byId = yield* findUserById(Number(ref));
    if (byId) return byId;
    throw notFound(`No user named '${ref}' and no user with id ${ref}`);
  }
  throw notFound(`No user named '${ref}'`);
}

function* requireChat(chatId: number): Steps<ChatRow> {
  assertChatId(chatId);
  const chat = yield* findChatById(chatId);
  if (!chat) throw notFound(`No chat with id ${chatId}`);
  return chat;
}

// ---- users ----------------------------------------------------------------------------------

export interface CreateUserInput {
  username: string;
  /** A level name (user, mod, admin, owner); User when absent. */
  level?: string | undefined;
}

export async function createUser(deps: ServiceDeps, input: CreateUserInput): Promise<AdminUser> {
  const username = parseUsername(input.username);
  const level = input.level === undefined ? PermissionLevel.User : parseLevel(input.level);
  const taken = () => conflict(`username '${username}' is already taken: choose another`);
  const now = deps.now();
  try {
    const row = await writeTransaction(deps.db, createUserSteps(username, level, now, taken));
    deps.log.info("user created", { user_id: row.id, permission_level: level, via: "admin" });
    return toAdminUser(row);
  } catch (error) {
    // Someone else took the name between the check and the insert.
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}

function* createUserSteps(username: string, level: PermissionLevel, now: number, taken: () => Error): Steps<UserRow> {
  if (yield* findUserByUsername(username)) throw taken();
  return yield* insertUser({ username, avatar_url: null, permission_level: level, state: UserState.Active, timeout_until: null, created_at: now });
}

export interface SetUserLevelResult {
  user: AdminUser;
  /** Whether the level changed (and the user's sessions were ended). */
  changed: boolean;
}

/**
 * Changes a user's permission level. A change ends all of their sessions, so nobody keeps a
 * session that was issued for (and lives as long as) their old level.
 */
export async function setUserLevel(deps: ServiceDeps, input: { user: string; level: string }): Promise<SetUserLevelResult> {
  const level = parseLevel(input.level);
  const result = await writeTransaction(deps.db, setUserLevelSteps(input.user, level));
  if (result.changed) deps.log.info("user level changed", { user_id: result.user.id, permission_level: level, via: "admin" });
  return result;
}

function* setUserLevelSteps(ref: string, level: PermissionLevel): Steps<SetUserLevelResult> {
  const user = yield* findUserByRef(ref);
  if (user.permission_level === level) return { user: toAdminUser(user), changed: false };
  const updated = yield* updateUser(user.id, { permission_level: level });
  if (!updated) throw notFound(`No user with id ${user.id}`);
  yield* deleteSessionsOfUser(user.id);
  return { user: toAdminUser(updated), changed: true };
}

export interface SetUserStateInput {
  user: string;
  /** active, timeout or banned. */
  state: string;
  /** ISO 8601 with a UTC offset; required for a timeout and only for a timeout. */
  until?: string | undefined;
}

export async function setUserState(deps: ServiceDeps, input: SetUserStateInput): Promise<AdminUser> {
  const state = parseState(input.state);
  let timeoutUntil: number | null = null;
  if (state === UserState.Timeout) {
    if (input.until === undefined) {
      throw badRequest(`until is required for state timeout: give the end of the timeout, such as ${TIME_EXAMPLE}`);
    }
    timeoutUntil = parseFutureTime("until", input.until, deps.now());
  } else if (input.until !== undefined) {
    throw badRequest(`until only applies to state timeout: leave it out for state ${input.state}`);
  }
  const updated = await writeTransaction(deps.db, setUserStateSteps(input.user, state, timeoutUntil));
  deps.log.info("user state changed", { user_id: updated.id, state, via: "admin" });
  return toAdminUser(updated);
}

function* setUserStateSteps(ref: string, state: UserState, timeoutUntil: number | null): Steps<UserRow> {
  const user = yield* findUserByRef(ref);
  const updated = yield* updateUser(user.id, { state, timeout_until: timeoutUntil });
  if (!updated) throw notFound(`No user with id ${user.id}`);
  return updated;
}

export async function deleteUser(deps: ServiceDeps, input: { user: string }): Promise<{ deleted: number }> {
  const deleted = await writeTransaction(deps.db, deleteUserSteps(input.user));
  deps.log.info("user deleted", { user_id: deleted, via: "admin" });
  return { deleted };
}

function* deleteUserSteps(ref: string): Steps<number> {
  const user = yield* findUserByRef(ref);
  if (!(yield* deleteUserRow(user.id))) throw notFound(`No user with id ${user.id}`);
  return user.id;
}

// ---- chats ----------------------------------------------------------------------------------

export interface CreateChatInput {
  name: string;
  /** private, public or official. */
  visibility: string;
  /** A username or id; no owner when absent. */
  owner?: string | undefined;
  description?: string | undefined;
  slug?: string | undefined;
}

export async function createChat(deps: ServiceDeps, input: CreateChatInput): Promise<AdminChat> {
  const name = input.name.trim();
  if (name.length < NAME_MIN || name.length > NAME_MAX) {
    throw badRequest(`name must be ${NAME_MIN} to ${NAME_MAX} characters (got ${name.length})`);
  }
  const visibility = visibilitySchema.safeParse(input.visibility);
  if (!visibility.success) {
    throw badRequest(`visibility must be one of ${visibilitySchema.options.join(", ")} (got '${input.visibility}')`);
  }
  const description = optionalText("description", input.description, DESCRIPTION_MAX);
  const slug = input.slug === undefined ? null : input.slug;
  if (slug !== null && !SLUG_PATTERN.test(slug)) {
    throw badRequest(`slug must be 2 to 64 of a-z 0-9 - (lower case), such as team-chat (got '${slug}')`);
  }
  const chat = { name, description, visibility: visibility.data, slug, archived: 0, created_at: deps.now() };
  try {
    const row = await writeTransaction(deps.db, createChatSteps(input.owner, chat));
    deps.log.info("chat created", { chat_id: row.id, owner_id: row.owner_id, via: "admin" });
    return toAdminChat(row);
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`slug '${slug}' is already used by another chat: choose another`);
    throw error;
  }
}

function* createChatSteps(ownerRef: string | undefined, chat: Omit<NewChat, "owner_id">): Steps<ChatRow> {
  const owner = ownerRef === undefined ? null : yield* findUserByRef(ownerRef);
  return yield* insertChat({ ...chat, owner_id: owner?.id ?? null });
}

/** Archives a chat: it stays readable, but takes no new invites and no new members. */
export async function archiveChat(deps: ServiceDeps, input: { chatId: number }): Promise<AdminChat> {
  assertChatId(input.chatId);
  const row = await writeTransaction(deps.db, setChatArchived(input.chatId, true));
  if (!row) throw notFound(`No chat with id ${input.chatId}`);
  deps.log.info("chat archived", { chat_id: row.id, via: "admin" });
  return toAdminChat(row);
}

export interface BanUserInput {
  chatId: number;
  user: string;
  /** ISO 8601 with a UTC offset; a permanent ban when absent. */
  until?: string | undefined;
  reason?: string | undefined;
}

/**
 * Bans a user from a chat: in one transaction the ban is written (or replaced), the membership
 * removed and a `ban` event recorded, so the activity log never disagrees with the member list.
 */
export async function banUser(deps: ServiceDeps, input: BanUserInput): Promise<AdminBan> {
  const now = deps.now();
  const until = input.until === undefined ? null : parseFutureTime("until", input.until, now);
  const reason = optionalText("reason", input.reason, REASON_MAX);
  const ban = await writeTransaction(deps.db, banSteps(input, until, reason, now));
  deps.log.info("user banned from chat", { chat_id: ban.chat_id, user_id: ban.user_id, until, via: "admin" });
  return toAdminBan(ban);
}

function* banSteps(input: BanUserInput, until: number | null, reason: string | null, now: number): Steps<ChatBanRow> {
  const chat = yield* requireChat(input.chatId);
  const user = yield* findUserByRef(input.user);
  if (chat.owner_id === user.id) {
    throw conflict(`user '${user.username}' owns chat ${chat.id} and cannot be banned from it`);
  }
  const ban = yield* upsertBan({ chat_id: chat.id, user_id: user.id, until, reason, created_at: now });
  yield* removeMember(chat.id, user.id);
  yield* insertActivityEvent({ chat_id: chat.id, user_id: user.id, action: "ban", method: null, invite_code: null, created_at: now });
  return ban;
}

export async function unbanUser(deps: ServiceDeps, input: { chatId: number; user: string }): Promise<AdminUnban> {
  const result = await writeTransaction(deps.db, unbanSteps(input));
  deps.log.info("user unbanned from chat", { chat_id: result.chat_id, user_id: result.user_id, via: "admin" });
  return result;
}

function* unbanSteps(input: { chatId: number; user: string }): Steps<AdminUnban> {
  const chat = yield* requireChat(input.chatId);
  const user = yield* findUserByRef(input.user);
  if (!(yield* deleteBan(chat.id, user.id))) {
    throw notFound(`user '${user.username}' is not banned from chat ${chat.id}`);
  }
  return { chat_id: chat.id, user_id: user.id, unbanned: true };
}

// ---- sign-in ----------------------------------------------------------------------------------

/** A session or login code for a restricted account would only ever answer 403: say so now. */
function assertCanSignIn(user: UserRow, now: number): void {
  if (isAccountRestricted({ state: stateOf(user), timeoutUntil: user.timeout_until }, now)) {
    const standing = USER_STATE_NAMES[stateOf(user)];
    throw conflict(`user '${user.username}' is restricted (${standing}) and cannot sign in: set their state to active first`);
  }
}

/** A session for a user, as if they had signed in: the token is the `psession` cookie value. */
export async function createSessionFor(deps: ServiceDeps, input: { user: string }): Promise<AdminSession> {
  const user = await readSteps(deps.db, findUserByRef(input.user));
  assertCanSignIn(user, deps.now());
  const session = await startSession(deps, user);
  deps.log.info("session created", { user_id: user.id, via: "admin" });
  return { token: session.token, user_id: session.userId, expires_at: toWireTimestamp(session.expiresAt) };
}

/** A single-use login code the user can enter on the sign-in page. */
export async function mintLoginCode(deps: ServiceDeps, input: { user: string }): Promise<AdminLoginCode> {
  const user = await readSteps(deps.db, findUserByRef(input.user));
  assertCanSignIn(user, deps.now());
  const { code, expiresAt } = await issueLoginCode(deps, user);
  deps.log.info("login code issued", { user_id: user.id, via: "admin" });
  return { code, expires_at: toWireTimestamp(expiresAt) };
}

// ---- invites --------------------------------------------------------------------------------

/**
 * Deletes revoked, expired and used-up invites created more than `olderThanDays` days ago, and the
 * stored answers of Idempotency-Keys past their 24 hours (they are as if absent already). The
 * same purge as the housekeeping job's (housekeeping.service.ts), with the operator's cutoff: dead
 * now, created before it. In batches of short transactions, to the end.
 */
export async function purgeInvites(
  deps: ServiceDeps,
  input: { olderThanDays?: number | undefined } = {},
): Promise<{ purged: number; idempotency_keys_purged: number }> {
  const days = input.olderThanDays ?? DEFAULT_PURGE_AGE_DAYS;
  if (!Number.isSafeInteger(days) || days < 0) {
    throw badRequest(`older-than-days must be a whole number of days, 0 or more (got ${days})`);
  }
  const now = deps.now();
  // Each batch moves on past the last invite it read (or deletes a whole batch), so this ends.
  const toTheEnd = { ...DEFAULT_PURGE_LIMITS, maxBatches: Number.POSITIVE_INFINITY };
  const purged = await purgeDeadInvites(deps, { deadBy: now, createdBefore: now - days * DAY_MS }, toTheEnd);
  const keysPurged = await purgeIdempotencyKeys(deps, now, toTheEnd);
  deps.log.info("invites purged", { purged, idempotency_keys_purged: keysPurged, older_than_days: days, via: "admin" });
  return { purged, idempotency_keys_purged: keysPurged };
}
