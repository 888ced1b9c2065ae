import type { ChatEventData, ChatEventType } from "@portal/contracts";
import { isInviteUsedUp } from "@portal/core";
import { insertChatEvent } from "../db/repositories/event.repository.js";
import type { InviteRow, UserRow } from "../db/schema.js";
import type { Steps } from "../db/steps.js";
import { toPublicUser } from "./mappers.js";

/**
 * Records a live event (SPEC section 11) as a step of the change's own write transaction:
 * `yield* recordEvent(chat.id, "invite.created", toInviteDto(row), now)`, after the change's
 * other steps (see `insertChatEvent` for why last). No change without its event, no event without
 * its change: a rollback takes both.
 */
export function recordEvent<T extends ChatEventType>(chatId: number, type: T, data: ChatEventData[T], now: number): Steps<void> {
  return insertChatEvent(chatId, type, data, now);
}

/**
 * A join through an invite, told: `member.joined` with the invite's uses after this join (`used`
 * is the invite as the join's conditional update returned it), then `invite.used_up` when the
 * join took the last use. The last steps of a join's transaction, and of an approval's.
 */
export function* recordInviteJoin(
  chatId: number,
  user: Pick<UserRow, "id" | "username" | "avatar_url">,
  used: Pick<InviteRow, "code" | "uses" | "max_uses">,
  now: number,
): Steps<void> {
  yield* recordEvent(chatId, "member.joined", { user: toPublicUser(user), method: "invite", invite_code: used.code, uses: used.uses }, now);
  if (isInviteUsedUp({ uses: used.uses, maxUses: used.max_uses })) yield* recordEvent(chatId, "invite.used_up", { code: used.code }, now);
}
