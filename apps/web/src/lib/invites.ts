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
 * Reads the max-uses field. Only an empty field is caught here; anything else typed as a number is
 * sent as is, so the server's own words explain what is wrong with it (`max_uses must be at least 1`).
 */
export function resolveMaxUses(mode: "unlimited" | "limited", text: string): MaxUsesResult {
  if (mode === "unlimited") return { ok: true, maxUses: null };
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, error: "Enter how many times the invite can be used, or choose Unlimited" };
  const value = Number(trimmed);
  if (!Number.isFinite(value)) return { ok: false, error: "Max uses must be a whole number, such as 5" };
  return { ok: true, maxUses: value };
}

/**
 * Who created an invite, from what the page knows (the list carries only `created_by_id`): the
 * person, the chat's owner, or else the id.
 */
export function creatorName(
  createdById: number | null,
  me: { id: number; username: string },
  owner: { id: number; username: string } | null | undefined,
): string {
  if (createdById === null) return "a deleted user";
  if (createdById === me.id) return `${me.username} (you)`;
  if (owner && createdById === owner.id) return owner.username;
  return `user #${createdById}`;
}
