/**
 * The one place that says whether an error means "the database cannot serve right now": it cannot
 * be reached, its connection was cut, or (SQLite) another process holds its lock past the wait
 * this server allows. Such an error is the client's cue to retry (503 with `Retry-After`, SPEC
 * section 9), never a 500. Anything else is a bug or a rule and is not matched here.
 */

/** Thrown when a SQLite write waited `DB_BUSY_TIMEOUT_MS` for another process's lock and gave up. */
export class DatabaseBusyError extends Error {
  override readonly name = "DatabaseBusyError";
  readonly code = "SQLITE_BUSY";
  constructor(waitedMs: number, options?: { cause?: unknown }) {
    super(`the SQLite database stayed locked by another connection for ${waitedMs} ms (DB_BUSY_TIMEOUT_MS)`, options);
  }
}

/** A SQLite error that says another connection holds a lock (SQLITE_BUSY*, SQLITE_LOCKED*). */
export function isSqliteBusy(error: unknown): boolean {
  const code = codeOf(error);
  return code !== undefined && (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED"));
}

/** Node socket errors of a connection to the database server. */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * PostgreSQL SQLSTATEs of an unavailable server: 57P01 admin_shutdown (pg_terminate_backend, a
 * restart), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, a standby), 57P05
 * idle_session_timeout, 53300 too_many_connections. Class 08 (connection exceptions) is matched by
 * its prefix.
 */
const POSTGRES_CODES = new Set(["57P01", "57P02", "57P03", "57P05", "53300"]);

/**
 * What pg, pg-pool and Kysely say when a connection is gone or cannot be had, matched from the
 * start of the message (never anywhere in it: a message may quote a client's input).
 */
const CONNECTION_MESSAGE = new RegExp(
  "^(?:" +
    [
      "Connection terminated", // "… unexpectedly", "… due to connection timeout"
      "timeout exceeded when trying to connect",
      "Client has encountered a connection error and is not queryable",
      "Client was closed and is not queryable",
      "Postgres connection has been discarded",
    ].join("|") +
    ")",
);

function codeOf(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? code : undefined;
}

function isUnavailableItself(error: unknown): boolean {
  if (error instanceof DatabaseBusyError || isSqliteBusy(error)) return true;
  const code = codeOf(error);
  if (code !== undefined && (SOCKET_CODES.has(code) || POSTGRES_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  if (!(error instanceof Error) || error instanceof SyntaxError) return false;
  // 55000 is also other "prerequisite state" errors; only this one is about connecting.
  if (code === "55000") return error.message.endsWith("is not currently accepting connections");
  return CONNECTION_MESSAGE.test(error.message);
}

/**
 * Whether `error` (or what it wraps, a few `cause`s or an AggregateError's errors deep: a
 * connection refused on every address of `localhost`) means the database is unavailable.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== "object" || error === null || depth > 4) return false;
  if (isUnavailableItself(error)) return true;
  if (error instanceof AggregateError && error.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1))) return true;
  return "cause" in error && isDatabaseUnavailable((error as { cause?: unknown }).cause, depth + 1);
}
