import { preparedQuery } from "../prepared.js";
import type { ActivityEventsTable } from "../schema.js";
import { dynamicQuery, query as step, type Steps } from "../steps.js";

const insertEvent = preparedQuery(
  (db, chatId: number, userId: number, action: ActivityEventsTable["action"], method: ActivityEventsTable["method"], inviteCode: string | null, createdAt: number) =>
    db.insertInto("activity_events").values({ chat_id: chatId, user_id: userId, action, method, invite_code: inviteCode, created_at: createdAt }),
);

export function* insertActivityEvent(event: Omit<ActivityEventsTable, "id">): Steps<void> {
  yield* step(insertEvent, event.chat_id, event.user_id, event.action, event.method, event.invite_code, event.created_at);
}

export interface ActivityEventWithUser {
  user_id: number;
  username: string;
  avatar_url: string | null;
  action: ActivityEventsTable["action"];
  method: ActivityEventsTable["method"];
  invite_code: string | null;
  created_at: number;
}

/** A page of a chat's activity, newest first; with `inviteCode`, only the events of that invite. */
export function* listActivity(chatId: number, offset: number, limit: number, inviteCode?: string): Steps<ActivityEventWithUser[]> {
  const { rows } = yield* dynamicQuery((db) =>
    db
    .selectFrom("activity_events")
    .innerJoin("users", "users.id", "activity_events.user_id")
    .select([
      "activity_events.user_id",
      "users.username",
      "users.avatar_url",
      "activity_events.action",
      "activity_events.method",
      "activity_events.invite_code",
      "activity_events.created_at",
    ])
    .where("activity_events.chat_id", "=", chatId)
    .$if(inviteCode !== undefined, (q) => q.where("activity_events.invite_code", "=", inviteCode!))
    .orderBy("activity_events.created_at", "desc")
    .orderBy("activity_events.id", "desc")
    .limit(limit)
    .offset(offset),
  );
  return rows;
}

export function* countActivity(chatId: number, inviteCode?: string): Steps<number> {
  const { rows } = yield* dynamicQuery((db) =>
    db
      .selectFrom("activity_events")
      .select((eb) => eb.fn.countAll<number>().as("count"))
      .where("chat_id", "=", chatId)
      .$if(inviteCode !== undefined, (q) => q.where("invite_code", "=", inviteCode!)),
  );
  return Number(rows[0]?.count ?? 0);
}
