import { ErrorMessage } from "@portal/contracts";
import { chatAccess, type ActorRef, type ChatAccessFacts, type PermissionLevel } from "@portal/core";
import { findChatWithAccessFacts, type ChatAccessRow, type ChatWithAccessFacts } from "../db/repositories/chat.repository.js";
import type { UserRow } from "../db/schema.js";
import type { Steps } from "../db/steps.js";
import { forbidden, notFound } from "./errors.js";
import { levelOf } from "./mappers.js";

export function actorOf(user: UserRow): ActorRef {
  return { id: user.id, level: levelOf(user) };
}

export function accessFactsOf(chat: Pick<ChatAccessRow, "owner_id" | "owner_level" | "visibility">): ChatAccessFacts {
  return {
    ownerId: chat.owner_id,
    ownerLevel: chat.owner_level === null ? null : (chat.owner_level as PermissionLevel),
    visibility: chat.visibility,
  };
}

/**
 * The chat, when the actor may manage it: 404 when they cannot even see it (no existence leak),
 * 403 when they can see but not manage it.
 */
export function assertManageableChat<C extends ChatAccessRow>(actor: UserRow, chat: C | undefined): C {
  if (!chat) throw notFound(ErrorMessage.chatNotFound);
  const access = chatAccess(actorOf(actor), accessFactsOf(chat), chat.is_member === 1);
  if (access === "none") throw notFound(ErrorMessage.chatNotFound);
  if (access === "see") throw forbidden();
  return chat;
}

/** The chat, when the actor may manage it (see `assertManageableChat`). */
export function* requireManageableChat(actor: UserRow, chatId: number): Steps<ChatWithAccessFacts> {
  return assertManageableChat(actor, yield* findChatWithAccessFacts(chatId, actor.id));
}
