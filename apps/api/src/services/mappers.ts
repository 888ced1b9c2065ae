import type { ChatSummary, Invite, PublicUser, UserMe } from "@portal/contracts";
import { toWireTimestamp } from "@portal/contracts";
import { isPermissionLevel, type PermissionLevel, type UserState } from "@portal/core";
import type { ChatRow, InviteRow, UserRow } from "../db/schema.js";

/** Explicit DTOs: a response never carries a whole row. */
export function toInviteDto(row: InviteRow): Invite {
  return {
    code: row.code,
    chat_id: row.chat_id,
    created_by_id: row.created_by_id,
    created_at: toWireTimestamp(row.created_at),
    expires_at: row.expires_at === null ? null : toWireTimestamp(row.expires_at),
    uses: row.uses,
    max_uses: row.max_uses,
  };
}

export function toChatSummary(row: ChatRow): ChatSummary {
  return {
    id: row.id,
    name: row.name,
    is_public: row.visibility !== "private",
    visibility: row.visibility,
    created_at: toWireTimestamp(row.created_at),
  };
}

export function levelOf(row: { permission_level: number }): PermissionLevel {
  if (!isPermissionLevel(row.permission_level)) throw new Error(`invalid permission level ${row.permission_level}`);
  return row.permission_level;
}

export function stateOf(row: { state: number }): UserState {
  if (row.state !== 0 && row.state !== 1 && row.state !== 2) throw new Error(`invalid user state ${row.state}`);
  return row.state;
}

export function toUserMe(row: UserRow): UserMe {
  return {
    id: row.id,
    username: row.username,
    avatar_url: row.avatar_url,
    permission_level: levelOf(row),
    state: stateOf(row),
    created_at: toWireTimestamp(row.created_at),
  };
}

export function toPublicUser(row: { id: number; username: string; avatar_url: string | null }): PublicUser {
  return { id: row.id, username: row.username, avatar_url: row.avatar_url };
}
