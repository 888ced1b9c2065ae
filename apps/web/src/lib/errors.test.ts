import { describe, expect, it } from "vitest";
import {
  describeFailure,
  describeForPerson,
  fieldOfMessage,
  isRetryable,
  isTimeout,
  isUnauthorized,
  personMessage,
  TIMEOUT_MARK,
  toApiError,
} from "./errors";

/** The parts of a TRPCClientError the app reads. */
function trpcError(message: string, code: string, httpStatus: number, correlation_id = "c0ffee00-0000-4000-8000-000000000000") {
  return Object.assign(new Error(message), { data: { code, httpStatus, correlation_id } });
}

describe("toApiError", () => {
  it("keeps the server's words, code and status", () => {
    const conflict = trpcError("Invite limit reached: a chat can have at most 20 active invites", "CONFLICT", 409);
    expect(toApiError(conflict)).toMatchObject({
      message: "Invite limit reached: a chat can have at most 20 active invites",
      code: "CONFLICT",
      status: 409,
    });
  });

  it("words a failure that never reached the server", () => {
    expect(toApiError(new TypeError("Failed to fetch"))).toMatchObject({
      message: "Could not reach the server. Check your connection and try again.",
      code: null,
    });
  });

  it("recognises a missing session and what is worth retrying", () => {
    expect(isUnauthorized(trpcError("Authentication required", "UNAUTHORIZED", 401))).toBe(true);
    expect(isRetryable(trpcError("Not found", "NOT_FOUND", 404))).toBe(false);
    expect(isRetryable(trpcError("Internal server error", "INTERNAL_SERVER_ERROR", 500))).toBe(true);
    expect(isRetryable(new TypeError("Failed to fetch"))).toBe(true);
  });

  it("adds a reference to server faults only", () => {
    expect(describeForPerson(toApiError(trpcError("Internal server error", "INTERNAL_SERVER_ERROR", 500, "abc")))).toBe(
      "Internal server error (reference abc)",
    );
    expect(describeForPerson(toApiError(trpcError("Access denied", "FORBIDDEN", 403)))).toBe("Access denied");
  });
});

describe("fieldOfMessage", () => {
  it.each<[string, string | null]>([
    ["max_uses must be at least 1", "max_uses"],
    ["max_uses must be a whole number from 1 to 2147483647, or null for unlimited", "max_uses"],
    ["expires_at must be in the future", "expires_at"],
    ["Invite limit reached: a chat can have at most 20 active invites", null],
    ["Access denied", null],
  ])("%s → %s", (message, field) => {
    expect(fieldOfMessage(message)).toBe(field);
  });
});

describe("personMessage (the server's field messages in a person's words)", () => {
  it.each<[string, string]>([
    ["max_uses must be at least 1", "Enter a whole number of uses from 1 to 2,147,483,647, or choose Unlimited"],
    ["max_uses must be a whole number from 1 to 2147483647, or null for unlimited", "Enter a whole number of uses from 1 to 2,147,483,647, or choose Unlimited"],
    ["expires_at must be in the future", "Choose a date and time in the future: that moment has already passed"],
    ["Chat is archived", "This chat is archived: it takes no new invites"],
    ["Invite limit reached: a chat can have at most 20 active invites", "Invite limit reached: a chat can have at most 20 active invites"],
    // Invite management (SPEC section 10).
    ["max_uses must be at least the invite's current uses (3)", "The limit cannot be lower than the 3 uses already counted: enter 3 or more, or choose Unlimited"],
    ["max_uses must be at least the invite's current uses (1)", "The limit cannot be lower than the 1 use already counted: enter 1 or more, or choose Unlimited"],
    ["paused_until must be at most 30 days ahead", "Choose a pause of at most 30 days"],
    ["paused_until must be in the future, or null to resume", "Choose a pause that ends in the future"],
    ["Join request not found", "This request was already approved or declined, maybe by another manager."],
    ["Invites to this chat are paused", "Invites to this chat are paused"],
  ])("%s → %s", (message, words) => {
    expect(personMessage(message)).toBe(words);
  });
});

describe("describeFailure", () => {
  const what = { notDone: "the invite was not created", maybe: "the invite may not have been created" };

  it("says an action without an answer was not done, and to try again", () => {
    expect(describeFailure(new TypeError("Failed to fetch"), what)).toBe(
      "Could not reach the server, so the invite was not created. Try again once it is back.",
    );
  });

  it("says a timed-out action may have been done", () => {
    const timeout = Object.assign(new Error(TIMEOUT_MARK), { cause: new Error(TIMEOUT_MARK) });
    expect(isTimeout(timeout)).toBe(true);
    expect(describeFailure(timeout, what)).toBe(
      "The server did not answer in time, so the invite may not have been created. Check once it is back, then try again.",
    );
  });

  it("gives the server's answer in a person's words", () => {
    expect(describeFailure(trpcError("expires_at must be in the future", "BAD_REQUEST", 400), what)).toBe(
      "Choose a date and time in the future: that moment has already passed",
    );
  });
});
