import { sql, type Kysely } from "kysely";
import { isPostgres } from "../database.js";
import { preparedQuery } from "../prepared.js";
import type { ChatBanRow, ChatRow, DB, NewChat } from "../schema.js";
import { dynamicQuery, query as step, type Steps } from "../steps.js";

/** What the permission rules need of a chat: its owner, visibility, state, owner's level, and whether the user is a member. */
export interface ChatAccessRow extends Pick<ChatRow, "id" | "owner_id" | "visibility" | "archived"> {
  owner_level: number | null;
  is_member: number;
}

export interface ChatWithAccessFacts extends ChatRow, ChatAccessRow {}

/**
 * The chat with its owner's level and whether `userId` is a member; the caller selects the chat's
 * columns. One table in the FROM clause, the owner's level a scalar subquery rather than a join:
 * SQLite 3.54 marks a `col = ?` term of a join for re-preparing when its value changes, and
 * better-sqlite3 clears the bindings after every run, so a join was parsed and planned again on
 * every execution (tens of µs a create; tooling/bench/README.md, "SQLite 3.54 re-prepares joins").
 */
function chatWithFacts(db: Kysely<DB>, chatId: number, userId: number) {
  return db
    .selectFrom("chats")
    .select((eb) => [
      eb.selectFrom("users as owner").select("owner.permission_level").whereRef("owner.id", "=", "chats.owner_id").as("owner_level"),
      eb
        .case()
        .when(
          eb.exists(
            eb
              .selectFrom("chat_members")
              .select(sql.lit(1).as("one"))
              .whereRef("chat_members.chat_id", "=", "chats.id")
              .where("chat_members.user_id", "=", userId),
          ),
        )
        .then(1)
        .else(0)
        .end()
        .as("is_member"),
    ])
    .where("chats.id", "=", chatId);
}

/** The whole chat with what the permission rules need. */
function chatWithAccessFactsBuilder(db: Kysely<DB>, chatId: number, userId: number) {
  return chatWithFacts(db, chatId, userId).selectAll("chats");
}

/** Only what the permission rules need (`ChatAccessRow`): fewer columns for a hot path to read. */
export function chatAccessRowBuilder(db: Kysely<DB>, chatId: number, userId: number) {
  return chatWithFacts(db, chatId, userId).select(["chats.id", "chats.owner_id", "chats.visibility", "chats.archived"]);
}

/**
 * With `lock`, on PostgreSQL the chat row is locked (FOR NO KEY UPDATE) until the transaction ends,
 * which serializes check-then-write use cases per chat; SQLite's BEGIN IMMEDIATE already did that.
 */
function chatWithAccessFactsQuery(lock: boolean) {
  return preparedQuery((db, chatId: number, userId: number) => {
    const query = chatWithAccessFactsBuilder(db, chatId, userId);
    return lock && isPostgres(db) ? query.forNoKeyUpdate("chats") : query;
  });
}
const chatWithAccessFacts = chatWithAccessFactsQuery(false);
const chatWithAccessFactsLocked = chatWithAccessFactsQuery(true);

export function* findChatWithAccessFacts(
  chatId: number,
  userId: number,
  options: { lock?: boolean } = {},
): Steps<ChatWithAccessFacts | undefined> {
  const { rows } = yield* step(options.lock ? chatWithAccessFactsLocked : chatWithAccessFacts, chatId, userId);
  return rows[0] as ChatWithAccessFacts | undefined;
}

const chatById = preparedQuery((db, chatId: number) => db.selectFrom("chats").selectAll().where("id", "=", chatId));

export function* findChatById(chatId: number): Steps<ChatRow | undefined> {
  return (yield* step(chatById, chatId)).rows[0];
}

export function* insertChat(chat: NewChat): Steps<ChatRow> {
  const row = (yield* dynamicQuery((db) => db.insertInto("chats").values(chat).returningAll())).rows[0];
  if (!row) throw new Error("insert into chats returned no row");
  return row;
}

const setArchived = preparedQuery((db, chatId: number, archived: number) =>
  db.updateTable("chats").set({ archived }).where("id", "=", chatId).returningAll(),
);

export function* setChatArchived(chatId: number, archived: boolean): Steps<ChatRow | undefined> {
  return (yield* step(setArchived, chatId, archived ? 1 : 0)).rows[0];
}

/** Chats the user owns or is a member of, newest first. */
const chatsOfUser = preparedQuery((db, userId: number) =>
  db
    .selectFrom("chats")
    .selectAll()
    .where((eb) =>
      eb.or([
        eb("owner_id", "=", userId),
        eb.exists(
          eb
            .selectFrom("chat_members")
            .select(sql.lit(1).as("one"))
            .whereRef("chat_members.chat_id", "=", "chats.id")
            .where("chat_members.user_id", "=", userId),
        ),
      ]),
    )
    .orderBy("created_at", "desc")
    .orderBy("id", "desc"),
);

export function* listChatsOfUser(userId: number): Steps<ChatRow[]> {
  return (yield* step(chatsOfUser, userId)).rows;
}

export interface ChatWithOwner extends ChatRow {
  owner_level: number | null;
  owner_username: string | null;
  owner_avatar_url: string | null;
}

const managementCandidates = preparedQuery((db, userId: number) =>
  db
    .selectFrom("chats")
    .leftJoin("users as owner", "owner.id", "chats.owner_id")
    .selectAll("chats")
    .select(["owner.permission_level as owner_level", "owner.username as owner_username", "owner.avatar_url as owner_avatar_url"])
    .where((eb) => eb.or([eb("chats.owner_id", "=", userId), eb("chats.visibility", "!=", "private")]))
    .orderBy("chats.created_at", "desc")
    .orderBy("chats.id", "desc"),
);

/**
 * The chats a user could possibly manage: the ones they own and every non-private one. Which of
 * those they may manage is the permission rule's decision, not this query's.
 */
export function* listManagementCandidates(userId: number): Steps<ChatWithOwner[]> {
  return (yield* step(managementCandidates, userId)).rows;
}

const memberCount = preparedQuery((db, chatId: number) =>
  db.selectFrom("chat_members").select((eb) => eb.fn.countAll<number>().as("count")).where("chat_id", "=", chatId),
);

export function* countMembers(chatId: number): Steps<number> {
  return Number((yield* step(memberCount, chatId)).rows[0]?.count ?? 0);
}

export function* countMembersByChat(chatIds: readonly number[]): Steps<Map<number, number>> {
  if (chatIds.length === 0) return new Map();
  const { rows } = yield* dynamicQuery((db) =>
    db
      .selectFrom("chat_members")
      .select(["chat_id", (eb) => eb.fn.countAll<number>().as("count")])
      .where("chat_id", "in", chatIds)
      .groupBy("chat_id"),
  );
  return new Map(rows.map((r) => [r.chat_id, Number(r.count)]));
}

/** Adds a member; returns false when they already were one (nothing is written then). */
const insertMember = preparedQuery((db, chatId: number, userId: number, joinedAt: number, inviteCode: string | null) =>
  db
    .insertInto("chat_members")
    .values({ chat_id: chatId, user_id: userId, joined_at: joinedAt, invite_code: inviteCode })
    .onConflict((oc) => oc.columns(["chat_id", "user_id"]).doNothing())
    .returning("user_id"),
);

type NewMember = { chat_id: number; user_id: number; joined_at: number; invite_code: string | null };

export function* addMember(member: NewMember): Steps<boolean> {
  return (yield* step(insertMember, member.chat_id, member.user_id, member.joined_at, member.invite_code)).rows.length > 0;
}

const deleteMember = preparedQuery((db, chatId: number, userId: number) =>
  db.deleteFrom("chat_members").where("chat_id", "=", chatId).where("user_id", "=", userId),
);

export function* removeMember(chatId: number, userId: number): Steps<boolean> {
  return ((yield* step(deleteMember, chatId, userId)).numAffectedRows ?? 0n) > 0n;
}

const banOf = preparedQuery((db, chatId: number, userId: number) =>
  db.selectFrom("chat_bans").selectAll().where("chat_id", "=", chatId).where("user_id", "=", userId),
);

export function* findBan(chatId: number, userId: number): Steps<ChatBanRow | undefined> {
  return (yield* step(banOf, chatId, userId)).rows[0];
}

const upsertBanRow = preparedQuery((db, chatId: number, userId: number, until: number | null, reason: string | null, createdAt: number) =>
  db
    .insertInto("chat_bans")
    .values({ chat_id: chatId, user_id: userId, until, reason, created_at: createdAt })
    .onConflict((oc) =>
      oc.columns(["chat_id", "user_id"]).doUpdateSet((eb) => ({
        until: eb.ref("excluded.until"),
        reason: eb.ref("excluded.reason"),
        created_at: eb.ref("excluded.created_at"),
      })),
    )
    .returningAll(),
);

export function* upsertBan(ban: ChatBanRow): Steps<ChatBanRow> {
  const row = (yield* step(upsertBanRow, ban.chat_id, ban.user_id, ban.until, ban.reason, ban.created_at)).rows[0];
  if (!row) throw new Error("upsert into chat_bans returned no row");
  return row;
}

const deleteBanRow = preparedQuery((db, chatId: number, userId: number) =>
  db.deleteFrom("chat_bans").where("chat_id", "=", chatId).where("user_id", "=", userId),
);

export function* deleteBan(chatId: number, userId: number): Steps<boolean> {
  return ((yield* step(deleteBanRow, chatId, userId)).numAffectedRows ?? 0n) > 0n;
}

/** Sets the keys given of a chat's invite settings; returns the chat after the update. */
export function* updateChatInviteSettings(
  chatId: number,
  settings: { invites_paused_until?: number | null; join_approval?: number },
): Steps<ChatRow | undefined> {
  return (yield* dynamicQuery((db) => db.updateTable("chats").set(settings).where("id", "=", chatId).returningAll())).rows[0];
}

const memberOf = preparedQuery((db, chatId: number, userId: number) =>
  db.selectFrom("chat_members").select("user_id").where("chat_id", "=", chatId).where("user_id", "=", userId),
);

export function* isChatMember(chatId: number, userId: number): Steps<boolean> {
  return (yield* step(memberOf, chatId, userId)).rows.length > 0;
}

/** What the permission rules need of each of these chats (membership aside); a chat that is gone is absent. */
export function* listChatAccessFacts(chatIds: readonly number[]): Steps<Map<number, Omit<ChatAccessRow, "is_member">>> {
  if (chatIds.length === 0) return new Map();
  const { rows } = yield* dynamicQuery((db) =>
    db
      .selectFrom("chats")
      .select((eb) => [
        "chats.id",
        "chats.owner_id",
        "chats.visibility",
        "chats.archived",
        eb.selectFrom("users as owner").select("owner.permission_level").whereRef("owner.id", "=", "chats.owner_id").as("owner_level"),
      ])
      .where("chats.id", "in", chatIds),
  );
  return new Map(rows.map((row) => [row.id, row]));
}
