import { EVENTS_RETENTION_DAYS_DEFAULT } from "@portal/contracts";
import { IDEMPOTENCY_KEY_LIFETIME_MS } from "@portal/core";
import {
  purgeEventsBefore,
  purgeExpiredLoginCodes,
  purgeExpiredSessions,
  purgeStaleStreamLeases,
} from "../db/repositories/housekeeping.repository.js";
import { purgeIdempotencyRecords } from "../db/repositories/idempotency.repository.js";
import { deleteDeadInvites, findDeadInviteIds, type DeadInviteCutoffs } from "../db/repositories/invite.repository.js";
import { readSteps, writeTransaction, type Steps } from "../db/steps.js";
import type { ServiceDeps } from "./context.js";

/*
 * Housekeeping (SPEC section 11): what piles up and is never read again goes, on every instance at
 * once if need be. Every purge is a run of bounded batches, each its own short write transaction,
 * and every batch deletes only rows that are dead when it runs, so two instances purging together
 * only share the work.
 */

const DAY_MS = 86_400_000;

/** Invites dead this long are purged (see invite.repository's `deadInvite` for when one is dead). */
export const DEAD_INVITE_RETENTION_DAYS = 30;
/** An event stream lease this long past its end belongs to an instance that died. */
const STALE_LEASE_MS = 3_600_000;

export interface PurgeLimits {
  /** Rows one batch (one statement, one write transaction) deletes at most. */
  batchSize: number;
  /** Batches one kind of row gets in one run at most; the next run goes on. */
  maxBatches: number;
  /** Checked between batches: a shutdown does not wait for a long purge. */
  signal?: AbortSignal | undefined;
}

export const DEFAULT_PURGE_LIMITS: PurgeLimits = { batchSize: 1000, maxBatches: 100 };

export interface HousekeepingOptions {
  /** Events older than this many days are purged (`EVENTS_RETENTION_DAYS`). */
  eventsRetentionDays?: number;
  limits?: PurgeLimits;
}

/** How many rows of each kind one housekeeping run purged. */
export interface HousekeepingCounts {
  events: number;
  invites: number;
  sessions: number;
  login_codes: number;
  event_streams: number;
  idempotency_keys: number;
}

/**
 * One housekeeping run at `deps.now()`: events past their retention, invites dead for 30 days,
 * expired sessions and login codes, stale event stream leases, and Idempotency-Key answers past
 * their 24 hours.
 */
export async function runHousekeeping(deps: ServiceDeps, options: HousekeepingOptions = {}): Promise<HousekeepingCounts> {
  const now = deps.now();
  const limits = options.limits ?? DEFAULT_PURGE_LIMITS;
  const retentionDays = options.eventsRetentionDays ?? EVENTS_RETENTION_DAYS_DEFAULT;
  const deadFor = now - DEAD_INVITE_RETENTION_DAYS * DAY_MS;
  const purge = (batch: (limit: number) => Steps<number>) => purgeInBatches(limits, (limit) => writeTransaction(deps.db, batch(limit)));
  return {
    events: await purge((limit) => purgeEventsBefore(now - retentionDays * DAY_MS, limit)),
    invites: await purgeDeadInvites(deps, { deadBy: deadFor, createdBefore: deadFor }, limits),
    sessions: await purge((limit) => purgeExpiredSessions(now, limit)),
    login_codes: await purge((limit) => purgeExpiredLoginCodes(now, limit)),
    event_streams: await purge((limit) => purgeStaleStreamLeases(now - STALE_LEASE_MS, limit)),
    idempotency_keys: await purgeIdempotencyKeys(deps, now, limits),
  };
}

/** Whether a run purged anything at all (it logs a line only then). */
export function purgedAnything(counts: HousekeepingCounts): boolean {
  return Object.values(counts).some((n) => n > 0);
}

/**
 * Deletes the invites dead by the cutoffs (invite.repository's `deadInvite`), in batches: each
 * batch finds up to `batchSize` of them by a read outside any write transaction, in id order from
 * where the last one stopped, then deletes those still dead in a short write transaction. The one
 * purge of dead invites: the housekeeping job's and `portal-admin invites purge`'s.
 */
export async function purgeDeadInvites(deps: ServiceDeps, cutoffs: DeadInviteCutoffs, limits: PurgeLimits = DEFAULT_PURGE_LIMITS): Promise<number> {
  let purged = 0;
  let afterId = 0;
  for (let batch = 0; batch < limits.maxBatches && !limits.signal?.aborted; batch++) {
    const ids = await readSteps(deps.db, findDeadInviteIds(cutoffs, afterId, limits.batchSize));
    if (ids.length > 0) purged += await writeTransaction(deps.db, deleteDeadInvites(ids, cutoffs));
    if (ids.length < limits.batchSize) break;
    afterId = ids[ids.length - 1]!;
  }
  return purged;
}

/** Deletes the stored answers of Idempotency-Keys past their 24 hours (they are as if absent already). */
export function purgeIdempotencyKeys(deps: ServiceDeps, now: number, limits: PurgeLimits = DEFAULT_PURGE_LIMITS): Promise<number> {
  return purgeInBatches(limits, (limit) => writeTransaction(deps.db, purgeIdempotencyRecords(now - IDEMPOTENCY_KEY_LIFETIME_MS, limit)));
}

/** Runs a purge batch until one deletes fewer than a full batch, at most `maxBatches` times. */
async function purgeInBatches(limits: PurgeLimits, batch: (limit: number) => Promise<number>): Promise<number> {
  let purged = 0;
  for (let i = 0; i < limits.maxBatches && !limits.signal?.aborted; i++) {
    const deleted = await batch(limits.batchSize);
    purged += deleted;
    if (deleted < limits.batchSize) break;
  }
  return purged;
}
