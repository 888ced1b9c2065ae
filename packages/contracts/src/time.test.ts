import { describe, it, expect } from "vitest";
import { timestampInputSchema } from "./time.js";
import { MAX_WIRE_TIMESTAMP, MAX_WIRE_TIMESTAMP_MS, MIN_WIRE_TIMESTAMP, MIN_WIRE_TIMESTAMP_MS, toWireTimestamp, truncateToSecond } from "./wire.js";
import { timestampSchema } from "./common.js";
import { describeValidationError } from "./errors.js";
import { createInviteInputSchema } from "./invite.js";

describe("toWireTimestamp (UTC ISO 8601 with Z and whole seconds)", () => {
  it("drops the milliseconds: 12:00:00.999 → 2026-03-16T12:00:00Z", () => {
    expect(toWireTimestamp(Date.UTC(2026, 2, 16, 12, 0, 0, 999))).toBe("2026-03-16T12:00:00Z");
  });

  it.each<[string, number, string]>([
    ["a whole second", Date.UTC(2026, 2, 16, 12, 0, 0), "2026-03-16T12:00:00Z"],
    ["1 ms past", Date.UTC(2026, 2, 16, 12, 0, 0, 1), "2026-03-16T12:00:00Z"],
    ["500 ms past", Date.UTC(2026, 2, 16, 12, 0, 0, 500), "2026-03-16T12:00:00Z"],
    ["1 ms before the next second", Date.UTC(2026, 2, 16, 12, 0, 1, 999), "2026-03-16T12:00:01Z"],
    ["1 ms before midnight on new year's eve", Date.UTC(2026, 11, 31, 23, 59, 59, 999), "2026-12-31T23:59:59Z"],
    ["a leap day", Date.UTC(2028, 1, 29, 6, 7, 8, 9), "2028-02-29T06:07:08Z"],
    ["the epoch", 0, "1970-01-01T00:00:00Z"],
    ["1 ms before the epoch (rounds down, not toward zero)", -1, "1969-12-31T23:59:59Z"],
    ["the last second of year 9999", Date.UTC(9999, 11, 31, 23, 59, 59, 500), "9999-12-31T23:59:59Z"],
    ["year 10000 (six digits and a sign)", Date.UTC(10000, 0, 1), "+010000-01-01T00:00:00Z"],
    ["year 999 (four digits)", Date.UTC(999, 5, 7, 8, 9, 10, 11), "0999-06-07T08:09:10Z"],
    ["year -1 (six digits and a sign)", Date.UTC(-1, 0, 1, 0, 0, 0, 500), "-000001-01-01T00:00:00Z"],
  ])("%s", (_name, epochMs, expected) => {
    expect(toWireTimestamp(epochMs)).toBe(expected);
  });

  it("writes what toISOString writes, without the milliseconds, across four centuries", () => {
    // 146,000 instants: compared in plain code and asserted once (an expect each took seconds on a busy machine).
    const differences: string[] = [];
    for (let ms = Date.UTC(1800, 0, 1, 0, 0, 0, 1); ms < Date.UTC(2200, 0, 1); ms += 86_399_937) {
      const expected = new Date(truncateToSecond(ms)).toISOString().replace(".000Z", "Z");
      if (toWireTimestamp(ms) !== expected) differences.push(`${ms}: ${toWireTimestamp(ms)} instead of ${expected}`);
    }
    expect(differences).toEqual([]);
  });

  it("always matches the wire timestamp schema and parses back to the truncated time", () => {
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 2000; i++) {
      const ms = start + i * 7_919_423 + (i % 1000);
      const wire = toWireTimestamp(ms);
      expect(timestampSchema.safeParse(wire).success).toBe(true);
      expect(wire).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(Date.parse(wire)).toBe(truncateToSecond(ms));
    }
  });
});

describe("truncateToSecond", () => {
  it.each<[number, number]>([
    [0, 0],
    [1, 0],
    [999, 0],
    [1000, 1000],
    [1001, 1000],
    [1999, 1000],
    [-1, -1000],
    [-1000, -1000],
    [-1001, -2000],
    [Date.UTC(2026, 2, 16, 12, 0, 0, 999), Date.UTC(2026, 2, 16, 12, 0, 0)],
  ])("truncateToSecond(%i) → %i", (input, expected) => {
    expect(truncateToSecond(input)).toBe(expected);
  });

  it("is idempotent and never moves a time forward or by a second or more", () => {
    const start = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 2000; i++) {
      const ms = start + i * 3_333_337 + (i % 1000);
      const t = truncateToSecond(ms);
      expect(t % 1000).toBe(0);
      expect(t).toBeLessThanOrEqual(ms);
      expect(ms - t).toBeLessThan(1000);
      expect(truncateToSecond(t)).toBe(t);
    }
  });

  it("a stored expiry round trips through the wire unchanged", () => {
    const stored = truncateToSecond(Date.UTC(2026, 4, 1, 0, 0, 0, 250));
    expect(Date.parse(toWireTimestamp(stored))).toBe(stored);
    expect(toWireTimestamp(stored)).toBe("2026-05-01T00:00:00Z");
  });
});

describe("timestampInputSchema (every timestamp a client sends)", () => {
  const schema = timestampInputSchema("expires_at");
  const messageOf = (value: unknown) => {
    const result = schema.safeParse(value);
    return result.success ? null : result.error.issues[0]?.message;
  };

  it.each<[string, string]>([
    ["the last second of year 9999 in UTC", "9999-12-31T23:59:59Z"],
    ["the same instant with an offset", "9999-12-31T22:59:59-01:00"],
    ["the first second of year 0000", "0000-01-01T00:00:00Z"],
    ["an ordinary time", "2026-05-01T00:00:00+02:00"],
  ])("accepts %s (%s), and it writes back in the wire format", (_name, value) => {
    expect(messageOf(value)).toBeNull();
    expect(toWireTimestamp(Date.parse(value))).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  });

  it.each<[string, string]>([
    ["the issue's case: 23:59:59 at -23:59 is 9999-12-31T23:59:59Z plus almost a day", "9999-12-31T23:59:59-23:59"],
    ["one second after the last second", "9999-12-31T23:59:59-00:01"],
    ["half a second after the last second", "9999-12-31T23:59:59.5Z"],
  ])("refuses %s: a person's message naming the field and the bound", (_name, value) => {
    expect(messageOf(value)).toBe(`expires_at must be no later than ${MAX_WIRE_TIMESTAMP}`);
  });

  it("refuses an instant before year 0000 (0000-01-01 at +01:00 is in year -1)", () => {
    expect(messageOf("0000-01-01T00:00:00+01:00")).toBe(`expires_at must be no earlier than ${MIN_WIRE_TIMESTAMP}`);
  });

  it("names the field it is given, and keeps the format message for what is no date", () => {
    expect(timestampInputSchema("until").safeParse("9999-12-31T23:59:59-23:59").error?.issues[0]?.message).toBe(
      "until must be no later than 9999-12-31T23:59:59Z",
    );
    expect(messageOf("tomorrow")).toBe("expires_at must be an ISO 8601 date-time with a UTC offset, such as 2026-05-01T00:00:00Z");
    expect(messageOf(5)).toBe("expires_at must be an ISO 8601 date-time with a UTC offset, such as 2026-05-01T00:00:00Z");
  });

  it("the bounds are what the wire format writes at its ends", () => {
    expect(toWireTimestamp(MAX_WIRE_TIMESTAMP_MS)).toBe(MAX_WIRE_TIMESTAMP);
    expect(toWireTimestamp(MIN_WIRE_TIMESTAMP_MS)).toBe(MIN_WIRE_TIMESTAMP);
    expect(toWireTimestamp(MAX_WIRE_TIMESTAMP_MS + 1000)).not.toMatch(/^\d{4}-/);
  });
});

describe("createInviteInputSchema: expires_at after the wire format's last second", () => {
  it("is refused with the field named (both transports parse with it)", () => {
    const result = createInviteInputSchema.safeParse({ chat_id: 1, expires_at: "9999-12-31T23:59:59-23:59" });
    expect(result.success).toBe(false);
    expect(describeValidationError(result.error!)).toBe("expires_at must be no later than 9999-12-31T23:59:59Z");
  });
});
