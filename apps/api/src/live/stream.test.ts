import { describe, expect, it } from "vitest";
import type { ChatEventRow } from "../db/schema.js";
import { EventBatch } from "./live-event.js";
import { EventStream, PullSink, STREAM_ENDS, type EventSink, type StreamEnd } from "./stream.js";

const batch = (...ids: number[]) =>
  EventBatch.ofRows(ids.map((id): ChatEventRow => ({ id, chat_id: 1, type: "invite.revoked", data: `{"code":"c${id}"}`, created_at: 0 })));

class RecordingSink implements EventSink {
  sent: number[] = [];
  ends: StreamEnd[] = [];
  accept = true;
  send(b: EventBatch) {
    this.sent.push(...b.events.map((e) => e.id));
    return this.accept;
  }
  keepAlive() {}
  drained() {
    return Promise.resolve();
  }
  end(end: StreamEnd) {
    this.ends.push(end);
  }
}

const owner = { userId: 1, chatId: 1, tokenHash: "h" };

describe("EventStream", () => {
  it("holds live batches during the replay and sends every event once, in id order, after it", () => {
    const sink = new RecordingSink();
    const stream = new EventStream("s", owner, 2, 0);
    stream.attach(sink);
    stream.receive(batch(5, 6)); // live, while the replay runs: held
    stream.replay(batch(3, 4, 5));
    expect(sink.sent).toEqual([3, 4, 5]);
    stream.receive(batch(7));
    stream.goLive();
    expect(sink.sent).toEqual([3, 4, 5, 6, 7]);
    stream.receive(batch(6, 7, 8));
    stream.receive(batch(1));
    expect(sink.sent).toEqual([3, 4, 5, 6, 7, 8]);
    expect(stream.lastId).toBe(8);
    expect(stream.sent).toBe(6);
  });

  it("ends as behind when the sink is not keeping up, and once only, telling its listeners", () => {
    const sink = new RecordingSink();
    const stream = new EventStream("s", owner, 0, 0);
    const ends: string[] = [];
    stream.onEnd((end) => ends.push(end.reason));
    stream.attach(sink);
    stream.goLive();
    sink.accept = false;
    stream.receive(batch(1));
    stream.end(STREAM_ENDS.session);
    stream.receive(batch(2));
    expect(sink.sent).toEqual([1]);
    expect(ends).toEqual(["behind"]);
    expect(sink.ends.map((e) => e.reason)).toEqual(["behind"]);
    stream.onEnd((end) => ends.push(`late ${end.reason}`));
    expect(ends).toEqual(["behind", "late behind"]);
  });
});

describe("PullSink", () => {
  it("yields what was sent in order, then stops after an end that keeps the queue", async () => {
    const sink = new PullSink();
    sink.send(batch(1, 2));
    const seen: number[] = [];
    const reading = (async () => {
      for await (const event of sink.events()) seen.push(event.id);
    })();
    await Promise.resolve();
    sink.send(batch(3));
    sink.end(STREAM_ENDS.access);
    await reading;
    expect(seen).toEqual([1, 2, 3]);
    expect(sink.ended?.reason).toBe("access");
  });

  it("drops what is queued when the client left or is behind", async () => {
    const sink = new PullSink();
    sink.send(batch(1, 2, 3));
    sink.end(STREAM_ENDS.client);
    const seen: number[] = [];
    for await (const event of sink.events()) seen.push(event.id);
    expect(seen).toEqual([]);
    await expect(sink.drained()).resolves.toBeUndefined();
  });
});
