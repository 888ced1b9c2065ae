import { describe, expect, it } from "vitest";
import { idempotencyKeySchema } from "./idempotency.js";
import { ErrorMessage } from "./messages.js";

describe("idempotencyKeySchema (1–255 visible ASCII characters)", () => {
  it.each<[string, string]>([
    ["a UUID", "5f0c7a8e-6a57-4d6b-9d55-3a1f0e2b9c41"],
    ["one character", "x"],
    ["255 characters", "k".repeat(255)],
    ["every visible ASCII character", Array.from({ length: 94 }, (_, i) => String.fromCharCode(0x21 + i)).join("")],
  ])("accepts %s", (_name, key) => {
    expect(idempotencyKeySchema.safeParse(key).success).toBe(true);
  });

  it.each<[string, unknown]>([
    ["an empty key", ""],
    ["256 characters", "k".repeat(256)],
    ["a space inside", "two words"],
    ["a tab", "a\tb"],
    ["a control character", "a\u0001b"],
    ["DEL", "a\u007fb"],
    ["a letter outside ASCII", "clé"],
    ["two keys joined (a repeated header)", "a, b"],
    ["not a string", 42],
  ])("refuses %s, with a message that names the header and the fix", (_name, key) => {
    const result = idempotencyKeySchema.safeParse(key);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(ErrorMessage.idempotencyKeyInvalid);
    expect(ErrorMessage.idempotencyKeyInvalid.startsWith("Idempotency-Key ")).toBe(true);
  });
});
