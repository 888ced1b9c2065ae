import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXPIRY_PRESETS, localDateTimeToUtc, presetToUtc, resolveExpiry, timeZoneLabel, toLocalDateTimeValue } from "./expiry";

const NOW = Date.parse("2026-03-16T12:00:00.750Z");

/** Runs a block with the process in another time zone (Node re-reads TZ when it changes). */
function inTimeZone(zone: string, block: () => void) {
  const before = process.env.TZ;
  process.env.TZ = zone;
  try {
    block();
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

describe("expiry presets → UTC", () => {
  it.each<[string, string]>([
    ["30m", "2026-03-16T12:30:00Z"],
    ["1h", "2026-03-16T13:00:00Z"],
    ["6h", "2026-03-16T18:00:00Z"],
    ["12h", "2026-03-17T00:00:00Z"],
    ["1d", "2026-03-17T12:00:00Z"],
    ["7d", "2026-03-23T12:00:00Z"],
    ["30d", "2026-04-15T12:00:00Z"],
  ])("%s from now is %s (whole seconds, Z)", (preset, expected) => {
    expect(presetToUtc(preset as (typeof EXPIRY_PRESETS)[number]["id"], NOW)).toBe(expected);
  });

  it("does not depend on the person's time zone", () => {
    inTimeZone("Pacific/Auckland", () => expect(presetToUtc("1d", NOW)).toBe("2026-03-17T12:00:00Z"));
    inTimeZone("America/Los_Angeles", () => expect(presetToUtc("1d", NOW)).toBe("2026-03-17T12:00:00Z"));
  });

  it("offers 1 hour, 1 day and 7 days", () => {
    expect(EXPIRY_PRESETS.map((p) => p.label)).toEqual(expect.arrayContaining(["1 hour", "1 day", "7 days"]));
  });
});

describe("a custom date and time in the person's time zone → UTC", () => {
  beforeAll(() => {
    process.env.TZ = "Europe/Berlin";
  });
  afterAll(() => {
    delete process.env.TZ;
  });

  it("reads winter time as UTC+1 and summer time as UTC+2", () => {
    expect(localDateTimeToUtc("2026-01-15T09:30")).toBe("2026-01-15T08:30:00Z");
    expect(localDateTimeToUtc("2026-07-15T09:30")).toBe("2026-07-15T07:30:00Z");
  });

  it("crosses the date line backwards near midnight", () => {
    expect(localDateTimeToUtc("2026-05-01T00:30")).toBe("2026-04-30T22:30:00Z");
  });

  it("keeps seconds when the input has them", () => {
    expect(localDateTimeToUtc("2026-01-15T09:30:15")).toBe("2026-01-15T08:30:15Z");
  });

  it("works the same in other zones", () => {
    inTimeZone("America/New_York", () => expect(localDateTimeToUtc("2026-12-01T18:00")).toBe("2026-12-01T23:00:00Z"));
    inTimeZone("Asia/Kolkata", () => expect(localDateTimeToUtc("2026-12-01T18:00")).toBe("2026-12-01T12:30:00Z"));
    inTimeZone("UTC", () => expect(localDateTimeToUtc("2026-12-01T18:00")).toBe("2026-12-01T18:00:00Z"));
  });

  it.each(["", "tomorrow", "2026-02-30T10:00", "2026-13-01T10:00", "2026-01-01T25:00", "2026-01-01 10:00"])(
    "rejects %j",
    (value) => {
      expect(localDateTimeToUtc(value)).toBeNull();
    },
  );

  it("rejects a time that the spring-forward clock change skips", () => {
    expect(localDateTimeToUtc("2026-03-29T02:30")).toBeNull();
    inTimeZone("America/New_York", () => expect(localDateTimeToUtc("2026-03-08T02:30")).toBeNull());
  });

  it("round-trips with toLocalDateTimeValue", () => {
    const value = toLocalDateTimeValue(Date.parse("2026-07-15T07:30:00Z"));
    expect(value).toBe("2026-07-15T09:30");
    expect(localDateTimeToUtc(value)).toBe("2026-07-15T07:30:00Z");
  });
});

describe("resolveExpiry (the form's choice → expires_at)", () => {
  it("never → null", () => {
    expect(resolveExpiry({ kind: "never" }, NOW)).toEqual({ ok: true, expiresAt: null });
  });

  it("a preset counts from now", () => {
    expect(resolveExpiry({ kind: "preset", preset: "7d" }, NOW)).toEqual({ ok: true, expiresAt: "2026-03-23T12:00:00Z" });
  });

  it("a custom time is converted from the person's zone", () => {
    inTimeZone("Asia/Tokyo", () =>
      expect(resolveExpiry({ kind: "custom", local: "2026-04-01T09:00" }, NOW)).toEqual({
        ok: true,
        expiresAt: "2026-04-01T00:00:00Z",
      }),
    );
  });

  it("an empty custom time asks for one", () => {
    expect(resolveExpiry({ kind: "custom", local: " " }, NOW)).toEqual({
      ok: false,
      error: "Choose a date and time for the invite to expire",
    });
  });

  it("an impossible custom time says why", () => {
    const result = resolveExpiry({ kind: "custom", local: "2026-02-30T10:00" }, NOW);
    expect(result.ok).toBe(false);
  });

  it("a past custom time is refused before sending, in a person's words", () => {
    inTimeZone("UTC", () =>
      expect(resolveExpiry({ kind: "custom", local: "2020-01-01T00:00" }, NOW)).toEqual({
        ok: false,
        error: "Choose a date and time in the future: that moment has already passed",
      }),
    );
  });
});

describe("timeZoneLabel (the zone as people name it)", () => {
  it("names the zone and its offset instead of the raw id", () => {
    expect(timeZoneLabel(NOW, "en-GB", "Asia/Calcutta")).toBe("India Standard Time (GMT+05:30)");
    expect(timeZoneLabel(NOW, "en-US", "America/New_York")).toBe("Eastern Time (GMT-04:00)");
    expect(timeZoneLabel(Date.parse("2026-01-16T12:00:00Z"), "en-GB", "Europe/Berlin")).toBe("Central European Time (GMT+01:00)");
  });
});
