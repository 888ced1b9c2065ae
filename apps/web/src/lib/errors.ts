/** What the app shows of a failed call: the server's message, its tRPC code and HTTP status. */
export interface ApiError {
  message: string;
  code: string | null;
  status: number | null;
  correlationId: string | null;
}

const NETWORK_MESSAGE = "Could not reach the server. Check your connection and try again.";

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
