import { describe, expect, it } from "vitest";
import { MAX_ACTIVE_INVITES_PER_CHAT } from "@portal/core";
import { quotaState } from "./quota";

describe("quotaState (the n / 20 meter)", () => {
  it("the limit is 20 active invites", () => {
    expect(MAX_ACTIVE_INVITES_PER_CHAT).toBe(20);
    expect(quotaState(0).label).toBe("0 / 20");
  });

  it("an empty chat has room for 20", () => {
    expect(quotaState(0)).toMatchObject({ active: 0, remaining: 20, full: false, percent: 0, tone: "ok" });
    expect(quotaState(0).message).toBe("20 more invites can be created.");
  });

  it("stays calm below 15, warns from 15 on", () => {
    expect(quotaState(14).tone).toBe("ok");
    expect(quotaState(15).tone).toBe("warning");
    expect(quotaState(19).tone).toBe("warning");
  });

  it("speaks of one invite in the singular", () => {
    expect(quotaState(19)).toMatchObject({ remaining: 1, full: false, label: "19 / 20", percent: 95 });
    expect(quotaState(19).message).toBe("1 more invite can be created.");
  });

  it("is full at 20 and says what to do", () => {
    const state = quotaState(20);
    expect(state).toMatchObject({ full: true, remaining: 0, percent: 100, tone: "full", label: "20 / 20" });
    expect(state.message).toBe("This chat has reached its limit of 20 active invites. Revoke one to create another.");
  });

  it("never overfills the meter, even if the server reports more", () => {
    expect(quotaState(23)).toMatchObject({ full: true, remaining: 0, percent: 100, label: "23 / 20" });
  });

  it("takes another limit", () => {
    expect(quotaState(3, 4)).toMatchObject({ remaining: 1, tone: "warning", label: "3 / 4" });
  });
});
