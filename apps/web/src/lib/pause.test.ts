import { describe, expect, it } from "vitest";
import { PAUSE_DURATIONS, pauseUntil } from "./pause";

describe("pauseUntil", () => {
  const now = Date.UTC(2026, 2, 16, 12, 0, 0, 500);
  it("counts the duration from now, in whole seconds, as UTC", () => {
    expect(pauseUntil("1h", now)).toBe("2026-03-16T13:00:00Z");
    expect(pauseUntil("1d", now)).toBe("2026-03-17T12:00:00Z");
  });
  it("never goes past the API's 30 days", () => {
    for (const d of PAUSE_DURATIONS) expect(Date.parse(pauseUntil(d.id, now)) - now).toBeLessThanOrEqual(30 * 86_400_000);
  });
});
