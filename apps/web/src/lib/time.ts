const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * How long an invite has left, short enough for a list row: `45s left`, `12m 5s left`,
 * `3h 20m left`, `6d 4h left`; `Never expires` without an expiry, `Expired` once it passed.
 * Seconds show only in the last hour, where a ticking clock is worth the noise.
 */
export function formatTimeLeft(expiresAt: string | null, nowMs: number): string {
  if (expiresAt === null) return "Never expires";
  const left = Date.parse(expiresAt) - nowMs;
  if (Number.isNaN(left)) return "Unknown expiry";
  if (left <= 0) return "Expired";
  // Round up, so "1s left" shows until the very last moment instead of "0s left".
  const totalSeconds = Math.ceil(left / SECOND);
  const days = Math.floor(totalSeconds / 86400);
  const hours = Math.floor((totalSeconds % 86400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (totalSeconds < 60) return `${seconds}s left`;
  if (totalSeconds < 3600) return `${minutes}m ${seconds}s left`;
  if (totalSeconds < 86400) return `${hours}h ${minutes}m left`;
  return `${days}d ${hours}h left`;
}

/** Whether an expiry has passed at `nowMs` (no expiry never passes). */
export function hasExpired(expiresAt: string | null, nowMs: number): boolean {
  return expiresAt !== null && Date.parse(expiresAt) <= nowMs;
}

/** How often a time-left label needs redrawing: every second in its last hour, else every 30 s. */
export function tickIntervalFor(expiresAts: readonly (string | null)[], nowMs: number): number | null {
  let soonest = Infinity;
  for (const expiresAt of expiresAts) {
    if (expiresAt === null) continue;
    const left = Date.parse(expiresAt) - nowMs;
    if (left > 0) soonest = Math.min(soonest, left);
  }
  if (soonest === Infinity) return null;
  return soonest <= HOUR ? SECOND : 30 * SECOND;
}

/** A date and time as the person reads it, in their own time zone: `Mar 16, 2026, 1:00 PM`. */
export function formatDateTime(iso: string, locale?: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(iso));
}

/** `5 minutes ago`, `yesterday`, `in 2 hours`: how far a moment is from now. */
export function formatRelative(iso: string, nowMs: number, locale?: string): string {
  const diff = Date.parse(iso) - nowMs;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (abs < MINUTE) return rtf.format(Math.round(diff / SECOND), "second");
  if (abs < HOUR) return rtf.format(Math.round(diff / MINUTE), "minute");
  if (abs < DAY) return rtf.format(Math.round(diff / HOUR), "hour");
  if (abs < 30 * DAY) return rtf.format(Math.round(diff / DAY), "day");
  if (abs < 365 * DAY) return rtf.format(Math.round(diff / (30 * DAY)), "month");
  return rtf.format(Math.round(diff / (365 * DAY)), "year");
}

/**
 * How long ago something happened: `5 minutes ago`. A moment a little ahead of `nowMs` is `now`:
 * what a live event brings in happened after the page's clock last ticked (and a server's clock may
 * run a little ahead of the browser's), not in the future.
 */
export function formatAgo(iso: string, nowMs: number, locale?: string): string {
  return formatRelative(iso, Math.max(nowMs, Date.parse(iso) || nowMs), locale);
}
