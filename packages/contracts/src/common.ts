import { z } from "zod";
import { INVITE_CODE_PATTERN } from "./patterns.js";

/** Largest value of a signed 32-bit integer: the upper bound of `max_uses`. */
export const MAX_INT32 = 2147483647;

/** UTC ISO 8601 with `Z` and whole seconds, as every timestamp on the wire: `2026-03-16T12:00:00Z`. */
export const timestampSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
  .meta({ description: "UTC ISO 8601 timestamp with whole seconds", example: "2026-03-16T12:00:00Z" });

/** Ids are 32-bit integer columns on both databases. */
const MAX_ID = MAX_INT32;

/** A positive integer id, named after the field it is in so the error names the field. */
export function idSchema(field: string) {
  const message = `${field} must be a positive integer (at most ${MAX_ID})`;
  return z.int({ error: message }).min(1, { error: message }).max(MAX_ID, { error: message });
}

export const chatIdSchema = idSchema("chat_id");

/** An invite code as it may appear in a path: 1–64 letters or digits. */
/** An invite code in a field named `field`: the messages name that field. */
export const inviteCodeFieldSchema = (field: string) =>
  z
    .string({ error: `${field} must be a string of 1 to 64 letters or digits` })
    .regex(INVITE_CODE_PATTERN, { error: `${field} must be 1 to 64 letters or digits (A-Z, a-z, 0-9)` });

export const inviteCodeSchema = inviteCodeFieldSchema("code");

export const visibilitySchema = z.enum(["private", "public", "official"]);
export type Visibility = z.infer<typeof visibilitySchema>;

export const errorBodySchema = z
  .object({
    error: z.string().meta({ description: "A message for a person: what is wrong and how to fix it" }),
    correlation_id: z.uuid({ version: "v4" }),
  })
  .meta({ id: "Error" });
export type ErrorBody = z.infer<typeof errorBodySchema>;

export const messageSchema = z.object({ message: z.string() }).meta({ id: "Message" });
export type MessageResult = z.infer<typeof messageSchema>;

/** An integer in a query string or a body, bounded, with a default when absent. */
export function boundedIntSchema(field: string, min: number, max: number, fallback: number) {
  const message = `${field} must be an integer from ${min} to ${max}`;
  return z.int({ error: message }).min(min, { error: message }).max(max, { error: message }).default(fallback);
}
