/** The live-events benchmark's figures and its table (events.ts), beside the main table's rows and targets. */
import { rowLines, targetLines, type LatencyCheck, type Ratio, type Row } from "./report.js";

/**
 * The p-th percentile (0 < p ≤ 100) by nearest rank: the smallest value with at least p % of the
 * values at or below it. Always one of the values (no interpolation), so a p99 of 300 samples is
 * the 297th smallest; NaN for no values.
 */
export function percentile(values: number[], p: number): number {
  if (!(p > 0 && p <= 100)) throw new Error(`percentile: p must be in (0, 100], got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarizeLatency(values: number[]): LatencySummary {
  return {
    count: values.length,
    min: values.length === 0 ? Number.NaN : Math.min(...values),
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
  };
}

/** One database's commit-to-subscriber latency, writer on instance A and subscribers on instance B. */
export interface LatencyResult {
  id: string;
  label: string;
  /** Measured creates (the warm-up's are not counted). */
  events: number;
  /** Deliveries expected: every measured create to every stream watching its chat. */
  expected: number;
  /** Receive time minus the time the writer had its 201 (same clock: the bench process). */
  fromResponse: LatencySummary;
  /** Receive time minus the event's `created_at` as stored (milliseconds; the wire has whole seconds). */
  fromCreatedAt: LatencySummary | null;
  /** The writer's own create latency, request sent to 201 read. */
  writer: LatencySummary;
  /** Deliveries that never came (within the deadline after the last create). */
  missing: number;
  duplicates: number;
  /** Events a stream got with an id lower than one it had before. */
  outOfOrder: number;
  notes: string[];
}

/** process.memoryUsage() of the server, bytes. */
export interface MemorySample {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

export interface MemoryResult {
  streams: number;
  /** The median of several samples, each after a full GC in the server. */
  before: MemorySample;
  open: MemorySample;
  after: MemorySample;
  /** (open − before) / streams, bytes. */
  perStream: { rss: number; heapUsed: number; external: number };
  /** The server's CPU over wall time, idle, with no stream and with every stream open. */
  idleCpu: { none: number; open: number; seconds: number };
  /** Whether the samples came after a GC in the server (--expose-gc and the bench's probe). */
  gc: boolean;
  notes: string[];
}

const MB = 1024 * 1024;

function ms(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  return Math.abs(value) < 10 ? value.toFixed(1) : value.toFixed(0);
}

function pad(text: string, width: number, right = true): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

const bytes = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export function latencyLines(results: LatencyResult[]): string[] {
  if (results.length === 0) return [];
  const labelWidth = Math.max(30, ...results.map((r) => r.label.length)) + 2;
  const lines = [
    "commit-to-subscriber latency, ms (receive minus the writer's 201; `stored` against the event's created_at)",
    `${pad("database", labelWidth, false)}${pad("events", 8)}${pad("got", 11)}${pad("p50", 7)}${pad("p99", 7)}${pad("max", 7)}${pad("min", 7)}${pad("stored p50", 12)}${pad("p99", 7)}${pad("201 p50", 9)}${pad("p99", 7)}`,
  ];
  lines.push("-".repeat(labelWidth + 82));
  for (const r of results) {
    const f = r.fromResponse;
    const c = r.fromCreatedAt;
    lines.push(
      `${pad(r.label, labelWidth, false)}${pad(String(r.events), 8)}${pad(`${f.count}/${r.expected}`, 11)}${pad(ms(f.p50), 7)}${pad(ms(f.p99), 7)}${pad(ms(f.max), 7)}${pad(ms(f.min), 7)}` +
        `${pad(c ? ms(c.p50) : "n/a", 12)}${pad(c ? ms(c.p99) : "n/a", 7)}${pad(ms(r.writer.p50), 9)}${pad(ms(r.writer.p99), 7)}`,
    );
    const notes = [...r.notes];
    if (r.missing > 0) notes.push(`${r.missing} of ${r.expected} deliveries never came`);
    if (r.duplicates > 0) notes.push(`${r.duplicates} deliveries came twice`);
    if (r.outOfOrder > 0) notes.push(`${r.outOfOrder} events came after a later one`);
    for (const note of notes) lines.push(`    ! ${note}`);
  }
  return lines;
}

export function memoryLines(memory: MemoryResult | null): string[] {
  if (!memory) return [];
  const row = (name: string, m: MemorySample) =>
    `${pad(name, 26, false)}${pad((m.rss / MB).toFixed(1), 9)}${pad((m.heapUsed / MB).toFixed(1), 11)}${pad((m.heapTotal / MB).toFixed(1), 12)}${pad(((m.external + m.arrayBuffers) / MB).toFixed(1), 14)}`;
  const lines = [
    `server memory with ${memory.streams} open streams, MB (median of samples${memory.gc ? ", each after a full GC in the server" : ", no GC forced"})`,
    `${pad("", 26, false)}${pad("RSS", 9)}${pad("heap used", 11)}${pad("heap total", 12)}${pad("external+AB", 14)}`,
    "-".repeat(72),
    row("no stream", memory.before),
    row(`${memory.streams} streams open`, memory.open),
    row("all closed again", memory.after),
    `per open stream: ${bytes.format(memory.perStream.rss)} B of RSS, ${bytes.format(memory.perStream.heapUsed)} B of heap, ${bytes.format(memory.perStream.external)} B external`,
    `idle server CPU over ${memory.idleCpu.seconds} s: ${(100 * memory.idleCpu.none).toFixed(1)} % of a core with no stream, ${(100 * memory.idleCpu.open).toFixed(1)} % with ${memory.streams}`,
  ];
  for (const note of memory.notes) lines.push(`    ! ${note}`);
  return lines;
}

/** The latency target: p99 ≤ maxMs, and every delivery came (a missing one has no latency to count). */
export function latencyCheck(result: LatencyResult, maxMs: number): LatencyCheck {
  return {
    name: `p99 commit-to-subscriber latency, ${result.label}`,
    row: result.id,
    p99Ms: result.fromResponse.p99,
    maxMs,
    pass: result.missing === 0 && result.fromResponse.p99 <= maxMs,
  };
}

/** The whole events table: the latency and memory sections, the throughput rows, then every target. */
export function formatEvents(header: string[], latency: LatencyResult[], memory: MemoryResult | null, rows: Row[], ratios: Ratio[], checks: LatencyCheck[]): string {
  const lines = [...header];
  const sections = [latencyLines(latency), memoryLines(memory)];
  if (rows.length > 0) sections.push(["REST create throughput with open event streams against none (alternating rounds)", ...rowLines(rows)]);
  if (ratios.length > 0 || checks.length > 0) sections.push(targetLines(ratios, checks));
  for (const section of sections) if (section.length > 0) lines.push("", ...section);
  return `${lines.join("\n")}\n`;
}
