/**
 * The messages a person reads in error bodies (SPEC section 4). REST and tRPC send the same text,
 * so they live here, next to the shapes they belong to.
 */
export const ErrorMessage = {
  authenticationRequired: "Authentication required",
  accessDenied: "Access denied",
  accountRestricted: "Account restricted",
  crossSiteRefused: "Cross-site request refused",
  notFound: "Not found",
  chatNotFound: "Chat not found",
  inviteNotFound: "Invite not found",
  inviteLimitReached: "Invite limit reached: a chat can have at most 20 active invites",
  chatArchived: "Chat is archived",
  bodyTooLarge: "Request body too large",
  unsupportedMediaType: "Content-Type must be application/json",
  tooManyRequests: "Too many requests",
  internal: "Internal server error",
  serviceUnavailable: "Service temporarily unavailable",
  invalidLoginCode: "Invalid or expired code",
  malformedJson: "Request body is not valid JSON: send a JSON object such as {}",
  bodyNotObject: "Request body must be a JSON object",
  expiresAtInPast: "expires_at must be in the future",
  badPath: "The request path is not valid: check its percent-escapes (a % must start an escape such as %20)",
  idempotencyKeyInvalid:
    "Idempotency-Key must be 1 to 255 visible ASCII characters (letters, digits and punctuation, no spaces), such as a UUID",
  idempotencyKeyMismatch: "Idempotency-Key was used with a different request",
  idempotencyKeyInProgress: "A request with this Idempotency-Key is in progress",
  idempotencyKeyInBatch: "Idempotency-Key applies to one call: send invite.create on its own, not in a batch with other calls",
  contentEncoding: "Content-Encoding is not supported: send the body uncompressed",
  // Answered below Express, by the server's HTTP parser (SPEC section 9).
  headersTooLarge: "Request headers too large",
  requestTimedOut: "Request timed out",
  malformedRequest: "Malformed request",
  invitesPaused: "Invites to this chat are paused",
  inviteNoLongerUsable: "The invite can no longer be used",
  joinRequestNotFound: "Join request not found",
  pausedUntilInPast: "paused_until must be in the future, or null to resume",
  pausedUntilTooFar: "paused_until must be at most 30 days ahead",
  inviteUpdateEmpty: "Send at least one of max_uses and expires_at",
  inviteSettingsUpdateEmpty: "Send at least one of paused_until and join_approval",
  // Live event streams (SPEC section 11); the limit is MAX_EVENT_STREAMS_PER_USER (events.ts).
  eventStreamLimit: "Too many open event streams: a user may have at most 10 open at once; close one and retry",
  eventStreamAccessLost: "You can no longer manage this chat: its event stream has ended",
  eventStreamSessionEnded: "The session ended: sign in again to resume the event stream",
  eventStreamBehind: "The event stream fell behind: reconnect with the last event id to resume",
  lastEventIdHeaderInvalid: "Last-Event-ID must be the id of an event this stream sent (digits only)",
} as const;

/** 400 on an edit that would put `max_uses` below the uses already counted. */
export function maxUsesBelowUsesMessage(uses: number): string {
  return `max_uses must be at least the invite's current uses (${uses})`;
}

export type ErrorMessageKey = keyof typeof ErrorMessage;
