import { MAX_USES_LIMIT, PersonMessage } from "./errors";
import { hasExpired } from "./time";

/** The fields of an invite that decide whether it can still be used. */
export interface InviteUsageFacts {
  uses: number;
  max_uses: number | null;
  expires_at: string | null;
}

export interface UsageState {
  /** `1 / 2`, or `3 uses` when unlimited. */
  label: string;
  /** 0–100 fill of the uses bar; null when unlimited (no bar to fill). */
  percent: number | null;
  /** `1 use left`, `Unlimited uses`, `No uses left`. */
  left: string;
  /** Uses left; null when unlimited. */
  remaining: number | null;
  usedUp: boolean;
}

export function usageState(uses: number, maxUses: number | null): UsageState {
  if (maxUses === null) {
    return {
      label: `${uses} ${uses === 1 ? "use" : "uses"}`,
      percent: null,
      left: "Unlimited uses",
      remaining: null,
      usedUp: false,
    };
  }
  const remaining = Math.max(0, maxUses - uses);
  return {
    label: `${uses} / ${maxUses}`,
    percent: Math.min(100, Math.round((uses / maxUses) * 100)),
    left: remaining === 0 ? "No uses left" : `${remaining} ${remaining === 1 ? "use" : "uses"} left`,
    remaining,
    usedUp: remaining === 0,
  };
}

/** Whether an invite is still usable at `nowMs`, as the server counts it (revoked ones are never listed). */
export function isInviteActive(invite: InviteUsageFacts, nowMs: number): boolean {
  return !hasExpired(invite.expires_at, nowMs) && (invite.max_uses === null || invite.uses < invite.max_uses);
}

export function countActiveInvites(invites: readonly InviteUsageFacts[], nowMs: number): number {
  return invites.filter((invite) => isInviteActive(invite, nowMs)).length;
}

/** The link a person shares: `http://<host>/join/<code>`. */
export function joinLink(code: string, origin: string): string {
  return `${origin.replace(/\/+$/, "")}/join/${encodeURIComponent(code)}`;
}

/** The max-uses field as `max_uses` for `invite.create`: null for unlimited, a number otherwise. */
export type MaxUsesResult = { ok: true; maxUses: number | null } | { ok: false; error: string };

/**
 * Reads the max-uses field as a person types it: digits only (no `2.5`, no `1e3`, no `+5`), from 1
 * to the API's limit, so what the server would refuse is said next to the field before sending.
 */
export function resolveMaxUses(mode: "unlimited" | "limited", text: string): MaxUsesResult {
  if (mode === "unlimited") return { ok: true, maxUses: null };
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: PersonMessage.maxUsesEmpty };
  if (!/^\d+$/.test(trimmed)) return { ok: false, error: PersonMessage.maxUses };
  const value = Number(trimmed);
  if (value < 1 || value > MAX_USES_LIMIT) return { ok: false, error: PersonMessage.maxUses };
  return { ok: true, maxUses: value };
}

/**
 * Who created an invite, by name: the person, or whom `chat.people` named (the list carries only
 * `created_by_id`); the id only while the names are still on their way.
 */
export function creatorName(
  createdById: number | null,
  me: { id: number; username: string },
  people: ReadonlyMap<number, string>,
): string {
  if (createdById === null) return "a deleted user";
  if (createdById === me.id) return `${me.username} (you)`;
  return people.get(createdById) ?? "…";
}
