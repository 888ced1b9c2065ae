/** The events benchmark's Server-Sent Events parser: the frames SPEC section 11 sends, in any chunks. */
import { describe, expect, it } from "vitest";
import { createSseParser, type SseFrame } from "./sse.js";

function parse(chunks: string[]): SseFrame[] {
  const frames: SseFrame[] = [];
  const push = createSseParser((frame) => frames.push(frame));
  for (const chunk of chunks) push(chunk);
  return frames;
}

const frame = 'id: 42\nevent: invite.created\ndata: {"id":"42","type":"invite.created"}\n\n';

describe("createSseParser", () => {
  it("reads a frame's id, type and data", () => {
    expect(parse([frame])).toEqual([{ id: "42", event: "invite.created", data: '{"id":"42","type":"invite.created"}' }]);
  });

  it("reads the same frames however the text is cut, even between \\r and \\n", () => {
    const text = `: keep-alive\n\n${frame}${frame.replaceAll("\n", "\r\n").replace("42", "43")}`;
    const whole = parse([text]);
    expect(whole.map((f) => f.id)).toEqual(["42", "43"]);
    for (let cut = 1; cut < text.length; cut++) expect(parse([text.slice(0, cut), text.slice(cut)])).toEqual(whole);
    expect(parse([...text])).toEqual(whole);
  });

  it("skips comments, joins data lines, and keeps an unfinished frame for later", () => {
    const frames = parse([": keep-alive\n\n", "data: a\ndata: b\n\n", "id: 7\ndata: half"]);
    expect(frames).toEqual([{ id: null, event: null, data: "a\nb" }]);
  });

  it("keeps a value's colons and drops only the one space after the field's colon", () => {
    expect(parse(["data:x: y\n\n", "data:  two\n\n"])).toEqual([
      { id: null, event: null, data: "x: y" },
      { id: null, event: null, data: " two" },
    ]);
  });
});
