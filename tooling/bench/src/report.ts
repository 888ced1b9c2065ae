/** The benchmark's table and ratio lines, and the targets they are checked against. */

export interface Row {
  id: string;
  label: string;
  /** Requests (or, in-process, creates) per second: the median of the rounds. */
  perSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Every round's rate, in the order run. */
  rounds: number[];
  /**
   * Which figures were measured side by side, round by round: every HTTP scenario in each round is
   * in "http"; the in-process paths of one database in "inprocess-<db>".
   */
  batch: string;
  /** CPU time the server (in-process: the process) used per request, in microseconds. */
  cpuUsPerOp: number;
  /** How much of one core the server got while measured (1 = a whole core): below ~0.9 it was starved. */
  cpuShare: number;
  /** Anything that makes the figure suspect (unexpected statuses, errors, reused sessions). */
  notes: string[];
}

export interface Ratio {
  name: string;
  /** What is divided by what, by row id. */
  numerator: string;
  denominator: string;
  value: number;
  /** The target: value ≥ min; null for a figure shown for information. */
  min: number | null;
  /** null when there is no target. */
  pass: boolean | null;
}

export interface LatencyCheck {
  name: string;
  row: string;
  p99Ms: number;
  /** The target: p99 ≤ maxMs; null for a figure shown for information. */
  maxMs: number | null;
  pass: boolean | null;
}

const number = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/**
 * `numerator` over `denominator`, by rate. When both were measured side by side in the same
 * rounds (one `batch`: the in-process paths of a database, each round running all three; HTTP
 * scenarios with BENCH_ROUNDS > 1), the median of the per-round ratios: a change of machine speed
 * between rounds then cancels out, where a ratio of the two medians could take them from different rounds.
 */
export function ratioOf(name: string, rows: Map<string, Row>, numerator: string, denominator: string, min: number | null): Ratio | null {
  const top = rows.get(numerator);
  const bottom = rows.get(denominator);
  if (!top || !bottom) return null;
  const paired =
    top.batch === bottom.batch && top.rounds.length > 1 && top.rounds.length === bottom.rounds.length && bottom.rounds.every((rate) => rate > 0);
  const value = paired
    ? median(top.rounds.map((rate, i) => rate / bottom.rounds[i]!))
    : bottom.perSec > 0
      ? top.perSec / bottom.perSec
      : Number.NaN;
  return { name, numerator, denominator, value, min, pass: min === null ? null : value >= min };
}

export function latencyCheckOf(name: string, rows: Map<string, Row>, id: string, maxMs: number | null): LatencyCheck | null {
  const row = rows.get(id);
  if (!row) return null;
  return { name, row: id, p99Ms: row.p99Ms, maxMs, pass: maxMs === null ? null : row.p99Ms <= maxMs };
}

/** The scenario table: one line per row, with its `!` notes. */
export function rowLines(rows: Row[]): string[] {
  const labelWidth = Math.max(40, ...rows.map((r) => r.label.length)) + 2;
  const lines: string[] = [];
  const multiRound = rows.some((r) => r.rounds.length > 1);
  lines.push(
    `${pad("scenario", labelWidth)}${pad("req/s", 10, true)}${pad("p50 ms", 10, true)}${pad("p99 ms", 10, true)}${pad("CPU µs/req", 12, true)}${pad("core", 7, true)}  ${multiRound ? "rounds (req/s)" : ""}`,
  );
  lines.push("-".repeat(labelWidth + 51 + (multiRound ? 16 : 0)));
  for (const row of rows) {
    const digits = row.p99Ms < 1 ? 3 : row.p99Ms < 10 ? 2 : 1;
    let line = `${pad(row.label, labelWidth)}${pad(number.format(row.perSec), 10, true)}${pad(fixed(row.p50Ms, digits), 10, true)}${pad(fixed(row.p99Ms, digits), 10, true)}`;
    line += `${pad(Number.isFinite(row.cpuUsPerOp) ? number.format(row.cpuUsPerOp) : "n/a", 12, true)}${pad(Number.isFinite(row.cpuShare) ? `${Math.round(row.cpuShare * 100)}%` : "n/a", 7, true)}`;
    if (multiRound) line += `  ${row.rounds.map((r) => number.format(r)).join(" / ")}`;
    lines.push(line);
    for (const note of row.notes) lines.push(`${" ".repeat(4)}! ${note}`);
  }
  return lines;
}

/** The targets: every ratio and latency check with its target and PASS (met), MISS (not met) or info. */
export function targetLines(ratios: Ratio[], checks: LatencyCheck[]): string[] {
  const lines: string[] = [];
  const nameWidth = Math.max(50, ...ratios.map((r) => r.name.length), ...checks.map((c) => c.name.length)) + 2;
  lines.push(`${pad("target", nameWidth)}${pad("measured", 10, true)}${pad("target", 10, true)}  result`);
  lines.push("-".repeat(nameWidth + 28));
  for (const ratio of ratios) {
    const target = ratio.min === null ? "" : `>= ${fixed(ratio.min, 2)}`;
    const result = ratio.pass === null ? "info" : ratio.pass ? "PASS" : "MISS";
    // A third digit where two would round onto the target (0.897 is not 0.90).
    const digits = ratio.min !== null && Math.abs(ratio.value - ratio.min) < 0.005 ? 3 : 2;
    lines.push(`${pad(ratio.name, nameWidth)}${pad(`${fixed(ratio.value, digits)} x`, 10, true)}${pad(target, 10, true)}  ${result}`);
  }
  for (const check of checks) {
    const target = check.maxMs === null ? "" : `<= ${check.maxMs}`;
    const result = check.pass === null ? "info" : check.pass ? "PASS" : "MISS";
    lines.push(`${pad(check.name, nameWidth)}${pad(`${fixed(check.p99Ms, 1)} ms`, 10, true)}${pad(target, 10, true)}  ${result}`);
  }
  return lines;
}

/** The table: one line per scenario, then the ratios and the latency checks with PASS or MISS. */
export function formatReport(header: string[], rows: Row[], ratios: Ratio[], checks: LatencyCheck[]): string {
  return `${[...header, "", ...rowLines(rows), "", ...targetLines(ratios, checks)].join("\n")}\n`;
}

export function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
