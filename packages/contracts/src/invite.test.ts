import { describe, it, expect } from "vitest";
import { z } from "zod";
import {
  chatRefInputSchema,
  createInviteBodySchema,
  createInviteInputSchema,
  inviteCodeInputSchema,
  inviteRefInputSchema,
  inviteSchema,
} from "./invite.js";
import { MAX_INT32, inviteCodeSchema, timestampSchema } from "./common.js";
import { describeValidationError } from "./errors.js";
import { ErrorMessage } from "./messages.js";
import { ACTIVITY_DEFAULT_LIMIT, ACTIVITY_MAX_LIMIT, activityInputSchema } from "./chat.js";

const MAX_USES_AT_LEAST_1 = "max_uses must be at least 1";
const MAX_USES_WHOLE = "max_uses must be a whole number from 1 to 2147483647, or null for unlimited";
const MAX_USES_AT_MOST = "max_uses must be at most 2147483647";
const EXPIRES_AT_FORMAT =
  "expires_at must be an ISO 8601 date-time with a UTC offset, such as 2026-05-01T00:00:00Z, or null";
const BODY_NOT_OBJECT = "Request body must be a JSON object";
const CHAT_ID_MESSAGE = "chat_id must be a positive integer (at most 2147483647)";
const CODE_MESSAGE = "code must be 1 to 64 letters or digits (A-Z, a-z, 0-9)";
const LIMIT_MESSAGE = "limit must be an integer from 1 to 100";

/** The one line a person would read for this input, or "ok" when it parses. */
function messageFor(schema: z.ZodType, input: unknown): string {
  const result = schema.safeParse(input);
  return result.success ? "ok" : describeValidationError(result.error);
}

describe("createInviteBodySchema: max_uses", () => {
  it.each<[string, unknown, string]>([
    ["0", 0, MAX_USES_AT_LEAST_1],
    ["-1", -1, MAX_USES_AT_LEAST_1],
    ["-2147483648", -2147483648, MAX_USES_AT_LEAST_1],
    ["1.5", 1.5, MAX_USES_WHOLE],
    ["0.5", 0.5, MAX_USES_WHOLE],
    ['"10" (a string)', "10", MAX_USES_WHOLE],
    ["1e300", 1e300, MAX_USES_WHOLE],
    ["NaN", Number.NaN, MAX_USES_WHOLE],
    ["Infinity", Number.POSITIVE_INFINITY, MAX_USES_WHOLE],
    ["true", true, MAX_USES_WHOLE],
    ["an object", { n: 3 }, MAX_USES_WHOLE],
    ["2147483648", 2147483648, MAX_USES_AT_MOST],
    ["2^40", 2 ** 40, MAX_USES_AT_MOST],
  ])("max_uses %s → %j", (_name, value, message) => {
    expect(messageFor(createInviteBodySchema, { max_uses: value })).toBe(message);
  });

  it.each<[string, number | null]>([
    ["1", 1],
    ["2", 2],
    ["2147483647", 2147483647],
    ["null (unlimited)", null],
  ])("max_uses %s is accepted and kept as is", (_name, value) => {
    const result = createInviteBodySchema.safeParse({ max_uses: value });
    expect(result.success).toBe(true);
    expect(result.data).toEqual({ max_uses: value });
  });

  it("the upper bound is the largest signed 32-bit integer", () => {
    expect(MAX_INT32).toBe(2147483647);
    expect(MAX_INT32).toBe(2 ** 31 - 1);
  });
});

describe("createInviteBodySchema: expires_at", () => {
  it.each<[string, unknown]>([
    ["no offset", "2026-01-01T00:00:00"],
    ["not a date", "not a date"],
    ["February 30th", "2026-02-30T00:00:00Z"],
    ["February 29th of a common year", "2026-02-29T00:00:00Z"],
    ["April 31st", "2026-04-31T00:00:00Z"],
    ["month 13", "2026-13-01T00:00:00Z"],
    ["month 00", "2026-00-10T00:00:00Z"],
    ["day 00", "2026-05-00T00:00:00Z"],
    ["hour 24", "2026-05-01T24:00:00Z"],
    ["minute 60", "2026-05-01T00:60:00Z"],
    ["second 60", "2026-05-01T00:00:60Z"],
    ["offset hour 24", "2026-05-01T00:00:00+24:00"],
    ["offset without colon", "2026-05-01T00:00:00+0200"],
    ["offset with hours only", "2026-05-01T00:00:00+02"],
    ["date only", "2026-05-01"],
    ["space instead of T", "2026-05-01 00:00:00Z"],
    ["lower-case z", "2026-05-01T00:00:00z"],
    ["empty string", ""],
    ["trailing text", "2026-05-01T00:00:00Zjunk"],
    ["leading whitespace", " 2026-05-01T00:00:00Z"],
    ["a number (5)", 5],
    ["an epoch in ms", 1777593600000],
    ["a boolean", false],
    ["an object", {}],
  ])("%s → the expires_at format message", (_name, value) => {
    expect(messageFor(createInviteBodySchema, { expires_at: value })).toBe(EXPIRES_AT_FORMAT);
  });

  it.each<[string, string]>([
    ["Z", "2026-05-01T00:00:00Z"],
    ["+02:00", "2026-05-01T00:00:00+02:00"],
    ["fractional seconds and -05:30", "2026-05-01T00:00:00.250-05:30"],
    ["+00:00", "2026-05-01T00:00:00+00:00"],
    ["+23:59", "2026-05-01T00:00:00+23:59"],
    ["February 29th of a leap year", "2028-02-29T00:00:00Z"],
    ["end of year", "2026-12-31T23:59:59Z"],
    ["one fractional digit", "2026-05-01T00:00:00.5Z"],
  ])("offset %s is accepted and kept as sent", (_name, value) => {
    const result = createInviteBodySchema.safeParse({ expires_at: value });
    expect(result.success).toBe(true);
    expect(result.data).toEqual({ expires_at: value });
  });

  it("null (no expiry) is accepted", () => {
    expect(createInviteBodySchema.parse({ expires_at: null })).toEqual({ expires_at: null });
  });

  it("the message names the field and shows an example", () => {
    expect(EXPIRES_AT_FORMAT.startsWith("expires_at ")).toBe(true);
    expect(EXPIRES_AT_FORMAT).toContain("2026-05-01T00:00:00Z");
  });
});

describe("createInviteBodySchema: the body as a whole", () => {
  it("{} is accepted and adds no keys (both null downstream)", () => {
    const result = createInviteBodySchema.safeParse({});
    expect(result.success).toBe(true);
    expect(result.data).toEqual({});
  });

  it("both fields together are accepted", () => {
    expect(createInviteBodySchema.parse({ max_uses: 5, expires_at: "2026-05-01T00:00:00Z" })).toEqual({
      max_uses: 5,
      expires_at: "2026-05-01T00:00:00Z",
    });
    expect(createInviteBodySchema.parse({ max_uses: null, expires_at: null })).toEqual({
      max_uses: null,
      expires_at: null,
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["maxUses (camelCase)", { maxUses: 3 }, "unknown field: maxUses"],
    ["expiresAt (camelCase)", { expiresAt: "2026-05-01T00:00:00Z" }, "unknown field: expiresAt"],
    ["chat_id (belongs in the path)", { chat_id: 1 }, "unknown field: chat_id"],
    ["uses", { max_uses: 3, uses: 0 }, "unknown field: uses"],
  ])("unknown key %s → %j", (_name, body, message) => {
    expect(messageFor(createInviteBodySchema, body)).toBe(message);
  });

  it.each<[string, unknown]>([
    ["an array", []],
    ["an array of one object", [{ max_uses: 1 }]],
    ["null", null],
    ["a string", "x"],
    ["a number", 42],
    ["a boolean", true],
    ["undefined", undefined],
  ])("a body that is %s → %j", (_name, body) => {
    expect(messageFor(createInviteBodySchema, body)).toBe(BODY_NOT_OBJECT);
    expect(BODY_NOT_OBJECT).toBe(ErrorMessage.bodyNotObject);
  });

  it("names the first invalid field", () => {
    expect(messageFor(createInviteBodySchema, { max_uses: 0, expires_at: "nope" })).toBe(MAX_USES_AT_LEAST_1);
  });
});

describe("createInviteInputSchema (tRPC invite.create)", () => {
  it.each<[string, unknown]>([
    ['"abc"', "abc"],
    ['"1" (a string)', "1"],
    ["0", 0],
    ["-3", -3],
    ["1.5", 1.5],
    ["null", null],
    ["missing", undefined],
    ["beyond the safe integer range", 2 ** 53],
  ])("chat_id %s → %j", (_name, chatId) => {
    const input = chatId === undefined ? {} : { chat_id: chatId };
    expect(messageFor(createInviteInputSchema, input)).toBe(CHAT_ID_MESSAGE);
  });

  it.each(["foo", "maxUses", "code"])("extra key %s → unknown field: %s", (key) => {
    expect(messageFor(createInviteInputSchema, { chat_id: 1, [key]: 1 })).toBe(`unknown field: ${key}`);
  });

  it("accepts a chat id with the same body fields and messages as REST", () => {
    expect(createInviteInputSchema.parse({ chat_id: 7 })).toEqual({ chat_id: 7 });
    expect(
      createInviteInputSchema.parse({ chat_id: 7, max_uses: 2147483647, expires_at: "2026-05-01T00:00:00+02:00" }),
    ).toEqual({ chat_id: 7, max_uses: 2147483647, expires_at: "2026-05-01T00:00:00+02:00" });
    expect(messageFor(createInviteInputSchema, { chat_id: 7, max_uses: 0 })).toBe(MAX_USES_AT_LEAST_1);
    expect(messageFor(createInviteInputSchema, { chat_id: 7, max_uses: 2147483648 })).toBe(MAX_USES_AT_MOST);
    expect(messageFor(createInviteInputSchema, { chat_id: 7, expires_at: "2026-01-01T00:00:00" })).toBe(
      EXPIRES_AT_FORMAT,
    );
  });

  it("chatRefInputSchema uses the same chat_id rule", () => {
    expect(chatRefInputSchema.parse({ chat_id: 1 })).toEqual({ chat_id: 1 });
    expect(messageFor(chatRefInputSchema, { chat_id: 0 })).toBe(CHAT_ID_MESSAGE);
    expect(messageFor(chatRefInputSchema, { chat_id: 1, x: 1 })).toBe("unknown field: x");
  });
});

describe("inviteCodeSchema (path code: 1–64 of A-Za-z0-9)", () => {
  it.each<[string, string]>([
    ["empty", ""],
    ["65 characters", "a".repeat(65)],
    ["a dash", "abc-def"],
    ["an underscore", "abc_def"],
    ["a space", "abc def"],
    ["a slash", "abc/def"],
    ["a dot", "abc.def"],
    ["a trailing newline", "abc\n"],
    ["a non-ASCII letter", "abcé"],
  ])("rejects %s", (_name, code) => {
    const result = inviteCodeSchema.safeParse(code);
    expect(result.success).toBe(false);
    if (!result.success) expect(result.error.issues[0]?.message).toBe(CODE_MESSAGE);
  });

  it.each<[string, string]>([
    ["64 alphanumeric characters", "aB3".repeat(21) + "z"],
    ["1 character", "x"],
    ["a generated-style code", "abc123def456ghi7"],
    ["upper case", "ABCDEF"],
  ])("accepts %s", (_name, code) => {
    expect(code.length).toBeLessThanOrEqual(64);
    expect(inviteCodeSchema.parse(code)).toBe(code);
  });

  it("the 64-character case really is 64 characters", () => {
    expect(("aB3".repeat(21) + "z").length).toBe(64);
  });

  it("names the code field inside the input objects", () => {
    expect(messageFor(inviteCodeInputSchema, { code: "abc-def" })).toBe(CODE_MESSAGE);
    expect(messageFor(inviteCodeInputSchema, { code: 5 })).toBe("code must be a string of 1 to 64 letters or digits");
    expect(messageFor(inviteRefInputSchema, { chat_id: 1, code: "" })).toBe(CODE_MESSAGE);
    expect(messageFor(inviteRefInputSchema, { chat_id: "1", code: "abc" })).toBe(CHAT_ID_MESSAGE);
    expect(inviteRefInputSchema.parse({ chat_id: 1, code: "abc" })).toEqual({ chat_id: 1, code: "abc" });
  });
});

describe("activityInputSchema", () => {
  it("names invite_code in its message when the filter is not a code", () => {
    const result = activityInputSchema.safeParse({ chat_id: 1, invite_code: "not a code!" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("invite_code must be 1 to 64 letters or digits (A-Z, a-z, 0-9)");
  });

  it("defaults offset to 0 and limit to 50", () => {
    expect(activityInputSchema.parse({ chat_id: 1 })).toEqual({ chat_id: 1, offset: 0, limit: 50 });
    expect(ACTIVITY_DEFAULT_LIMIT).toBe(50);
    expect(ACTIVITY_MAX_LIMIT).toBe(100);
  });

  it.each([1, 50, 100])("accepts limit %i", (limit) => {
    expect(activityInputSchema.parse({ chat_id: 1, limit })).toEqual({ chat_id: 1, offset: 0, limit });
  });

  it.each<[string, unknown]>([
    ["0", 0],
    ["101", 101],
    ["-1", -1],
    ["1.5", 1.5],
    ['"10" (a string)', "10"],
  ])("rejects limit %s with the limit message", (_name, limit) => {
    expect(messageFor(activityInputSchema, { chat_id: 1, limit })).toBe(LIMIT_MESSAGE);
  });

  it("accepts offsets from 0 and rejects negative ones", () => {
    expect(activityInputSchema.parse({ chat_id: 1, offset: 120 })).toEqual({ chat_id: 1, offset: 120, limit: 50 });
    expect(messageFor(activityInputSchema, { chat_id: 1, offset: -1 })).toMatch(/^offset must be an integer from 0 to /);
  });

  it("rejects a bad chat id and unknown keys", () => {
    expect(messageFor(activityInputSchema, { chat_id: 0 })).toBe(CHAT_ID_MESSAGE);
    expect(messageFor(activityInputSchema, { chat_id: 1, page: 2 })).toBe("unknown field: page");
  });
});

describe("describeValidationError", () => {
  it("says Invalid request when there is no issue", () => {
    expect(describeValidationError(new z.ZodError([]))).toBe("Invalid request");
  });

  it("prefixes the path of a nested unknown key", () => {
    const nested = z.object({ inner: z.strictObject({ a: z.number() }) });
    expect(messageFor(nested, { inner: { a: 1, b: 2 } })).toBe("unknown field: inner.b");
  });

  it("falls back to '<field> is invalid' for zod's own wording", () => {
    const plain = z.object({ name: z.string() });
    expect(messageFor(plain, { name: 5 })).toBe("name is invalid");
  });
});

describe("inviteSchema (the wire shape)", () => {
  it("accepts the documented invite object", () => {
    const invite = {
      code: "abc123def456ghi7",
      chat_id: 1,
      created_by_id: null,
      created_at: "2026-03-16T12:00:00Z",
      expires_at: null,
      uses: 0,
      max_uses: null,
    };
    expect(inviteSchema.parse(invite)).toEqual(invite);
  });

  it("requires whole-second UTC timestamps with Z", () => {
    expect(timestampSchema.safeParse("2026-03-16T12:00:00Z").success).toBe(true);
    expect(timestampSchema.safeParse("2026-03-16T12:00:00.000Z").success).toBe(false);
    expect(timestampSchema.safeParse("2026-03-16T12:00:00+00:00").success).toBe(false);
  });
});
