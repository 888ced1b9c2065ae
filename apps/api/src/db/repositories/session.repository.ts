import { preparedQuery } from "../prepared.js";
import type { SessionRow, UserRow } from "../schema.js";
import { dynamicQuery, query, type Steps } from "../steps.js";

const insertSessionRow = preparedQuery((db, tokenHash: string, userId: number, createdAt: number, expiresAt: number) =>
  db.insertInto("sessions").values({ token_hash: tokenHash, user_id: userId, created_at: createdAt, expires_at: expiresAt }),
);

export function* insertSession(session: SessionRow): Steps<void> {
  yield* query(insertSessionRow, session.token_hash, session.user_id, session.created_at, session.expires_at);
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

export function* findSessionUser(tokenHash: string, now: number): Steps<UserRow | undefined> {
  return (yield* query(sessionUserQuery, tokenHash, now)).rows[0];
}

const deleteByHash = preparedQuery((db, tokenHash: string) => db.deleteFrom("sessions").where("token_hash", "=", tokenHash));

export function* deleteSession(tokenHash: string): Steps<void> {
  yield* query(deleteByHash, tokenHash);
}

const deleteOfUser = preparedQuery((db, userId: number) => db.deleteFrom("sessions").where("user_id", "=", userId));

/** Sessions are ended when their user's level changes, so a demoted Admin keeps no Admin session. */
export function* deleteSessionsOfUser(userId: number): Steps<void> {
  yield* query(deleteOfUser, userId);
}

const insertCode = preparedQuery((db, codeHash: string, userId: number, createdAt: number, expiresAt: number) =>
  db.insertInto("login_codes").values({ code_hash: codeHash, user_id: userId, created_at: createdAt, expires_at: expiresAt, used_at: null }),
);

export function* insertLoginCode(code: { code_hash: string; user_id: number; created_at: number; expires_at: number }): Steps<void> {
  yield* query(insertCode, code.code_hash, code.user_id, code.created_at, code.expires_at);
}

/**
 * Marks a login code used, once: a single conditional update, so two concurrent sign-ins with the
 * same code cannot both succeed. Returns the user id, or undefined for a wrong, used or expired code.
 */
const consumeCode = preparedQuery((db, codeHash: string, now: number) =>
  db
    .updateTable("login_codes")
    .set({ used_at: now })
    .where("code_hash", "=", codeHash)
    .where("used_at", "is", null)
    .where("expires_at", ">", now)
    .returning("user_id"),
);

export function* consumeLoginCode(codeHash: string, now: number): Steps<number | undefined> {
  return (yield* query(consumeCode, codeHash, now)).rows[0]?.user_id;
}

/** The users behind these live sessions, by token hash (an unknown or expired one is absent). */
export function* findLiveSessionUsers(tokenHashes: readonly string[], now: number): Steps<Map<string, UserRow>> {
  if (tokenHashes.length === 0) return new Map();
  const { rows } = yield* dynamicQuery((db) =>
    db
      .selectFrom("sessions")
      .innerJoin("users", "users.id", "sessions.user_id")
      .selectAll("users")
      .select("sessions.token_hash")
      .where("sessions.token_hash", "in", tokenHashes)
      .where("sessions.expires_at", ">", now),
  );
  return new Map(rows.map(({ token_hash, ...user }) => [token_hash, user]));
}
