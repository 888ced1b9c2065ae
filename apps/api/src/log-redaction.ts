/**
 * What never reaches a log line (SPEC section 9, "Secrets stay out of logs"): invite codes, login
 * codes and session tokens. The logger passes every line through `redactForLog`, so each log site
 * is covered without having to remember it.
 */

export const REDACTED = "[redacted]";

/**
 * Fields whose value is a secret (or may hold one, such as a tRPC input) wherever they appear in a
 * line, at any depth. A field named `code` is taken for an invite or login code: name an error
 * code `error_code` or similar.
 */
const SECRET_FIELDS = new Set([
  "code",
  "invite_code",
  "login_code",
  "token",
  "session",
  "psession",
  "cookie",
  "set-cookie",
  "authorization",
  "input",
  "password",
  "secret",
]);

/**
 * Paths that carry an invite code in a segment: the REST preview and join, the web app's join
 * page, and every route under a chat's `/invites/<code>/…` (not `/invites/revoke-all`, which holds none).
 * Case-insensitive, as the router is.
 */
const CODE_SEGMENTS = /\/(resolve|join|invites)\/(?!revoke-all(?=[/?#\s"']|$))[^/?#\s"']+/gi;
/** A query string can carry a code or a tRPC input holding one; a log line never keeps it. */
const QUERY_STRING = /(\/[^?\s"']*)\?\S*/g;
/** A session cookie quoted in some text (an error message, a header dump). */
const SESSION_COOKIE = /(psession=)[\w\-.~+/=%]+/gi;

/** One cheap test first: most strings in a line (ids, methods, messages) hold nothing to redact. */
const MAY_HOLD_SECRET = /[?%]|\/(?:resolve|join|invites)\/|psession=/i;

function decodeOrKeep(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * A string as it may be logged: `/v1/portal/resolve/:code`, `/join/:code`,
 * `/v1/portal/chats/1/invites/:code/delete`, no query strings, no session cookie. Query strings go
 * first, while still encoded (a decoded one may hold spaces); then a percent-encoded spelling of a
 * path (`/v1/portal/%72esolve/…`) is decoded, so it cannot slip through.
 */
export function redactString(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  let out = text.includes("?") ? text.replace(QUERY_STRING, "$1") : text;
  if (out.includes("%")) {
    const decoded = decodeOrKeep(out);
    if (decoded.search(CODE_SEGMENTS) >= 0) out = decoded;
  }
  return out.replace(CODE_SEGMENTS, "/$1/:code").replace(SESSION_COOKIE, `$1${REDACTED}`);
}

/** A `JSON.stringify` replacer: secret fields become `[redacted]`, every string goes through `redactString`. */
export function redactForLog(key: string, value: unknown): unknown {
  if ((SECRET_FIELDS.has(key) || SECRET_FIELDS.has(key.toLowerCase())) && value !== null && value !== undefined) return REDACTED;
  if (typeof value === "string") return redactString(value);
  return value;
}
