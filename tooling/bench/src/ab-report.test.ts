/** The A/B comparison pairs the two builds round by round and reports the median of the ratios. */
import { describe, expect, it } from "vitest";
import { formatAb, summarizeAb, type AbRun } from "./ab-report.js";

function run(side: "A" | "B", round: number, reqPerSec: number, cpuUsPerReq: number, scenario = "rest-create"): AbRun {
  return { scenario, side, round, reqPerSec, cpuUsPerReq, p50Ms: 1, p99Ms: 2, requests: reqPerSec * 10, steal: null, notes: [] };
}

describe("summarizeAb", () => {
  it("takes the median of the per-round ratios, not the ratio of the medians", () => {
    // The machine's load halves both sides' rate in round 2: the round's ratio is unchanged.
    const runs = [run("A", 1, 1000, 500), run("B", 1, 950, 520), run("A", 2, 500, 1000), run("B", 2, 490, 1010), run("A", 3, 800, 600), run("B", 3, 800, 630)];
    const s = summarizeAb("rest-create", runs);
    expect(s.rounds).toBe(3);
    expect(s.rateRatios.map((r) => r.toFixed(3))).toEqual(["0.950", "0.980", "1.000"]);
    expect(s.rateRatio).toBeCloseTo(0.98, 6);
    expect(s.cpuRatios.map((r) => r.toFixed(3))).toEqual(["1.040", "1.010", "1.050"]);
    expect(s.cpuRatio).toBeCloseTo(1.04, 6);
    expect(s.within).toBe(true);
    expect(s.a.reqPerSec).toBe(800);
    expect(s.b.cpuUsPerReq).toBe(630);
  });

  it("says B is not within the tolerance when its CPU per request is more than 5 % above A's", () => {
    const runs = [run("A", 1, 1000, 500), run("B", 1, 1000, 540), run("A", 2, 1000, 500), run("B", 2, 1000, 530)];
    const s = summarizeAb("rest-create", runs);
    expect(s.cpuRatio).toBeCloseTo(1.07, 6);
    expect(s.within).toBe(false);
  });

  it("skips a round that has only one side and keeps scenarios apart", () => {
    const runs = [run("A", 1, 1000, 500), run("B", 1, 1100, 450), run("A", 2, 1000, 500), run("B", 1, 5, 5, "trpc-create")];
    const s = summarizeAb("rest-create", runs);
    expect(s.rounds).toBe(1);
    expect(s.rateRatio).toBeCloseTo(1.1, 6);
    expect(formatAb(["header"], [s])).toContain("rest-create");
  });
});
