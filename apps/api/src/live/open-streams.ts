import type { Kysely } from "kysely";
import { releaseInstanceLeases, releaseStreamLease, renewInstanceLeases } from "../db/repositories/event-stream.repository.js";
import type { DB } from "../db/schema.js";
import { writeTransaction } from "../db/steps.js";
import { errorFields, type Logger } from "../logger.js";
import { STREAM_ENDS, type EventStream, type StreamEnd, type StreamOwner } from "./stream.js";

/** Checks again whether each stream's session is live and its user still manages its chat: why each must end, or null. */
export type StreamAccessCheck = (owners: readonly StreamOwner[]) => Promise<(StreamEnd | null)[]>;

export interface OpenStreamsOptions {
  db: Kysely<DB>;
  log: Logger;
  /** This process's id in the lease table. */
  instanceId: string;
  leaseMs: number;
  accessCheckMs: number;
  keepAliveMs: number;
  check: StreamAccessCheck;
}

/**
 * The streams open on this instance, and the three things done for all of them at once, never
 * per stream: renew their leases (one UPDATE every third of the lease), check their sessions and
 * access again (one batch every `accessCheckMs`), and keep silent REST streams open. The timers
 * run only while a stream is open.
 */
export class OpenStreams {
  readonly #streams = new Set<EventStream>();
  #timers: NodeJS.Timeout[] = [];
  #checking = false;
  #stopped = false;
  #endingAll = false;

  constructor(private readonly options: OpenStreamsOptions) {}

  get size(): number {
    return this.#streams.size;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** From now on the stream's lease is released when it ends; a stopped instance ends it at once. */
  add(stream: EventStream): void {
    const { log } = this.options;
    this.#streams.add(stream);
    this.#startTimers();
    stream.onEnd((end) => {
      this.#streams.delete(stream);
      if (this.#streams.size === 0) this.#stopTimers();
      // The streams that stop() ends have their leases dropped by one statement there.
      if (!this.#endingAll) {
        void writeTransaction(this.options.db, releaseStreamLease(stream.id)).catch((error: unknown) =>
          // It lapses by itself once this instance stops renewing it.
          log.debug("event stream lease not released", { ...errorFields(error), stream_id: stream.id }),
        );
      }
      log.info("event stream closed", {
        user_id: stream.owner.userId,
        chat_id: stream.owner.chatId,
        reason: end.reason,
        events: stream.sent,
        duration_ms: Date.now() - stream.openedAt,
        open_streams: this.#streams.size,
      });
    });
    if (this.#stopped) stream.end(STREAM_ENDS.shutdown);
  }

  /** A session ended in this process (sign-out): its streams end now, not at the next check. */
  sessionEnded(tokenHash: string): void {
    for (const stream of [...this.#streams]) if (stream.owner.tokenHash === tokenHash) stream.end(STREAM_ENDS.session);
  }

  #startTimers(): void {
    if (this.#timers.length > 0 || this.#stopped) return;
    const { leaseMs, accessCheckMs, keepAliveMs } = this.options;
    const every = (ms: number, task: () => void) => {
      const timer = setInterval(task, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(Math.max(1, Math.floor(leaseMs / 3)), () => void this.#renew());
    every(accessCheckMs, () => void this.#check());
    every(keepAliveMs, () => {
      for (const stream of this.#streams) stream.keepAlive();
    });
  }

  #stopTimers(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  async #renew(): Promise<void> {
    const { db, instanceId, leaseMs, log } = this.options;
    try {
      await writeTransaction(db, renewInstanceLeases(instanceId, Date.now() + leaseMs));
    } catch (error) {
      log.warn("event stream leases not renewed; retrying at the next renewal", { ...errorFields(error), open_streams: this.#streams.size });
    }
  }

  async #check(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    const streams = [...this.#streams];
    try {
      const ends = await this.options.check(streams.map((stream) => stream.owner));
      streams.forEach((stream, i) => {
        const end = ends[i];
        if (end) stream.end(end);
      });
    } catch (error) {
      // The database is away: the streams stay open (they would get nothing new anyway) until it answers.
      this.options.log.warn("event stream access check failed; retrying at the next check", errorFields(error));
    } finally {
      this.#checking = false;
    }
  }

  /** Ends every stream (its client reconnects elsewhere) and drops this instance's leases. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stopTimers();
    const count = this.#streams.size;
    this.#endingAll = true;
    for (const stream of [...this.#streams]) stream.end(STREAM_ENDS.shutdown);
    this.#endingAll = false;
    if (count > 0) this.options.log.info("event streams ended for shutdown", { streams: count });
    await writeTransaction(this.options.db, releaseInstanceLeases(this.options.instanceId)).catch(() => undefined);
  }
}
