import { describe, expect, it } from "vitest";
import { MAX_EVENT_STREAMS_PER_USER } from "./events.js";
import { ErrorMessage } from "./messages.js";

describe("event stream messages", () => {
  it("name the stream limit that is in force", () => {
    expect(ErrorMessage.eventStreamLimit).toContain(`at most ${MAX_EVENT_STREAMS_PER_USER} open`);
  });
});
