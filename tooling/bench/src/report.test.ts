/** The bench's ratios: by rate, and paired round by round when both figures have the same rounds. */
import { describe, expect, it } from "vitest";
import { formatReport, median, ratioOf, type Row } from "./report.js";

function row(id: string, rounds: number[], batch = "inprocess-empty"): Row {
  return { id, label: id, perSec: median(rounds), p50Ms: 0, p99Ms: 0, rounds, batch, cpuUsPerOp: 0, cpuShare: 1, notes: [] };
}

describe("ratioOf", () => {
  it("divides the rates of single-round figures and checks the target", () => {
    const rows = new Map([
      ["a", row("a", [800])],
      ["b", row("b", [1000])],
    ]);
    expect(ratioOf("a / b", rows, "a", "b", 0.8)).toMatchObject({ value: 0.8, pass: true });
    expect(ratioOf("a / b", rows, "a", "b", 0.81)).toMatchObject({ pass: false });
    expect(ratioOf("a / b", rows, "a", "b", null)).toMatchObject({ pass: null });
  });

  it("takes the median of per-round ratios when both were measured in the same rounds", () => {
    // The machine was twice as fast in rounds 3-5, and round 3 was slow for the service alone. Every
    // other round's ratio is 0.8; the medians of the rates (800 and 2,000) would give 0.4.
    const rows = new Map([
      ["service", row("service", [800, 800, 800, 1600, 1600])],
      ["raw", row("raw", [1000, 1000, 2000, 2000, 2000])],
    ]);
    expect(rows.get("service")!.perSec / rows.get("raw")!.perSec).toBe(0.4);
    expect(ratioOf("service / raw", rows, "service", "raw", 0.8)!.value).toBeCloseTo(0.8, 10);
  });

  it("divides the median rates of figures not measured side by side, and is null for a missing row", () => {
    const rows = new Map([
      ["a", row("a", [900, 1100, 1000])],
      ["b", row("b", [2000])],
      ["scale", row("scale", [700, 100, 600], "inprocess-scale")],
      ["empty", row("empty", [1000, 1000, 1000], "inprocess-empty")],
    ]);
    expect(ratioOf("a / b", rows, "a", "b", null)!.value).toBe(0.5);
    // Three rounds each, but in separate runs: round 2 of one has nothing to do with round 2 of the other.
    expect(ratioOf("scale / empty", rows, "scale", "empty", null)!.value).toBe(0.6);
    expect(ratioOf("a / c", rows, "a", "c", null)).toBeNull();
  });
});

describe("formatReport", () => {
  it("shows a third digit where two would round a ratio onto its target", () => {
    const rows = new Map([
      ["near", row("near", [897])],
      ["far", row("far", [850])],
      ["base", row("base", [1000])],
    ]);
    const text = formatReport([], [], [ratioOf("near", rows, "near", "base", 0.9)!, ratioOf("far", rows, "far", "base", 0.9)!], []);
    expect(text).toMatch(/^near\s+0\.897 x\s+>= 0\.90\s+MISS$/m);
    expect(text).toMatch(/^far\s+0\.85 x\s+>= 0\.90\s+MISS$/m);
  });
});
