import { describe, expect, it } from "vitest";
import { toWireTimestamp } from "@portal/contracts/wire";
import { formatAgo, formatDateTime, formatRelative, formatTimeLeft, hasExpired, tickIntervalFor } from "./time";

const NOW = Date.parse("2026-03-16T12:00:00Z");
const at = (ms: number) => toWireTimestamp(NOW + ms);
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("formatTimeLeft", () => {
  it.each<[string, string | null, string]>([
    ["no expiry", null, "Never expires"],
    ["already past", at(-5 * S), "Expired"],
    ["exactly now", at(0), "Expired"],
    ["one second", at(1 * S), "1s left"],
    ["under a minute", at(45 * S), "45s left"],
    ["one minute", at(60 * S), "1m 0s left"],
    ["minutes and seconds", at(12 * M + 5 * S), "12m 5s left"],
    ["just under an hour", at(59 * M + 59 * S), "59m 59s left"],
    ["one hour", at(H), "1h 0m left"],
    ["hours and minutes", at(3 * H + 20 * M), "3h 20m left"],
    ["just under a day", at(23 * H + 59 * M + 59 * S), "23h 59m left"],
    ["one day", at(D), "1d 0h left"],
    ["days and hours", at(6 * D + 4 * H), "6d 4h left"],
    ["a month", at(30 * D), "30d 0h left"],
  ])("%s → %s", (_name, expiresAt, expected) => {
    expect(formatTimeLeft(expiresAt, NOW)).toBe(expected);
  });

  it("rounds a part-second up, so the label never reads 0s while still valid", () => {
    expect(formatTimeLeft("2026-03-16T12:00:02Z", NOW + 500)).toBe("2s left");
    expect(formatTimeLeft("2026-03-16T12:00:01Z", NOW + 999)).toBe("1s left");
  });

  it("counts down as time passes", () => {
    const expiresAt = at(2 * M);
    expect(formatTimeLeft(expiresAt, NOW)).toBe("2m 0s left");
    expect(formatTimeLeft(expiresAt, NOW + 61 * S)).toBe("59s left");
    expect(formatTimeLeft(expiresAt, NOW + 2 * M)).toBe("Expired");
  });

  it("says so when the timestamp cannot be read", () => {
    expect(formatTimeLeft("soon", NOW)).toBe("Unknown expiry");
  });
});

describe("hasExpired", () => {
  it("is false without an expiry and true at or after it", () => {
    expect(hasExpired(null, NOW)).toBe(false);
    expect(hasExpired(at(S), NOW)).toBe(false);
    expect(hasExpired(at(0), NOW)).toBe(true);
  });
});

describe("tickIntervalFor", () => {
  it("ticks every second when an expiry is within the hour, else every 30 s, else not at all", () => {
    expect(tickIntervalFor([null, at(10 * M)], NOW)).toBe(1000);
    expect(tickIntervalFor([at(2 * H), at(3 * D)], NOW)).toBe(30_000);
    expect(tickIntervalFor([null, at(-M)], NOW)).toBeNull();
    expect(tickIntervalFor([], NOW)).toBeNull();
  });
});

describe("formatDateTime and formatRelative", () => {
  it("shows a wire timestamp in the given zone", () => {
    expect(formatDateTime("2026-03-16T12:00:00Z", "en-US", "Europe/Berlin")).toBe("Mar 16, 2026, 1:00 PM");
    expect(formatDateTime("2026-03-16T12:00:00Z", "en-GB", "UTC")).toBe("16 Mar 2026, 12:00");
  });

  it.each<[string, number, string]>([
    ["seconds ago", -30 * S, "30 seconds ago"],
    ["minutes ago", -5 * M, "5 minutes ago"],
    ["hours ago", -3 * H, "3 hours ago"],
    ["yesterday", -D, "yesterday"],
    ["days ago", -4 * D, "4 days ago"],
    ["months ago", -90 * D, "3 months ago"],
    ["in an hour", H, "in 1 hour"],
  ])("%s", (_name, offset, expected) => {
    expect(formatRelative(at(offset), NOW, "en")).toBe(expected);
  });
});

describe("formatAgo", () => {
  it("says how long ago, and 'now' for a moment a little past the page's clock (a live event between two ticks)", () => {
    expect(formatAgo(at(-5 * M), NOW, "en")).toBe("5 minutes ago");
    expect(formatAgo(at(3 * S), NOW, "en")).toBe("now");
    expect(formatAgo(at(0), NOW, "en")).toBe("now");
  });
});
