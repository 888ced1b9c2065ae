import { ErrorMessage } from "@portal/contracts";
import { chatAccess, type ActorRef, type ChatAccessFacts, type PermissionLevel } from "@portal/core";
import type { Kysely } from "kysely";
import { findChatWithAccessFacts, type ChatAccessRow, type ChatWithAccessFacts } from "../db/repositories/chat.repository.js";
import type { DB, UserRow } from "../db/schema.js";
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
export async function requireManageableChat(db: Kysely<DB>, actor: UserRow, chatId: number): Promise<ChatWithAccessFacts> {
  return assertManageableChat(actor, await findChatWithAccessFacts(db, chatId, actor.id));
}
