import { ErrorMessage, maxUsesBelowUsesMessage } from "@portal/contracts/messages";

/** What the app shows of a failed call: the server's message, its tRPC code and HTTP status. */
export interface ApiError {
  message: string;
  /** The tRPC code; null when the call never got an answer (the server is unreachable or too slow). */
  code: string | null;
  status: number | null;
  correlationId: string | null;
}

const NETWORK_MESSAGE = "Could not reach the server. Check your connection and try again.";
/** The message of the error the tRPC link's fetch throws when the server does not answer in time. */
export const TIMEOUT_MARK = "portal: the server did not answer in time";

interface ErrorData {
  code?: unknown;
  httpStatus?: unknown;
  correlation_id?: unknown;
}

/**
 * Reads a TRPCClientError (or anything thrown) without trusting its shape. The server words its
 * messages for people, so they are shown as they come; only failures that never reached the
 * server get our own words.
 */
export function toApiError(error: unknown): ApiError {
  const data = (typeof error === "object" && error !== null && "data" in error ? error.data : null) as ErrorData | null;
  const code = typeof data?.code === "string" ? data.code : null;
  const status = typeof data?.httpStatus === "number" ? data.httpStatus : null;
  const correlationId = typeof data?.correlation_id === "string" ? data.correlation_id : null;
  const raw = error instanceof Error ? error.message : typeof error === "string" ? error : "";
  if (code === null) return { message: NETWORK_MESSAGE, code: null, status: null, correlationId: null };
  return { message: raw || "Something went wrong", code, status, correlationId };
}

export function isUnauthorized(error: unknown): boolean {
  return toApiError(error).code === "UNAUTHORIZED";
}

/** 4xx answers will not change on a retry; network failures and 5xx might. */
export function isRetryable(error: unknown): boolean {
  const { code, status } = toApiError(error);
  if (code === null) return true;
  return status === null || status >= 500;
}

export type InviteField = "max_uses" | "expires_at";

/** Which form field a server message is about: validation messages start with the field's name. */
export function fieldOfMessage(message: string): InviteField | null {
  if (/^max_uses\b/.test(message)) return "max_uses";
  if (/^expires_at\b/.test(message)) return "expires_at";
  return null;
}

/** The message, plus the correlation id for errors a person should report. */
export function describeForPerson(error: ApiError): string {
  if (error.status !== null && error.status >= 500 && error.correlationId) {
    return `${error.message} (reference ${error.correlationId})`;
  }
  return error.message;
}

/** A call that got no answer at all (refused, cut off, or timed out): the server may be down. */
export function isNetworkError(error: unknown): boolean {
  return toApiError(error).code === null;
}

/** Whether the call was given up waiting (the request may still have reached the server). */
export function isTimeout(error: unknown): boolean {
  const raw = error instanceof Error ? `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}` : "";
  return isNetworkError(error) && raw.includes(TIMEOUT_MARK);
}

/** The highest `max_uses` the API takes (SPEC section 2: a 32-bit whole number). */
export const MAX_USES_LIMIT = 2_147_483_647;

export const PersonMessage = {
  maxUses: `Enter a whole number of uses from 1 to ${MAX_USES_LIMIT.toLocaleString("en-US")}, or choose Unlimited`,
  maxUsesEmpty: "Enter how many times the invite can be used, or choose Unlimited",
  expiryPast: "Choose a date and time in the future: that moment has already passed",
  expiryInvalid: "Choose a valid date and time for the invite to expire",
  archived: "This chat is archived: it takes no new invites",
  pauseTooFar: "Choose a pause of at most 30 days",
  pausePast: "Choose a pause that ends in the future",
  inviteGone: "This invite no longer works: it was revoked meanwhile, or it expired or was used up. Close this and refresh the list.",
  inviteNoLongerUsable:
    "The invite this person used no longer works (revoked, used up or expired), so they were not let in. Decline the request, or make the invite usable again and approve.",
  requestGone: "This request was already approved or declined, maybe by another manager.",
} as const;

/** The limit an edit may not go below: the uses already counted. */
export function maxUsesBelowUses(uses: number): string {
  return `The limit cannot be lower than the ${uses} ${uses === 1 ? "use" : "uses"} already counted: enter ${uses} or more, or choose Unlimited`;
}

/**
 * A server message in a person's words, where the server's names a wire field (`max_uses must be
 * at least 1`): the form shows it under the field it concerns. Other messages are already worded
 * for people and come back as they are.
 */
export function personMessage(message: string): string {
  // The edit's "max_uses must be at least the invite's current uses (N)": N from the message.
  const belowPrefix = maxUsesBelowUsesMessage(0).slice(0, -"0)".length);
  if (message.startsWith(belowPrefix)) return maxUsesBelowUses(Number.parseInt(message.slice(belowPrefix.length), 10));
  const field = fieldOfMessage(message);
  if (field === "max_uses") return PersonMessage.maxUses;
  if (field === "expires_at") return /future/.test(message) ? PersonMessage.expiryPast : PersonMessage.expiryInvalid;
  if (message === ErrorMessage.chatArchived) return PersonMessage.archived;
  if (message === ErrorMessage.pausedUntilTooFar) return PersonMessage.pauseTooFar;
  if (message === ErrorMessage.pausedUntilInPast) return PersonMessage.pausePast;
  if (message === ErrorMessage.inviteNoLongerUsable) return PersonMessage.inviteNoLongerUsable;
  if (message === ErrorMessage.joinRequestNotFound) return PersonMessage.requestGone;
  return message;
}

/**
 * What a failed action tells the person: the server's words, or, when no answer came, that the
 * action was not done (or, after a timeout, may not have been) and can be tried again.
 * `what` completes "…so the invite was not created".
 */
export function describeFailure(error: unknown, what: { notDone: string; maybe: string }): string {
  if (isTimeout(error)) return `The server did not answer in time, so ${what.maybe}. Check once it is back, then try again.`;
  if (isNetworkError(error)) return `Could not reach the server, so ${what.notDone}. Try again once it is back.`;
  return describeForPerson({ ...toApiError(error), message: personMessage(toApiError(error).message) });
}
