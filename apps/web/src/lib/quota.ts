import { MAX_ACTIVE_INVITES_PER_CHAT } from "@portal/core";

export type QuotaTone = "ok" | "warning" | "full";

export interface QuotaState {
  active: number;
  limit: number;
  remaining: number;
  full: boolean;
  /** 0–100, for the meter's fill. */
  percent: number;
  tone: QuotaTone;
  /** `12 / 20`, as the meter reads. */
  label: string;
  /** What the form says about the quota, for a person. */
  message: string;
}

/** How full a chat's invite quota is. Warns from 75% on, so a person sees the limit coming. */
export function quotaState(active: number, limit: number = MAX_ACTIVE_INVITES_PER_CHAT): QuotaState {
  const used = Math.max(0, Math.min(active, limit));
  const remaining = limit - used;
  const full = active >= limit;
  const tone: QuotaTone = full ? "full" : used >= Math.ceil(limit * 0.75) ? "warning" : "ok";
  let message: string;
  if (full) message = `This chat has reached its limit of ${limit} active invites. Revoke one to create another.`;
  else if (remaining === 1) message = "1 more invite can be created.";
  else message = `${remaining} more invites can be created.`;
  return {
    active,
    limit,
    remaining,
    full,
    percent: Math.round((used / limit) * 100),
    tone,
    label: `${active} / ${limit}`,
    message,
  };
}
