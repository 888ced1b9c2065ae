import { preparedQuery } from "../prepared.js";
import type { NewUser, UserRow, UserUpdate } from "../schema.js";
import { dynamicQuery, query, type Steps } from "../steps.js";

const userById = preparedQuery((db, id: number) => db.selectFrom("users").selectAll().where("id", "=", id));

export function* findUserById(id: number): Steps<UserRow | undefined> {
  return (yield* query(userById, id)).rows[0];
}

const userByUsername = preparedQuery((db, username: string) => db.selectFrom("users").selectAll().where("username", "=", username));

export function* findUserByUsername(username: string): Steps<UserRow | undefined> {
  return (yield* query(userByUsername, username)).rows[0];
}

export function* insertUser(user: NewUser): Steps<UserRow> {
  const row = (yield* dynamicQuery((db) => db.insertInto("users").values(user).returningAll())).rows[0];
  if (!row) throw new Error("insert into users returned no row");
  return row;
}

/** Sets the columns given; the user after the update, or undefined when there is none. */
export function* updateUser(id: number, patch: UserUpdate): Steps<UserRow | undefined> {
  return (yield* dynamicQuery((db) => db.updateTable("users").set(patch).where("id", "=", id).returningAll())).rows[0];
}

const deleteById = preparedQuery((db, id: number) => db.deleteFrom("users").where("id", "=", id));

export function* deleteUser(id: number): Steps<boolean> {
  return ((yield* query(deleteById, id)).numAffectedRows ?? 0n) > 0n;
}

export function* listUsersByUsername(usernames: readonly string[]): Steps<UserRow[]> {
  if (usernames.length === 0) return [];
  return (yield* dynamicQuery((db) => db.selectFrom("users").selectAll().where("username", "in", usernames))).rows;
}

/** The users of these ids, by id (for the names a chat's page shows). */
export function* listUsersByIds(ids: readonly number[]): Steps<UserRow[]> {
  if (ids.length === 0) return [];
  return (yield* dynamicQuery((db) => db.selectFrom("users").selectAll().where("id", "in", ids).orderBy("id"))).rows;
}

const anyUser = preparedQuery((db) => db.selectFrom("users").select("id").limit(1));

export function* hasAnyUser(): Steps<boolean> {
  return (yield* query(anyUser)).rows.length > 0;
}
