/** Wire timestamps: UTC ISO 8601 with `Z` and whole seconds (`2026-03-16T12:00:00Z`). */
export function toWireTimestamp(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Whole seconds: stored expiries are what the wire shows, so a round trip never moves them. */
export function truncateToSecond(epochMs: number): number {
  return Math.floor(epochMs / 1000) * 1000;
}
