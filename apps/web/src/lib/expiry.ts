import { toWireTimestamp } from "@portal/contracts/wire";
import { PersonMessage } from "./errors";

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** The expiry choices offered next to "Never" and a custom date. */
export const EXPIRY_PRESETS = [
  { id: "30m", label: "30 minutes", ms: 30 * 60 * 1000 },
  { id: "1h", label: "1 hour", ms: HOUR },
  { id: "6h", label: "6 hours", ms: 6 * HOUR },
  { id: "12h", label: "12 hours", ms: 12 * HOUR },
  { id: "1d", label: "1 day", ms: DAY },
  { id: "7d", label: "7 days", ms: 7 * DAY },
  { id: "30d", label: "30 days", ms: 30 * DAY },
] as const;

export type ExpiryPresetId = (typeof EXPIRY_PRESETS)[number]["id"];

/** What the form's expiry field holds. `local` is a `datetime-local` value in the person's time zone. */
export type ExpiryChoice =
  | { kind: "never" }
  | { kind: "preset"; preset: ExpiryPresetId }
  | { kind: "custom"; local: string };

export type ExpiryResult = { ok: true; expiresAt: string | null } | { ok: false; error: string };

export function isExpiryPresetId(value: string): value is ExpiryPresetId {
  return EXPIRY_PRESETS.some((p) => p.id === value);
}

/** A preset counted from `nowMs`, as the UTC timestamp the API takes. */
export function presetToUtc(preset: ExpiryPresetId, nowMs: number): string {
  const found = EXPIRY_PRESETS.find((p) => p.id === preset);
  if (!found) throw new Error(`unknown expiry preset ${preset}`);
  return toWireTimestamp(nowMs + found.ms);
}

const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;

/**
 * A `datetime-local` value (`2026-05-01T14:30`), read as a wall-clock time in the runtime's time
 * zone, as the UTC timestamp the API takes. Null for text that is not such a value, for dates that
 * do not exist (February 30th) and for times a clock change skips (02:30 on a spring-forward night):
 * the browser would quietly move those to another time.
 */
export function localDateTimeToUtc(local: string): string | null {
  const match = LOCAL_DATE_TIME.exec(local);
  if (!match) return null;
  const [year, month, day, hour, minute, second] = match.slice(1).map((part) => Number(part ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const date = new Date(year, month - 1, day, hour, minute, second);
  const sameWallClock =
    date.getFullYear() === year &&
    date.getMonth() === month - 1 &&
    date.getDate() === day &&
    date.getHours() === hour &&
    date.getMinutes() === minute;
  return sameWallClock ? toWireTimestamp(date.getTime()) : null;
}

/** The `datetime-local` value of a moment in the runtime's time zone, to the minute. */
export function toLocalDateTimeValue(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The form's expiry choice as `expires_at` for `invite.create`. What the server would refuse is
 * said here first, in a person's words: an empty, impossible or already past local time.
 */
export function resolveExpiry(choice: ExpiryChoice, nowMs: number): ExpiryResult {
  switch (choice.kind) {
    case "never":
      return { ok: true, expiresAt: null };
    case "preset":
      return { ok: true, expiresAt: presetToUtc(choice.preset, nowMs) };
    case "custom": {
      if (choice.local.trim() === "") return { ok: false, error: "Choose a date and time for the invite to expire" };
      const utc = localDateTimeToUtc(choice.local);
      if (utc === null) return { ok: false, error: "That date and time does not exist in your time zone; choose another" };
      if (Date.parse(utc) <= nowMs) return { ok: false, error: PersonMessage.expiryPast };
      return { ok: true, expiresAt: utc };
    }
  }
}

/** The person's IANA time zone (`Europe/Berlin`), to say in which zone a custom date is read. */
export function currentTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "your local time zone";
}

function zonePart(style: "longGeneric" | "longOffset", nowMs: number, locale?: string, timeZone?: string): string | null {
  try {
    const parts = new Intl.DateTimeFormat(locale, { timeZoneName: style, timeZone }).formatToParts(nowMs);
    return parts.find((part) => part.type === "timeZoneName")?.value ?? null;
  } catch {
    return null;
  }
}

/**
 * The person's time zone as people name it, with its offset: `Central European Time (GMT+01:00)`,
 * `India Standard Time (GMT+05:30)`, never a raw (or old) id such as `Asia/Calcutta`. The id only
 * when the runtime has no name for it.
 */
export function timeZoneLabel(nowMs: number, locale?: string, timeZone?: string): string {
  const name = zonePart("longGeneric", nowMs, locale, timeZone);
  const offset = zonePart("longOffset", nowMs, locale, timeZone);
  if (name && !/^GMT[+-]/.test(name)) return offset && offset !== name ? `${name} (${offset})` : name;
  if (offset) return offset;
  return timeZone ?? currentTimeZone();
}
