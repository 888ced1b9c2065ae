import { isInviteUsedUp } from "@portal/core";
import { listExpiryPending, markExpiryRecorded } from "../db/repositories/invite.repository.js";
import { readSteps, writeTransaction, type Steps } from "../db/steps.js";
import type { ServiceDeps } from "./context.js";
import { recordEvent } from "./events.js";

/*
 * `invite.expired` (SPEC section 11): nothing happens at the moment an invite's expiry passes, so a
 * sweep on every instance looks for passed expiries not yet told and tells each exactly once,
 * however many instances sweep at the same moment.
 */

export interface ExpirySweepLimits {
  /** Invites one read picks up at most. */
  batchSize: number;
  /** Reads one sweep makes at most; the next sweep goes on. */
  maxBatches: number;
  /** Checked between invites: a shutdown does not wait for a long sweep. */
  signal?: AbortSignal | undefined;
}

export const DEFAULT_EXPIRY_SWEEP_LIMITS: ExpirySweepLimits = { batchSize: 100, maxBatches: 10 };

/**
 * One sweep at `deps.now()`: reads the invites whose expiry has passed and is not recorded yet
 * (the partial index `invites_expiry_pending`), and for each, in its own write transaction, marks
 * it recorded by one conditional update and records `invite.expired` only when that update changed
 * the row. Of several instances sweeping the same invite, one changes it; the others change nothing
 * and record nothing. An invite that was used up before its expiry passed is marked without an
 * event (`invite.used_up` told of its end); a revoked one is not in the index. Returns how many
 * `invite.expired` this sweep recorded.
 */
export async function recordPassedExpiries(deps: ServiceDeps, limits: ExpirySweepLimits = DEFAULT_EXPIRY_SWEEP_LIMITS): Promise<number> {
  const now = deps.now();
  let recorded = 0;
  for (let batch = 0; batch < limits.maxBatches; batch++) {
    const ids = await readSteps(deps.db, listExpiryPending(now, limits.batchSize));
    for (const id of ids) {
      if (limits.signal?.aborted) return recorded;
      if (await writeTransaction(deps.db, recordExpirySteps(id, now))) recorded++;
    }
    // Every invite read has left the pending range now (marked here or elsewhere, revoked, or its
    // expiry moved ahead), so the next read sees the next ones.
    if (ids.length < limits.batchSize) break;
  }
  return recorded;
}

function* recordExpirySteps(id: number, now: number): Steps<boolean> {
  const invite = yield* markExpiryRecorded(id, now);
  if (!invite || isInviteUsedUp({ uses: invite.uses, maxUses: invite.max_uses })) return false;
  yield* recordEvent(invite.chat_id, "invite.expired", { code: invite.code }, now);
  return true;
}
