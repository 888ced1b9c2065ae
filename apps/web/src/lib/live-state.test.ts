import { describe, expect, it } from "vitest";
import { INITIAL_LIVE_STATE, liveNoticeText, retryDelayMs, streamEndOf } from "./live-state";

describe("what ends a live stream", () => {
  it("the session, lost access, the stream limit; anything else is retried", () => {
    expect(streamEndOf("UNAUTHORIZED")).toBe("session");
    expect(streamEndOf("FORBIDDEN")).toBe("access");
    expect(streamEndOf("NOT_FOUND")).toBe("access");
    expect(streamEndOf("TOO_MANY_REQUESTS")).toBe("too-many");
    expect(streamEndOf(null)).toBe("retry");
    expect(streamEndOf("INTERNAL_SERVER_ERROR")).toBe("retry");
    expect(streamEndOf("SERVICE_UNAVAILABLE")).toBe("retry");
  });

  it("retries after 1 s, 2 s, 4 s … at most 15 s", () => {
    expect([0, 1, 2, 3, 4, 5, 30].map(retryDelayMs)).toEqual([1_000, 2_000, 4_000, 8_000, 15_000, 15_000, 15_000]);
  });
});

describe("the notice", () => {
  it("says nothing while connecting, live, or within the grace of a drop", () => {
    expect(liveNoticeText(INITIAL_LIVE_STATE)).toBeNull();
    expect(liveNoticeText({ status: "live", notice: false, resumed: true })).toBeNull();
    expect(liveNoticeText({ status: "reconnecting", notice: false, resumed: false })).toBeNull();
    expect(liveNoticeText({ status: "ended", notice: false, resumed: false })).toBeNull();
  });

  it("says live updates are paused past the grace, and off at the stream limit", () => {
    expect(liveNoticeText({ status: "reconnecting", notice: true, resumed: false })?.title).toBe("Live updates paused — reconnecting…");
    expect(liveNoticeText({ status: "too-many", notice: true, resumed: false })?.title).toBe("Live updates are off: too many open tabs.");
  });
});
