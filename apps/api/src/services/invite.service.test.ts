/**
 * The quota is one constant in core (the rule) and a sentence in contracts (the message a person
 * reads). The two packages are leaves that never import each other, so this pins the sentence to
 * the constant: changing the quota without its message fails here.
 */
import { ErrorMessage } from "@portal/contracts";
import { MAX_ACTIVE_INVITES_PER_CHAT } from "@portal/core";
import { describe, expect, it } from "vitest";

describe("the quota's message", () => {
  it("names core's quota", () => {
    expect(ErrorMessage.inviteLimitReached).toBe(`Invite limit reached: a chat can have at most ${MAX_ACTIVE_INVITES_PER_CHAT} active invites`);
  });
});
