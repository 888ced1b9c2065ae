import type { Kysely } from "kysely";
import { preparedQuery } from "../prepared.js";
import type { DB, SessionRow, UserRow } from "../schema.js";

export async function insertSession(db: Kysely<DB>, session: SessionRow): Promise<void> {
  await db.insertInto("sessions").values(session).execute();
}

/** The user behind a live session, or undefined for an unknown or expired one. */
const sessionUserQuery = preparedQuery((db, tokenHash: string, now: number) =>
  db
    .selectFrom("sessions")
    .innerJoin("users", "users.id", "sessions.user_id")
    .selectAll("users")
    .where("sessions.token_hash", "=", tokenHash)
    .where("sessions.expires_at", ">", now),
);

export async function findSessionUser(db: Kysely<DB>, tokenHash: string, now: number): Promise<UserRow | undefined> {
  return (await sessionUserQuery(db, tokenHash, now)).rows[0];
}

export async function deleteSession(db: Kysely<DB>, tokenHash: string): Promise<void> {
  await db.deleteFrom("sessions").where("token_hash", "=", tokenHash).execute();
}

/** Sessions are ended when their user's level changes, so a demoted Admin keeps no Admin session. */
export async function deleteSessionsOfUser(db: Kysely<DB>, userId: number): Promise<void> {
  await db.deleteFrom("sessions").where("user_id", "=", userId).execute();
}

export async function insertLoginCode(
  db: Kysely<DB>,
  code: { code_hash: string; user_id: number; created_at: number; expires_at: number },
): Promise<void> {
  await db.insertInto("login_codes").values({ ...code, used_at: null }).execute();
}

/**
 * Marks a login code used, once: a single conditional update, so two concurrent sign-ins with the
 * same code cannot both succeed. Returns the user id, or undefined for a wrong, used or expired code.
 */
export async function consumeLoginCode(db: Kysely<DB>, codeHash: string, now: number): Promise<number | undefined> {
  const row = await db
    .updateTable("login_codes")
    .set({ used_at: now })
    .where("code_hash", "=", codeHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returning("user_id")
    .executeTakeFirst();
  return row?.user_id;
}
