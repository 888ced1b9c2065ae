import { describe, expect, it } from "vitest";
import type { ChatEventRow } from "../db/schema.js";
import { EventBatch, LiveEvent } from "./live-event.js";

const row = (id: number, data: unknown = { code: `c${id}` }): ChatEventRow => ({
  id,
  chat_id: 7,
  type: "invite.revoked",
  data: JSON.stringify(data),
  created_at: Date.UTC(2026, 11, 1, 10, 2, 3),
});

describe("LiveEvent", () => {
  it("puts together, without parsing the data, the same JSON as the event object", () => {
    const data = { code: "erjgrswa7g4oexvb", nested: { quote: '"\\u2028', list: [1, null] } };
    const event = new LiveEvent(row(42, data));
    // SPEC section 11's object, keys in its order: the id as a string, the time on the wire's format.
    const expected = { id: "42", type: "invite.revoked", chat_id: 7, created_at: "2026-12-01T10:02:03Z", data };
    expect(JSON.parse(event.json)).toEqual(expected);
    expect(event.json).toBe(JSON.stringify(expected));
    expect(event.event).toEqual(expected);
  });

  it("frames it as one SSE event: id, event, one data line", () => {
    const event = new LiveEvent(row(5, { text: "two\nlines" }));
    expect(event.frame).toBe(`id: 5\nevent: invite.revoked\ndata: ${event.json}\n\n`);
    expect(event.frame.split("\n")).toHaveLength(5);
  });
});

describe("EventBatch", () => {
  const batch = EventBatch.ofRows([row(3), row(4), row(9)]);

  it("keeps only the events after an id: itself when all are, null when none is", () => {
    expect(batch.after(2)).toBe(batch);
    expect(batch.after(3)!.events.map((e) => e.id)).toEqual([4, 9]);
    expect(batch.after(9)).toBeNull();
    expect(batch.after(100)).toBeNull();
    expect(new EventBatch([]).after(0)).toBeNull();
  });

  it("encodes every frame once, in order", () => {
    expect(batch.frames.toString("utf8")).toBe(batch.events.map((e) => e.frame).join(""));
    expect(batch.frames).toBe(batch.frames);
  });
});
