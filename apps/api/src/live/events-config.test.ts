import { EVENT_STREAM_KEEPALIVE_MS } from "@portal/contracts";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.js";

describe("live event delivery in the configuration", () => {
  it("defaults to a 100 ms poll, a 5 s safety poll and access check, 45 s leases and the 15 s keep-alive", () => {
    expect(loadConfig({}).events).toEqual({
      pollMs: 100,
      safetyPollMs: 5_000,
      accessCheckMs: 5_000,
      leaseMs: 45_000,
      keepAliveMs: EVENT_STREAM_KEEPALIVE_MS,
    });
  });

  it("takes values in range", () => {
    const config = loadConfig({ EVENTS_POLL_MS: "20", EVENTS_SAFETY_POLL_MS: "1000", EVENTS_ACCESS_CHECK_MS: "300", EVENTS_LEASE_MS: "3000", EVENTS_KEEPALIVE_MS: "500" });
    expect(config.events).toEqual({ pollMs: 20, safetyPollMs: 1_000, accessCheckMs: 300, leaseMs: 3_000, keepAliveMs: 500 });
  });

  it.each([
    ["EVENTS_POLL_MS", "5", "an integer from 10 to 10000"],
    ["EVENTS_POLL_MS", "0.1s", "an integer from 10 to 10000"],
    ["EVENTS_SAFETY_POLL_MS", "50", "an integer from 100 to 600000"],
    ["EVENTS_ACCESS_CHECK_MS", "-1", "an integer from 100 to 600000"],
    ["EVENTS_LEASE_MS", "999", "an integer from 1000 to 3600000"],
    ["EVENTS_KEEPALIVE_MS", "never", "an integer from 100 to 600000"],
  ])("refuses %s=%s, naming the variable", (variable, value, expected) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [variable]: value })).toThrow(`${variable} must be ${expected} (got ${JSON.stringify(value)})`);
  });
});
