import type { ActivityPage, ActivityQuery, ChatPeople, ManageableChat, MyChats, UserMe } from "@portal/contracts";
import { toWireTimestamp } from "@portal/contracts";
import { canManageChat } from "@portal/core";
import { countActivity, listActivity } from "../db/repositories/activity.repository.js";
import { countMembersByChat, listChatsOfUser, listManagementCandidates } from "../db/repositories/chat.repository.js";
import { countActiveInvitesByChat, listActiveInvites } from "../db/repositories/invite.repository.js";
import { listUsersByIds } from "../db/repositories/user.repository.js";
import type { UserRow } from "../db/schema.js";
import { readSteps, type Steps } from "../db/steps.js";
import { accessFactsOf, actorOf, requireManageableChat } from "./access.js";
import type { ServiceDeps } from "./context.js";
import { toChatSummary, toPublicUser, toUserMe } from "./mappers.js";

export function me(user: UserRow): UserMe {
  return toUserMe(user);
}

/** Chats the user owns or joined, newest first. */
export async function myChats(deps: ServiceDeps, user: UserRow): Promise<MyChats> {
  return (await readSteps(deps.db, listChatsOfUser(user.id))).map(toChatSummary);
}

/** Every chat the user may manage, with member and active-invite counts. */
export function manageableChats(deps: ServiceDeps, user: UserRow): Promise<ManageableChat[]> {
  return readSteps(deps.db, manageableChatsSteps(user, deps.now()));
}

function* manageableChatsSteps(user: UserRow, now: number): Steps<ManageableChat[]> {
  const actor = actorOf(user);
  const chats = (yield* listManagementCandidates(user.id)).filter((chat) => canManageChat(actor, accessFactsOf(chat)));
  const ids = chats.map((c) => c.id);
  const members = yield* countMembersByChat(ids);
  const invites = yield* countActiveInvitesByChat(ids, now);
  return chats.map((chat) => ({
    id: chat.id,
    name: chat.name,
    description: chat.description,
    visibility: chat.visibility,
    is_public: chat.visibility !== "private",
    archived: chat.archived === 1,
    owner:
      chat.owner_id === null || chat.owner_username === null
        ? null
        : toPublicUser({ id: chat.owner_id, username: chat.owner_username, avatar_url: chat.owner_avatar_url }),
    member_count: members.get(chat.id) ?? 0,
    active_invites: invites.get(chat.id) ?? 0,
    created_at: toWireTimestamp(chat.created_at),
  }));
}

/** Who joined, left, was kicked or banned, newest first. */
export function chatActivity(deps: ServiceDeps, user: UserRow, input: ActivityQuery): Promise<ActivityPage> {
  return readSteps(deps.db, chatActivitySteps(user, input));
}

function* chatActivitySteps(user: UserRow, input: ActivityQuery): Steps<ActivityPage> {
  const { chat_id, offset, limit, invite_code } = input;
  const chat = yield* requireManageableChat(user, chat_id);
  const rows = yield* listActivity(chat.id, offset, limit, invite_code);
  const total = yield* countActivity(chat.id, invite_code);
  return {
    events: rows.map((row) => ({
      user: toPublicUser({ id: row.user_id, username: row.username, avatar_url: row.avatar_url }),
      action: row.action,
      method: row.method,
      invite_code: row.invite_code,
      created_at: toWireTimestamp(row.created_at),
    })),
    total,
    offset,
    limit,
  };
}

/**
 * The people a chat's invites page names: the creators of its active invites, by id. Checked as
 * `invite.list` is (the actor may manage the chat), so it names no one the list does not show.
 */
export function chatPeople(deps: ServiceDeps, user: UserRow, chatId: number): Promise<ChatPeople> {
  return readSteps(deps.db, chatPeopleSteps(user, chatId, deps.now()));
}

function* chatPeopleSteps(user: UserRow, chatId: number, now: number): Steps<ChatPeople> {
  const chat = yield* requireManageableChat(user, chatId);
  const invites = yield* listActiveInvites(chat.id, now);
  const ids = [...new Set(invites.map((invite) => invite.created_by_id).filter((id): id is number => id !== null))];
  const users = yield* listUsersByIds(ids);
  return { users: users.map(toPublicUser) };
}
