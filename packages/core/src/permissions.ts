/**
 * Who may do what (SPEC section 2). Pure predicates over plain data: no I/O, no clock.
 */

export const PermissionLevel = { User: 0, Mod: 1, Admin: 2, Owner: 3 } as const;
export type PermissionLevel = (typeof PermissionLevel)[keyof typeof PermissionLevel];

export const PERMISSION_LEVEL_NAMES = ["user", "mod", "admin", "owner"] as const;
export type PermissionLevelName = (typeof PERMISSION_LEVEL_NAMES)[number];

export type Visibility = "private" | "public" | "official";

export interface ActorRef {
  id: number;
  level: PermissionLevel;
}

export interface ChatAccessFacts {
  ownerId: number | null;
  /** The owner's permission level; null when the chat has no owner. */
  ownerLevel: PermissionLevel | null;
  visibility: Visibility;
}

export function isPermissionLevel(value: unknown): value is PermissionLevel {
  return value === 0 || value === 1 || value === 2 || value === 3;
}

export function permissionLevelFromName(name: string): PermissionLevel | null {
  const index = (PERMISSION_LEVEL_NAMES as readonly string[]).indexOf(name);
  return isPermissionLevel(index) ? index : null;
}

/** An actor can act on a target of a lower level; Owners can act on each other. */
export function canActOn(actorLevel: PermissionLevel, targetLevel: PermissionLevel): boolean {
  return actorLevel > targetLevel || (actorLevel === PermissionLevel.Owner && targetLevel === PermissionLevel.Owner);
}

/** `can_manage_room`: the owner always; a private chat nobody else; otherwise whoever can act on the owner. */
export function canManageChat(actor: ActorRef, chat: ChatAccessFacts): boolean {
  if (chat.ownerId !== null && chat.ownerId === actor.id) return true;
  if (chat.visibility === "private") return false;
  // Decision (SPEC 2): a public/official chat without an owner is managed by Admins and Owners.
  if (chat.ownerId === null || chat.ownerLevel === null) return actor.level >= PermissionLevel.Admin;
  return canActOn(actor.level, chat.ownerLevel);
}

/** A chat is visible when it is public/official, or the actor owns it or is a member. */
export function canSeeChat(actor: ActorRef, chat: ChatAccessFacts, isMember: boolean): boolean {
  return chat.visibility !== "private" || chat.ownerId === actor.id || isMember;
}

export type ChatAccess = "manage" | "see" | "none";

/**
 * What the actor may do with a chat: manage it, only see it (403 on management routes),
 * or not even know it exists (404).
 */
export function chatAccess(actor: ActorRef, chat: ChatAccessFacts, isMember: boolean): ChatAccess {
  if (canManageChat(actor, chat)) return "manage";
  return canSeeChat(actor, chat, isMember) ? "see" : "none";
}
