import { z } from "zod";
import { isIsoDateTimeWithOffset, MAX_WIRE_TIMESTAMP, MAX_WIRE_TIMESTAMP_MS, MIN_WIRE_TIMESTAMP, MIN_WIRE_TIMESTAMP_MS } from "./wire.js";

/**
 * A timestamp a client sends: an ISO 8601 date-time with a UTC offset (`Z` or `±hh:mm`), whose
 * instant the wire format can write back (no later than 9999-12-31T23:59:59Z, no earlier than
 * year 0000). Every timestamp input goes through this, so each gets both rules; the messages name
 * `field`. `formatMessage` replaces the format message (an input that may also be null says so).
 */
export function timestampInputSchema(field: string, formatMessage?: string) {
  const format = formatMessage ?? `${field} must be an ISO 8601 date-time with a UTC offset, such as 2026-05-01T00:00:00Z`;
  return z
    .string({ error: format })
    .refine(isIsoDateTimeWithOffset, { error: format, abort: true })
    .refine((value) => Date.parse(value) <= MAX_WIRE_TIMESTAMP_MS, { error: `${field} must be no later than ${MAX_WIRE_TIMESTAMP}`, abort: true })
    .refine((value) => Date.parse(value) >= MIN_WIRE_TIMESTAMP_MS, { error: `${field} must be no earlier than ${MIN_WIRE_TIMESTAMP}` });
}
