/** The events benchmark's percentiles, its latency target and its table. */
import { describe, expect, it } from "vitest";
import { formatEvents, latencyCheck, percentile, summarizeLatency, type LatencyResult, type MemoryResult } from "./events-report.js";
import { ratioOf, type Row } from "./report.js";

describe("percentile", () => {
  it("takes the nearest rank: the smallest value with at least p % of the values at or below it", () => {
    const values = Array.from({ length: 300 }, (_, i) => 300 - i); // 300 … 1, unsorted on purpose
    expect(percentile(values, 50)).toBe(150);
    expect(percentile(values, 99)).toBe(297);
    expect(percentile(values, 100)).toBe(300);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([1, 2, 3, 4], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4], 51)).toBe(3);
  });

  it("is always one of the values, never an interpolation, and leaves its input alone", () => {
    const values = [10, 0.5, 250, 3];
    expect(percentile(values, 99)).toBe(250);
    expect(percentile(values, 1)).toBe(0.5);
    expect(values).toEqual([10, 0.5, 250, 3]);
  });

  it("is NaN without values and refuses a p outside (0, 100]", () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 0)).toThrow(/p must be in \(0, 100\]/);
    expect(() => percentile([1], 101)).toThrow(/p must be in/);
  });

  it("keeps negative latencies (an event can arrive before the writer reads its 201)", () => {
    expect(summarizeLatency([-2, 5, 1])).toEqual({ count: 3, min: -2, p50: 1, p99: 5, max: 5 });
  });
});

function result(p99: number, missing = 0): LatencyResult {
  const summary = { count: 800 - missing, min: 1, p50: 40, p99, max: p99 + 10 };
  return { id: "events-latency@sqlite", label: "SQLite, 2 processes on one file", events: 400, expected: 800, fromResponse: summary, fromCreatedAt: summary, writer: summary, missing, duplicates: 0, outOfOrder: 0, notes: [] };
}

describe("latencyCheck", () => {
  it("passes at or under the target with every delivery made", () => {
    expect(latencyCheck(result(250), 250).pass).toBe(true);
    expect(latencyCheck(result(251), 250).pass).toBe(false);
  });

  it("fails when a delivery never came, whatever the p99 of the others", () => {
    expect(latencyCheck(result(20, 1), 250).pass).toBe(false);
  });
});

describe("formatEvents", () => {
  const row = (id: string, rounds: number[]): Row => ({ id, label: id, perSec: rounds[0]!, p50Ms: 10, p99Ms: 30, rounds, batch: "events-throughput", cpuUsPerOp: 400, cpuShare: 0.9, notes: [] });
  const memory: MemoryResult = {
    streams: 1000,
    before: { rss: 100 * 2 ** 20, heapUsed: 20 * 2 ** 20, heapTotal: 30 * 2 ** 20, external: 2 ** 20, arrayBuffers: 0 },
    open: { rss: 120 * 2 ** 20, heapUsed: 30 * 2 ** 20, heapTotal: 40 * 2 ** 20, external: 2 ** 20, arrayBuffers: 0 },
    after: { rss: 118 * 2 ** 20, heapUsed: 21 * 2 ** 20, heapTotal: 40 * 2 ** 20, external: 2 ** 20, arrayBuffers: 0 },
    perStream: { rss: 20971.52, heapUsed: 10485.76, external: 0 },
    idleCpu: { none: 0.01, open: 0.05, seconds: 5 },
    gc: true,
    notes: [],
  };

  it("shows each database's latency, the memory per stream, and every target met or not", () => {
    const rows = new Map([
      ["events-create@none", row("events-create@none", [1000, 1100, 900])],
      ["events-create@streams", row("events-create@streams", [950, 990, 880])],
    ]);
    const missing = { ...result(300, 3), id: "events-latency@postgres", label: "PostgreSQL, 2 instances on one database" };
    const text = formatEvents(
      ["title"],
      [result(120), missing],
      memory,
      [...rows.values()],
      [ratioOf("REST create with 1000 open streams / none", rows, "events-create@streams", "events-create@none", 0.9)!],
      [latencyCheck(result(120), 250), latencyCheck(missing, 250)],
    );
    expect(text).toMatch(/^SQLite, 2 processes on one file\s+400\s+800\/800\s+40\s+120\s+130\s+1\.0/m);
    expect(text).toMatch(/^\s+! 3 of 800 deliveries never came$/m);
    expect(text).toMatch(/per open stream: 20,972 B of RSS, 10,486 B of heap, 0 B external/);
    expect(text).toMatch(/after a full GC in the server/);
    // The rounds' ratios are 0.95, 0.9 and 0.978: their median, 0.95, not the ratio of the medians.
    expect(text).toMatch(/^REST create with 1000 open streams \/ none\s+0\.95 x\s+>= 0\.90\s+PASS$/m);
    expect(text).toMatch(/^p99 commit-to-subscriber latency, SQLite, 2 processes on one file\s+120\.0 ms\s+<= 250\s+PASS$/m);
    expect(text).toMatch(/^p99 commit-to-subscriber latency, PostgreSQL, 2 instances on one database\s+300\.0 ms\s+<= 250\s+MISS$/m);
  });

  it("leaves out what was not measured", () => {
    const text = formatEvents(["title"], [], null, [], [], []);
    expect(text).not.toMatch(/latency|memory|throughput/);
  });
});
