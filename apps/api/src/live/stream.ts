import { ErrorMessage } from "@portal/contracts";
import type { ChatSubscriber } from "./feed.js";
import type { EventBatch, LiveEvent } from "./live-event.js";

/** Why a stream ended, and what its client is told (tRPC's error code; a comment on REST). */
export interface StreamEnd {
  reason: "client" | "shutdown" | "behind" | "unavailable" | "session" | "restricted" | "access" | "chat_gone";
  /** Null when the client itself went away. */
  error: { code: "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "SERVICE_UNAVAILABLE"; message: string } | null;
}

export const STREAM_ENDS = {
  client: { reason: "client", error: null },
  /** The instance is stopping: the client reconnects (to another instance) and resumes. */
  shutdown: { reason: "shutdown", error: { code: "SERVICE_UNAVAILABLE", message: ErrorMessage.serviceUnavailable } },
  /** The client did not read what it was sent: it reconnects and resumes from the table. */
  behind: { reason: "behind", error: { code: "SERVICE_UNAVAILABLE", message: ErrorMessage.eventStreamBehind } },
  /** The database did not answer while the stream started. */
  unavailable: { reason: "unavailable", error: { code: "SERVICE_UNAVAILABLE", message: ErrorMessage.serviceUnavailable } },
  session: { reason: "session", error: { code: "UNAUTHORIZED", message: ErrorMessage.eventStreamSessionEnded } },
  restricted: { reason: "restricted", error: { code: "FORBIDDEN", message: ErrorMessage.accountRestricted } },
  access: { reason: "access", error: { code: "FORBIDDEN", message: ErrorMessage.eventStreamAccessLost } },
  chatGone: { reason: "chat_gone", error: { code: "NOT_FOUND", message: ErrorMessage.chatNotFound } },
} as const satisfies Record<string, StreamEnd>;

/** Where a stream's events go: the transport's side (rest/event-stream.ts, trpc/routers/chat.router.ts). */
export interface EventSink {
  /** Sends events, oldest first; false when the client is that far behind that the stream should end. */
  send(batch: EventBatch): boolean;
  /** Says "still here" to a silent client (REST's `: keep-alive`; tRPC pings by itself). */
  keepAlive(): void;
  /** Resolves when the client has taken what it was sent (the replay goes on only then). */
  drained(): Promise<void>;
  end(end: StreamEnd): void;
}

/** Whose stream it is: what the access check looks at again while it is open. */
export interface StreamOwner {
  userId: number;
  chatId: number;
  /** sha256 of the session token the stream was opened with. */
  tokenHash: string;
}

/** Events a stream holds back while its replay runs, at most; past that it is behind. */
const MAX_HELD_EVENTS = 10_000;

/**
 * One open stream. It is registered with the feed before its replay reads the table, so nothing
 * committed in between is missed; what arrives live meanwhile is held and sent after the replay,
 * and every event is sent once, in id order: whatever is not after the last id sent is dropped.
 */
export class EventStream implements ChatSubscriber {
  #lastId: number;
  #sink: EventSink | null = null;
  /** Live batches held while the replay runs; null once live. */
  #held: EventBatch[] | null = [];
  #heldEvents = 0;
  #end: StreamEnd | null = null;
  readonly #onEnd: ((end: StreamEnd) => void)[] = [];
  /** Events sent so far. */
  sent = 0;

  constructor(
    /** The stream's lease id (event_streams.id). */
    readonly id: string,
    readonly owner: StreamOwner,
    /** The stream sends the events after this id. */
    startAfter: number,
    readonly openedAt: number,
  ) {
    this.#lastId = startAfter;
  }

  /** The id of the last event sent (or where the stream started). */
  get lastId(): number {
    return this.#lastId;
  }

  get ended(): StreamEnd | null {
    return this.#end;
  }

  attach(sink: EventSink): void {
    this.#sink = sink;
  }

  receive(batch: EventBatch): void {
    if (this.#end) return;
    if (this.#held) {
      this.#held.push(batch);
      this.#heldEvents += batch.events.length;
      if (this.#heldEvents > MAX_HELD_EVENTS) this.end(STREAM_ENDS.behind);
      return;
    }
    this.#forward(batch);
  }

  /** A page of the replay (events read from the table). */
  replay(batch: EventBatch): void {
    if (!this.#end) this.#forward(batch);
  }

  /** The replay is done: what arrived meanwhile goes out, then every batch as it comes. */
  goLive(): void {
    const held = this.#held ?? [];
    this.#held = null;
    this.#heldEvents = 0;
    for (const batch of held) {
      if (this.#end) return;
      this.#forward(batch);
    }
  }

  #forward(batch: EventBatch): void {
    const fresh = batch.after(this.#lastId);
    if (!fresh || !this.#sink) return;
    this.#lastId = fresh.lastId;
    this.sent += fresh.events.length;
    if (!this.#sink.send(fresh)) this.end(STREAM_ENDS.behind);
  }

  keepAlive(): void {
    if (!this.#end && this.#sink) this.#sink.keepAlive();
  }

  /** Runs `listener` when the stream ends (at once if it has). */
  onEnd(listener: (end: StreamEnd) => void): void {
    if (this.#end) listener(this.#end);
    else this.#onEnd.push(listener);
  }

  end(end: StreamEnd): void {
    if (this.#end) return;
    this.#end = end;
    this.#held = null;
    this.#sink?.end(end);
    for (const listener of this.#onEnd.splice(0)) listener(end);
  }
}

/** Events a pulling transport (tRPC's async generator) may leave unread before its stream is behind. */
const MAX_QUEUED_EVENTS = 10_000;
/** The replay goes on once fewer than this are unread. */
const DRAINED_BELOW = 500;

/**
 * A sink read by pulling (`for await (const event of sink.events())`): the tRPC subscription's.
 * The loop ends after the last event once the stream has ended; `ended` says why.
 */
export class PullSink implements EventSink {
  #queue: LiveEvent[] = [];
  #head = 0;
  #wake: (() => void) | null = null;
  #drained: (() => void) | null = null;
  #end: StreamEnd | null = null;

  get ended(): StreamEnd | null {
    return this.#end;
  }

  send(batch: EventBatch): boolean {
    for (const event of batch.events) this.#queue.push(event);
    this.#notify();
    return this.#queue.length - this.#head <= MAX_QUEUED_EVENTS;
  }

  keepAlive(): void {}

  drained(): Promise<void> {
    if (this.#end || this.#queue.length - this.#head < DRAINED_BELOW) return Promise.resolve();
    return new Promise((resolve) => (this.#drained = resolve));
  }

  end(end: StreamEnd): void {
    this.#end ??= end;
    // A client that is behind or gone gets nothing more; any other end comes after what is queued.
    if (end.reason === "behind" || end.reason === "client") {
      this.#queue = [];
      this.#head = 0;
    }
    this.#notify();
    this.#drained?.();
    this.#drained = null;
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }

  async *events(): AsyncGenerator<LiveEvent, void, undefined> {
    for (;;) {
      while (this.#head < this.#queue.length) {
        const event = this.#queue[this.#head]!;
        this.#head += 1;
        if (this.#head === this.#queue.length) {
          this.#queue = [];
          this.#head = 0;
        }
        if (this.#drained && this.#queue.length - this.#head < DRAINED_BELOW) {
          this.#drained();
          this.#drained = null;
        }
        yield event;
      }
      if (this.#end) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }
}
