import { toWireTimestamp, type ChatEvent, type ChatEventData, type ChatEventType } from "@portal/contracts";
import { insertChatEvent } from "../db/repositories/event.repository.js";
import type { ChatEventRow } from "../db/schema.js";
import type { Steps } from "../db/steps.js";

/**
 * Records a live event (SPEC section 11) as a step of the change's own write transaction:
 * `yield* recordEvent(chat.id, "invite.created", toInviteDto(row), now)`, after the change's
 * other steps (see `insertChatEvent` for why last). No change without its event, no event without
 * its change: a rollback takes both.
 */
export function recordEvent<T extends ChatEventType>(chatId: number, type: T, data: ChatEventData[T], now: number): Steps<void> {
  return insertChatEvent(chatId, type, data, now);
}

/** A stored event as both transports send it. */
export function toChatEvent(row: ChatEventRow): ChatEvent {
  return {
    id: String(row.id),
    type: row.type,
    chat_id: row.chat_id,
    created_at: toWireTimestamp(row.created_at),
    data: JSON.parse(row.data),
  } as ChatEvent;
}
