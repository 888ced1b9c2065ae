import { preparedQuery } from "../prepared.js";
import type { JoinRequestRow } from "../schema.js";
import { query as step, type Steps } from "../steps.js";

/** Records a pending join request unless the user has one for the chat already (nothing changes then). */
const insertRequest = preparedQuery((db, chatId: number, userId: number, inviteCode: string, createdAt: number) =>
  db
    .insertInto("join_requests")
    .values({ chat_id: chatId, user_id: userId, invite_code: inviteCode, created_at: createdAt })
    .onConflict((oc) => oc.columns(["chat_id", "user_id"]).doNothing())
    .returning("user_id"),
);

/** Whether a request was recorded (false: one was pending already). */
export function* insertJoinRequest(request: JoinRequestRow): Steps<boolean> {
  return (yield* step(insertRequest, request.chat_id, request.user_id, request.invite_code, request.created_at)).rows.length > 0;
}

/** A pending request, with what the approval's `member.joined` event says of its user. */
const requestOf = preparedQuery((db, chatId: number, userId: number) =>
  db
    .selectFrom("join_requests")
    .innerJoin("users", "users.id", "join_requests.user_id")
    .selectAll("join_requests")
    .select(["users.username", "users.avatar_url"])
    .where("join_requests.chat_id", "=", chatId)
    .where("join_requests.user_id", "=", userId),
);

export function* findJoinRequest(chatId: number, userId: number): Steps<JoinRequestWithUser | undefined> {
  return (yield* step(requestOf, chatId, userId)).rows[0];
}

const deleteRequest = preparedQuery((db, chatId: number, userId: number) =>
  db.deleteFrom("join_requests").where("chat_id", "=", chatId).where("user_id", "=", userId).returning("user_id"),
);

/** Deletes a pending request; false when there was none. */
export function* deleteJoinRequest(chatId: number, userId: number): Steps<boolean> {
  return (yield* step(deleteRequest, chatId, userId)).rows.length > 0;
}

export interface JoinRequestWithUser extends JoinRequestRow {
  username: string;
  avatar_url: string | null;
}

/** A page of a chat's pending requests, oldest first. */
const requestsPage = preparedQuery((db, chatId: number, offset: number, limit: number) =>
  db
    .selectFrom("join_requests")
    .innerJoin("users", "users.id", "join_requests.user_id")
    .selectAll("join_requests")
    .select(["users.username", "users.avatar_url"])
    .where("join_requests.chat_id", "=", chatId)
    .orderBy("join_requests.created_at", "asc")
    .orderBy("join_requests.user_id", "asc")
    .limit(limit)
    .offset(offset),
);

export function* listJoinRequests(chatId: number, offset: number, limit: number): Steps<JoinRequestWithUser[]> {
  return (yield* step(requestsPage, chatId, offset, limit)).rows;
}

const requestCount = preparedQuery((db, chatId: number) =>
  db.selectFrom("join_requests").select((eb) => eb.fn.countAll<number>().as("count")).where("chat_id", "=", chatId),
);

export function* countJoinRequests(chatId: number): Steps<number> {
  return Number((yield* step(requestCount, chatId)).rows[0]?.count ?? 0);
}
