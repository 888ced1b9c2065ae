import { toWireTimestamp } from "@portal/contracts/wire";

/** How long a chat's invites can be paused for (the API allows at most 30 days ahead). */
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

export const PAUSE_DURATIONS = [
  { id: "1h", label: "1 hour", ms: HOUR },
  { id: "8h", label: "8 hours", ms: 8 * HOUR },
  { id: "1d", label: "1 day", ms: DAY },
  { id: "7d", label: "7 days", ms: 7 * DAY },
  { id: "30d", label: "30 days", ms: 30 * DAY - 60_000 },
] as const;

/** The pause end for a duration counted from `nowMs`, as the UTC timestamp the API takes. */
export function pauseUntil(id: string, nowMs: number): string {
  const found = PAUSE_DURATIONS.find((d) => d.id === id) ?? PAUSE_DURATIONS[0];
  return toWireTimestamp(nowMs + found.ms);
}
