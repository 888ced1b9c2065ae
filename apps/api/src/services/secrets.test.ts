/**
 * Codes drawn from the pooled CSPRNG: the SPEC's shapes, no byte used twice (no repeated code
 * across many pool refills), and every symbol equally likely at every position.
 */
import { INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH, LOGIN_CODE_ALPHABET, LOGIN_CODE_LENGTH } from "@portal/core";
import { describe, expect, it } from "vitest";
import { randomInviteCode, randomLoginCode } from "./secrets.js";

/** Pearson's chi-square of observed symbol counts against a uniform distribution. */
function chiSquare(counts: Map<string, number>, symbols: number, total: number): number {
  const expected = total / symbols;
  let sum = 0;
  for (const count of counts.values()) sum += (count - expected) ** 2 / expected;
  // Symbols never drawn count too.
  sum += (symbols - counts.size) * expected;
  return sum;
}

describe.each([
  ["invite codes", randomInviteCode, INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH, /^[a-z0-9]{16}$/],
  ["login codes", randomLoginCode, LOGIN_CODE_ALPHABET, LOGIN_CODE_LENGTH, /^[A-Za-z0-9]{8}$/],
] as const)("%s from the pooled CSPRNG", (_name, draw, alphabet, length, shape) => {
  // 20,000 codes take 320,000 or 640,000 pool bytes: 80–160 refills of the 4 KiB pool.
  const COUNT = 20_000;
  const codes = Array.from({ length: COUNT }, draw);

  it("have the SPEC's length and alphabet", () => {
    const wrong = codes.filter((code) => !shape.test(code));
    expect(wrong).toEqual([]);
  });

  it("never repeat across many pool refills (no byte handed out twice)", () => {
    // Two equal codes among 20,000 would take a 2^-20 chance at 8 of 62 symbols: a reused slice of the pool.
    expect(new Set(codes).size).toBe(COUNT);
  });

  it("use every symbol equally often at every position (chi-square)", () => {
    // df = symbols − 1; the bound is df + 8·sqrt(2·df), about 5.6 standard deviations above the mean.
    const df = alphabet.length - 1;
    const bound = df + 8 * Math.sqrt(2 * df);
    const statistics: number[] = [];
    for (let position = 0; position < length; position++) {
      const counts = new Map<string, number>();
      for (const code of codes) counts.set(code[position]!, (counts.get(code[position]!) ?? 0) + 1);
      statistics.push(chiSquare(counts, alphabet.length, COUNT));
    }
    expect(statistics.filter((x) => x > bound)).toEqual([]);
  });
});
