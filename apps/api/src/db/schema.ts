import type { Generated, Insertable, Selectable, Updateable } from "kysely";

/**
 * The tables of SPEC section 1. Times are epoch milliseconds (INTEGER on SQLite, BIGINT on
 * PostgreSQL) so that comparisons with `now` are plain numeric ones on both databases.
 */
export interface UsersTable {
  id: Generated<number>;
  username: string;
  avatar_url: string | null;
  permission_level: number;
  state: number;
  timeout_until: number | null;
  created_at: number;
}

export interface SessionsTable {
  /** sha256 of the cookie token, hex; the token itself is never stored. */
  token_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
}

export interface LoginCodesTable {
  code_hash: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface ChatsTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  owner_id: number | null;
  visibility: "private" | "public" | "official";
  slug: string | null;
  archived: number;
  created_at: number;
  /** Joins and previews through the chat's invites answer 403 until then (SPEC section 10). */
  invites_paused_until: number | null;
  /** 1: a join becomes a pending request a manager approves. */
  join_approval: Generated<number>;
}

export interface ChatMembersTable {
  chat_id: number;
  user_id: number;
  joined_at: number;
  invite_code: string | null;
}

export interface ChatBansTable {
  chat_id: number;
  user_id: number;
  until: number | null;
  reason: string | null;
  created_at: number;
}

export interface InvitesTable {
  id: Generated<number>;
  code: string;
  chat_id: number;
  created_by_id: number | null;
  created_at: number;
  expires_at: number | null;
  uses: Generated<number>;
  max_uses: number | null;
  revoked_at: number | null;
  /** 1 once `invite.expired` was recorded (SPEC section 11); the expiry sweep sets it exactly once. */
  expiry_recorded: Generated<number>;
}

export interface ActivityEventsTable {
  id: Generated<number>;
  chat_id: number;
  user_id: number;
  action: "join" | "leave" | "kick" | "ban";
  method: "direct" | "vanity" | "invite" | null;
  invite_code: string | null;
  created_at: number;
}

/**
 * What a create with an `Idempotency-Key` answered, for its retries (SPEC section 9). Written in
 * the same transaction as the create, so a row exists exactly when the create's outcome is final;
 * a create that failed (5xx, 503) rolled back and left none, and its retry runs again.
 */
export interface IdempotencyKeysTable {
  user_id: number;
  idempotency_key: string;
  /** sha256 (hex) of the request's canonical form: the chat and the parsed body. */
  request_hash: string;
  /** `CREATED`, or the error code of a refusal (`CONFLICT`, `FORBIDDEN`, `NOT_FOUND`). */
  outcome: string;
  /** The answer as JSON: the invite when created, else `{"error": message}`. */
  response: string;
  created_at: number;
}

/** A pending join of a chat with join approval on (SPEC section 10). */
export interface JoinRequestsTable {
  chat_id: number;
  user_id: number;
  invite_code: string;
  created_at: number;
}

/** One live event (SPEC section 11), written in the transaction of the change it tells of. */
export interface ChatEventsTable {
  /** The event's cursor: in commit order within a chat on both databases. */
  id: Generated<number>;
  chat_id: number;
  type: string;
  /** The event's data as JSON text, as it goes on the wire. */
  data: string;
  created_at: number;
}

/** A lease for an open event stream: how many a user holds open, over every instance. */
export interface EventStreamsTable {
  id: string;
  user_id: number;
  instance_id: string;
  chat_id: number;
  opened_at: number;
  lease_until: number;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  login_codes: LoginCodesTable;
  chats: ChatsTable;
  chat_members: ChatMembersTable;
  chat_bans: ChatBansTable;
  invites: InvitesTable;
  activity_events: ActivityEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  join_requests: JoinRequestsTable;
  chat_events: ChatEventsTable;
  event_streams: EventStreamsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type ChatRow = Selectable<ChatsTable>;
export type NewChat = Insertable<ChatsTable>;
export type InviteRow = Selectable<InvitesTable>;
export type SessionRow = Selectable<SessionsTable>;
export type ChatBanRow = Selectable<ChatBansTable>;
export type IdempotencyKeyRow = Selectable<IdempotencyKeysTable>;
export type JoinRequestRow = Selectable<JoinRequestsTable>;
export type ChatEventRow = Selectable<ChatEventsTable>;
