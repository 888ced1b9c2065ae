import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_KEY_LIFETIME_MS, isIdempotencyKeyLive } from "./idempotency.js";

describe("isIdempotencyKeyLive", () => {
  const firstUsedAt = Date.UTC(2026, 2, 16, 12, 0, 0);

  it.each<[string, number, boolean]>([
    ["at once", firstUsedAt, true],
    ["an hour later", firstUsedAt + 3_600_000, true],
    ["1 ms before 24 hours", firstUsedAt + IDEMPOTENCY_KEY_LIFETIME_MS - 1, true],
    ["exactly 24 hours later", firstUsedAt + IDEMPOTENCY_KEY_LIFETIME_MS, false],
    ["two days later", firstUsedAt + 2 * IDEMPOTENCY_KEY_LIFETIME_MS, false],
  ])("%s → %s", (_name, now, live) => {
    expect(isIdempotencyKeyLive(firstUsedAt, now)).toBe(live);
  });

  it("the lifetime is 24 hours", () => {
    expect(IDEMPOTENCY_KEY_LIFETIME_MS).toBe(86_400_000);
  });
});
