import { z } from "zod";
import { chatIdSchema, timestampSchema } from "./common.js";
import { inviteSchema } from "./invite.js";
import { activityMethodSchema, publicUserSchema } from "./chat.js";
import { inviteSettingsSchema, joinRequestSchema } from "./management.js";

/**
 * Live events (SPEC section 11): every change to a chat's invites and joins, recorded in the
 * change's own transaction and streamed to the chat's managers (REST Server-Sent Events and the
 * tRPC subscription `chat.events`). The documented shapes (the invite object, the settings, the
 * join request) are the events' data unchanged.
 */

/** How long events are kept for a reconnecting client (`EVENTS_RETENTION_DAYS`'s default). */
export const EVENTS_RETENTION_DAYS_DEFAULT = 7;
/** How many event streams one user may hold open at once, over every instance. */
export const MAX_EVENT_STREAMS_PER_USER = 10;
/** How often a stream with nothing to say sends a keep-alive (an SSE comment, or tRPC's ping). */
export const EVENT_STREAM_KEEPALIVE_MS = 15_000;

/**
 * An event's id: an opaque cursor to hand back as `Last-Event-ID`. It is written as the decimal
 * digits of a positive integer (the event table's id); clients must not read meaning into it.
 */
export const EVENT_ID_PATTERN = /^[1-9][0-9]{0,15}$/;
export const eventIdSchema = z.string().meta({ description: "Opaque cursor: hand it back as Last-Event-ID to resume after this event.", example: "1042" });

/** A `Last-Event-ID` (header, `?last_event_id=` or the tRPC input) as a client sends it. */
export const lastEventIdSchema = z
  .string({ error: "last_event_id must be the id of an event this stream sent" })
  .regex(EVENT_ID_PATTERN, { error: "last_event_id must be the id of an event this stream sent (digits only)" });

const codeData = z.object({ code: z.string() });

export const memberJoinedDataSchema = z.object({
  user: publicUserSchema,
  method: activityMethodSchema,
  invite_code: z.string().nullable(),
  uses: z.int().min(0).nullable().meta({ description: "The invite's use count after this join; null for a join without an invite." }),
});
export type MemberJoinedData = z.infer<typeof memberJoinedDataSchema>;

export const joinRequestDeclinedDataSchema = z.object({ user_id: z.int() });

/** Each event type with its data. */
export const chatEventDataSchemas = {
  "invite.created": inviteSchema,
  "invite.updated": inviteSchema,
  "invite.revoked": codeData,
  "invite.expired": codeData,
  "invite.used_up": codeData,
  "member.joined": memberJoinedDataSchema,
  "join_request.created": joinRequestSchema,
  "join_request.declined": joinRequestDeclinedDataSchema,
  "invite_settings.updated": inviteSettingsSchema,
} as const;

export type ChatEventType = keyof typeof chatEventDataSchemas;
export const CHAT_EVENT_TYPES = Object.keys(chatEventDataSchemas) as ChatEventType[];
export const chatEventTypeSchema = z.enum(CHAT_EVENT_TYPES as [ChatEventType, ...ChatEventType[]]);

export type ChatEventData = { [T in ChatEventType]: z.infer<(typeof chatEventDataSchemas)[T]> };

function eventOf<T extends ChatEventType>(type: T) {
  return z.object({
    id: eventIdSchema,
    type: z.literal(type),
    chat_id: z.int(),
    created_at: timestampSchema,
    data: chatEventDataSchemas[type],
  });
}

/** `{"id", "type", "chat_id", "created_at", "data"}`: one event, as both transports send it. */
export const chatEventSchema = z
  .discriminatedUnion("type", [
    eventOf("invite.created"),
    eventOf("invite.updated"),
    eventOf("invite.revoked"),
    eventOf("invite.expired"),
    eventOf("invite.used_up"),
    eventOf("member.joined"),
    eventOf("join_request.created"),
    eventOf("join_request.declined"),
    eventOf("invite_settings.updated"),
  ])
  .meta({ id: "ChatEvent" });
export type ChatEvent = z.infer<typeof chatEventSchema>;

/**
 * tRPC `chat.events`: the chat, and where to resume. `lastEventId` is what tRPC's
 * `httpSubscriptionLink` adds by itself when it reconnects a tracked subscription; it means the
 * same as `last_event_id`, and wins when both are sent (it is the newer).
 */
export const chatEventsInputSchema = z.strictObject({
  chat_id: chatIdSchema,
  last_event_id: lastEventIdSchema.nullish(),
  lastEventId: lastEventIdSchema.nullish(),
});
export type ChatEventsInput = z.infer<typeof chatEventsInputSchema>;
