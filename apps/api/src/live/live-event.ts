import { toWireTimestamp, type ChatEvent } from "@portal/contracts";
import type { ChatEventRow } from "../db/schema.js";

/**
 * One stored event as the streams send it, built once per instance however many streams get it:
 * the JSON text is put together from the stored data without parsing it (the data column holds the
 * wire JSON already), the SSE frame and the parsed object (for tRPC) are made on first use.
 */
export class LiveEvent {
  readonly id: number;
  readonly chatId: number;
  readonly type: string;
  /** `{"id","type","chat_id","created_at","data"}` as JSON text: the object SPEC section 11 describes. */
  readonly json: string;
  #event: ChatEvent | undefined;

  constructor(row: ChatEventRow) {
    this.id = row.id;
    this.chatId = row.chat_id;
    this.type = row.type;
    this.json =
      `{"id":"${row.id}","type":${JSON.stringify(row.type)},"chat_id":${row.chat_id},` +
      `"created_at":${JSON.stringify(toWireTimestamp(row.created_at))},"data":${row.data}}`;
  }

  /** The event object (parsed once, shared by every tRPC stream that sends it: treat it as read-only). */
  get event(): ChatEvent {
    return (this.#event ??= JSON.parse(this.json) as ChatEvent);
  }

  /** The Server-Sent Events frame: `id:`, `event:` (the type) and `data:` (the JSON, one line). */
  get frame(): string {
    return `id: ${this.id}\nevent: ${this.type}\ndata: ${this.json}\n\n`;
  }
}

/**
 * Consecutive events of one chat, oldest first, as one delivery: every REST stream that takes the
 * whole batch is sent the same bytes, encoded once (a burst of events is one write per stream).
 */
export class EventBatch {
  #frames: Buffer | undefined;

  constructor(readonly events: readonly LiveEvent[]) {}

  static ofRows(rows: readonly ChatEventRow[]): EventBatch {
    return new EventBatch(rows.map((row) => new LiveEvent(row)));
  }

  get lastId(): number {
    return this.events[this.events.length - 1]?.id ?? 0;
  }

  /** The events after `id`: this batch when all are, null when none is. */
  after(id: number): EventBatch | null {
    const first = this.events[0];
    if (!first || this.lastId <= id) return null;
    if (first.id > id) return this;
    return new EventBatch(this.events.filter((event) => event.id > id));
  }

  /** Every event's SSE frame, encoded once. */
  get frames(): Buffer {
    return (this.#frames ??= Buffer.from(this.events.map((event) => event.frame).join(""), "utf8"));
  }
}
