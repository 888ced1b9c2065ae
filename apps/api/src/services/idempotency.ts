import { ErrorMessage, idempotencyKeySchema } from "@portal/contracts";
import { isIdempotencyKeyLive } from "@portal/core";
import { claimIdempotencyKey, findIdempotencyRecord, saveIdempotencyRecord } from "../db/repositories/idempotency.repository.js";
import type { IdempotencyKeyRow } from "../db/schema.js";
import type { Steps } from "../db/steps.js";
import { AppError, badRequest, conflict, unprocessable, type AppErrorCode } from "./errors.js";
import { sha256Hex } from "./secrets.js";

/**
 * Requests made safe to retry with an `Idempotency-Key` (SPEC section 9). The key's answer is
 * stored in the same write transaction as the work it answers for, so: a row exists exactly when
 * the work's outcome is final; a request that failed on the way (a 500, a 503, a killed process)
 * rolled back and left nothing, and its retry runs again; and "in progress" is the transaction
 * itself, holding the key (`claimIdempotencyKey`) until it commits or rolls back.
 */

/** The request header's value as a key; 400 naming the header when it is not 1–255 visible ASCII characters. */
export function parseIdempotencyKey(header: string): string {
  const result = idempotencyKeySchema.safeParse(header);
  if (!result.success) throw badRequest(ErrorMessage.idempotencyKeyInvalid);
  return result.data;
}

/**
 * sha256 of a request's canonical form: the operation and its parsed input, in a fixed order, with
 * values as the work uses them (so `{}` and `{"max_uses": null}` are the same request).
 */
export function requestHashOf(operation: string, canonicalInput: readonly unknown[]): string {
  return sha256Hex(JSON.stringify([operation, ...canonicalInput]));
}

/** What the work answered: its result, or a refusal a retry must get again. */
export type Answer<T> = { ok: true; value: T } | { ok: false; error: AppError };

/**
 * The refusals that are the work's own outcome, and so are kept: a retry gets them again. A 400 is
 * not kept (the same body is refused the same way again), nor anything 5xx (a retry must run).
 */
const KEPT_REFUSALS: ReadonlySet<AppErrorCode> = new Set<AppErrorCode>(["FORBIDDEN", "NOT_FOUND", "CONFLICT"]);
const CREATED = "CREATED";

export interface KeyedRequest {
  userId: number;
  key: string;
  requestHash: string;
  now: number;
}

/**
 * Runs `work` once per live key, inside the caller's write transaction: 409 while another request
 * holds the key; the stored answer again (`replayed`) for the same request within 24 hours; 422 for
 * a different request under the same key; otherwise the work, whose answer is stored with it.
 * `work`'s result is stored as JSON and must round trip through it (a DTO, not a row).
 */
export function* onceSteps<T>(request: KeyedRequest, work: () => Steps<T>): Steps<{ answer: Answer<T>; replayed: boolean }> {
  // A stored answer is replayed without the claim, so retries that arrive together after the
  // first has finished all get it (none is told "in progress" by another replay).
  const stored = yield* replaySteps<T>(request);
  if (stored) return stored;
  if (!(yield* claimIdempotencyKey(request.userId, request.key))) throw conflict(ErrorMessage.idempotencyKeyInProgress);
  // The request that held the claim before may have committed its answer since the first look.
  const committedMeanwhile = yield* replaySteps<T>(request);
  if (committedMeanwhile) return committedMeanwhile;
  let answer: Answer<T>;
  try {
    answer = { ok: true, value: yield* work() };
  } catch (error) {
    if (!(error instanceof AppError && KEPT_REFUSALS.has(error.code))) throw error;
    answer = { ok: false, error };
  }
  yield* saveIdempotencyRecord({
    user_id: request.userId,
    idempotency_key: request.key,
    request_hash: request.requestHash,
    outcome: answer.ok ? CREATED : answer.error.code,
    response: JSON.stringify(answer.ok ? answer.value : { error: answer.error.message }),
    created_at: request.now,
  });
  return { answer, replayed: false };
}

/** The live answer stored under the key, replayed; 422 when it was stored for another request. */
function* replaySteps<T>(request: KeyedRequest): Steps<{ answer: Answer<T>; replayed: true } | null> {
  const earlier = yield* findIdempotencyRecord(request.userId, request.key);
  if (!earlier || !isIdempotencyKeyLive(earlier.created_at, request.now)) return null;
  if (earlier.request_hash !== request.requestHash) throw unprocessable(ErrorMessage.idempotencyKeyMismatch);
  return { answer: storedAnswer<T>(earlier), replayed: true };
}

function storedAnswer<T>(row: IdempotencyKeyRow): Answer<T> {
  const response: unknown = JSON.parse(row.response);
  if (row.outcome === CREATED) return { ok: true, value: response as T };
  return { ok: false, error: new AppError(row.outcome as AppErrorCode, (response as { error: string }).error) };
}
