/** Idempotent requests (SPEC section 9). Times are epoch milliseconds. */

/** How long an answer is kept for a retry with the same Idempotency-Key: 24 hours. */
export const IDEMPOTENCY_KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** A key first used at `firstUsedAt` still holds at `now`; after 24 hours it is as if never used. */
export function isIdempotencyKeyLive(firstUsedAt: number, now: number): boolean {
  return now - firstUsedAt < IDEMPOTENCY_KEY_LIFETIME_MS;
}
