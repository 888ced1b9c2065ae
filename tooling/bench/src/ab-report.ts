/**
 * The A/B comparison's arithmetic (ab.ts): two server builds measured alternately, round by round,
 * on the same database set-up; each round gives a ratio B/A of the rate and of the server CPU per
 * request, and the figure reported is the median of those ratios (a change of machine load between
 * rounds moves both sides of one round alike, so it cancels in the ratio, not in the raw figures).
 */
import { median } from "./report.js";

export type Side = "A" | "B";

export interface AbRun {
  scenario: string;
  side: Side;
  round: number;
  reqPerSec: number;
  /** Server CPU time (user + system) per request while measured, in microseconds. */
  cpuUsPerReq: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** The hypervisor's share of the machine's CPU time while measured, when known. */
  steal: number | null;
  notes: string[];
}

export interface AbSummary {
  scenario: string;
  rounds: number;
  a: { reqPerSec: number; cpuUsPerReq: number };
  b: { reqPerSec: number; cpuUsPerReq: number };
  /** B/A per round, in round order, and their median: above 1, B serves more. */
  rateRatios: number[];
  rateRatio: number;
  /** B/A per round, in round order, and their median: above 1, B spends more CPU per request. */
  cpuRatios: number[];
  cpuRatio: number;
  /** Whether B is within `tolerance` of A on both: rate ratio ≥ 1 − t and CPU ratio ≤ 1 + t. */
  within: boolean;
}

/** Pairs A and B by round (rounds with only one side are skipped) and takes the median ratios. */
export function summarizeAb(scenario: string, runs: AbRun[], tolerance = 0.05): AbSummary {
  const mine = runs.filter((r) => r.scenario === scenario);
  const rounds = [...new Set(mine.map((r) => r.round))].sort((x, y) => x - y);
  const rateRatios: number[] = [];
  const cpuRatios: number[] = [];
  for (const round of rounds) {
    const a = mine.find((r) => r.round === round && r.side === "A");
    const b = mine.find((r) => r.round === round && r.side === "B");
    if (!a || !b) continue;
    rateRatios.push(b.reqPerSec / a.reqPerSec);
    cpuRatios.push(b.cpuUsPerReq / a.cpuUsPerReq);
  }
  const side = (s: Side) => {
    const of = mine.filter((r) => r.side === s);
    return { reqPerSec: median(of.map((r) => r.reqPerSec)), cpuUsPerReq: median(of.map((r) => r.cpuUsPerReq)) };
  };
  const rateRatio = median(rateRatios);
  const cpuRatio = median(cpuRatios);
  return {
    scenario,
    rounds: rateRatios.length,
    a: side("A"),
    b: side("B"),
    rateRatios,
    rateRatio,
    cpuRatios,
    cpuRatio,
    within: rateRatio >= 1 - tolerance && cpuRatio <= 1 + tolerance,
  };
}

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : "–");

/** The table ab.ts prints. */
export function formatAb(header: string[], summaries: AbSummary[], tolerance = 0.05): string {
  const lines = [...header, ""];
  lines.push(
    `${"scenario".padEnd(14)}${"rounds".padStart(7)}${"A req/s".padStart(10)}${"B req/s".padStart(10)}${"B/A req/s".padStart(11)}` +
      `${"A µs/req".padStart(10)}${"B µs/req".padStart(10)}${"B/A CPU".padStart(9)}  within ${Math.round(tolerance * 100)} %`,
  );
  lines.push("-".repeat(98));
  for (const s of summaries) {
    lines.push(
      `${s.scenario.padEnd(14)}${String(s.rounds).padStart(7)}${fixed(s.a.reqPerSec, 0).padStart(10)}${fixed(s.b.reqPerSec, 0).padStart(10)}` +
        `${fixed(s.rateRatio, 3).padStart(11)}${fixed(s.a.cpuUsPerReq, 0).padStart(10)}${fixed(s.b.cpuUsPerReq, 0).padStart(10)}` +
        `${fixed(s.cpuRatio, 3).padStart(9)}  ${s.within ? "yes" : "NO"}`,
    );
  }
  lines.push("");
  for (const s of summaries) {
    lines.push(`${s.scenario}: B/A req/s by round ${s.rateRatios.map((r) => r.toFixed(3)).join(" ")}; B/A CPU by round ${s.cpuRatios.map((r) => r.toFixed(3)).join(" ")}`);
  }
  return `${lines.join("\n")}\n`;
}
