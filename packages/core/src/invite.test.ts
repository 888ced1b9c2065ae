import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { randomBytes } from "node:crypto";
import {
  INVITE_CODE_ALPHABET,
  INVITE_CODE_LENGTH,
  MAX_ACTIVE_INVITES_PER_CHAT,
  codeFromRandomBytes,
  hasInviteQuotaRoom,
  inviteCodeFromRandomBytes,
  isInviteActive,
  isInviteUsedUp,
  isValidInviteExpiry,
  type InviteFacts,
} from "./invite.js";

const NOW = Date.UTC(2026, 2, 16, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;
const CODE_PATTERN = /^[a-z0-9]{16}$/;
/** 252 = 7 × 36, the largest multiple of 36 that fits in a byte: bytes 252..255 must be dropped. */
const ACCEPTED_BYTES = 252;

const fresh: InviteFacts = { revokedAt: null, expiresAt: null, uses: 0, maxUses: null };
const invite = (overrides: Partial<InviteFacts>): InviteFacts => ({ ...fresh, ...overrides });

describe("isInviteActive (not revoked, expires_at null or later than now, max_uses null or uses < max_uses)", () => {
  describe("expiry", () => {
    it.each<[string, number | null, boolean]>([
      ["expiresAt null (never expires)", null, true],
      ["expiresAt one day from now", NOW + DAY, true],
      ["expiresAt now + 1 ms", NOW + 1, true],
      ["expiresAt exactly now", NOW, false],
      ["expiresAt now - 1 ms", NOW - 1, false],
      ["expiresAt one day ago", NOW - DAY, false],
    ])("%s → %s", (_name, expiresAt, expected) => {
      expect(isInviteActive(invite({ expiresAt }), NOW)).toBe(expected);
    });
  });

  describe("uses", () => {
    it.each<[string, number, number | null, boolean]>([
      ["uses 0 of max 1", 0, 1, true],
      ["uses 1 of max 1 (uses == maxUses)", 1, 1, false],
      ["uses 9 of max 10 (uses == maxUses - 1)", 9, 10, true],
      ["uses 10 of max 10 (uses == maxUses)", 10, 10, false],
      ["uses 11 of max 10 (over the limit)", 11, 10, false],
      ["uses 2147483646 of max 2147483647", 2147483646, 2147483647, true],
      ["uses 2147483647 of max 2147483647", 2147483647, 2147483647, false],
      ["uses 0 with maxUses null", 0, null, true],
      ["huge uses with maxUses null (unlimited)", Number.MAX_SAFE_INTEGER, null, true],
    ])("%s → %s", (_name, uses, maxUses, expected) => {
      expect(isInviteActive(invite({ uses, maxUses }), NOW)).toBe(expected);
    });
  });

  describe("revocation", () => {
    it.each<[string, number]>([
      ["revokedAt a day ago", NOW - DAY],
      ["revokedAt exactly now", NOW],
      ["revokedAt in the future", NOW + DAY],
      ["revokedAt 0 (the epoch, falsy but set)", 0],
    ])("%s → inactive", (_name, revokedAt) => {
      expect(isInviteActive(invite({ revokedAt }), NOW)).toBe(false);
    });

    it("a revoked invite is inactive even with a future expiry and uses to spare", () => {
      expect(isInviteActive({ revokedAt: NOW - 1, expiresAt: NOW + DAY, uses: 0, maxUses: 100 }, NOW)).toBe(false);
    });
  });

  it("a fresh invite with no limits is active", () => {
    expect(isInviteActive(fresh, NOW)).toBe(true);
  });

  it("all three conditions must hold together", () => {
    const good: InviteFacts = { revokedAt: null, expiresAt: NOW + 1, uses: 4, maxUses: 5 };
    expect(isInviteActive(good, NOW)).toBe(true);
    expect(isInviteActive({ ...good, revokedAt: NOW }, NOW)).toBe(false);
    expect(isInviteActive({ ...good, expiresAt: NOW }, NOW)).toBe(false);
    expect(isInviteActive({ ...good, uses: 5 }, NOW)).toBe(false);
  });

  it("takes the time as an argument: an invite expires exactly when now reaches expiresAt", () => {
    const inv = invite({ expiresAt: NOW });
    expect(isInviteActive(inv, NOW - 1)).toBe(true);
    expect(isInviteActive(inv, NOW)).toBe(false);
    expect(isInviteActive(inv, NOW + 1)).toBe(false);
  });
});

describe("quota: at most 20 active invites per chat", () => {
  it("MAX_ACTIVE_INVITES_PER_CHAT is 20", () => {
    expect(MAX_ACTIVE_INVITES_PER_CHAT).toBe(20);
  });

  it.each<[number, boolean]>([
    [0, true],
    [1, true],
    [18, true],
    [19, true],
    [20, false],
    [21, false],
    [1000, false],
  ])("hasInviteQuotaRoom(%i) → %s", (activeCount, expected) => {
    expect(hasInviteQuotaRoom(activeCount)).toBe(expected);
  });

  it("expired, used-up and revoked invites do not count toward the quota", () => {
    const active = Array.from({ length: 19 }, (_, i) => invite({ expiresAt: NOW + (i + 1) * DAY, maxUses: 5, uses: 4 }));
    const dead: InviteFacts[] = [
      invite({ expiresAt: NOW }), // expired exactly now
      invite({ expiresAt: NOW - DAY }),
      invite({ uses: 3, maxUses: 3 }), // used up
      invite({ revokedAt: NOW - DAY }), // revoked
      invite({ revokedAt: NOW, expiresAt: NOW + DAY }),
    ];
    const all = [...active, ...dead];
    const activeCount = all.filter((inv) => isInviteActive(inv, NOW)).length;
    expect(activeCount).toBe(19);
    expect(hasInviteQuotaRoom(activeCount)).toBe(true);

    const withOneMore = [...all, fresh];
    const countAfter = withOneMore.filter((inv) => isInviteActive(inv, NOW)).length;
    expect(countAfter).toBe(20);
    expect(hasInviteQuotaRoom(countAfter)).toBe(false);
  });
});

describe("isValidInviteExpiry (null, or after now)", () => {
  it.each<[string, number | null, boolean]>([
    ["null (never expires)", null, true],
    ["one day from now", NOW + DAY, true],
    ["now + 1 ms", NOW + 1, true],
    ["exactly now", NOW, false],
    ["now - 1 ms", NOW - 1, false],
    ["one day ago", NOW - DAY, false],
    ["the epoch", 0, false],
  ])("%s → %s", (_name, expiresAt, expected) => {
    expect(isValidInviteExpiry(expiresAt, NOW)).toBe(expected);
  });
});

describe("invite code alphabet", () => {
  it("is the 36 distinct characters a-z0-9 and codes are 16 long (≈83 bits)", () => {
    expect(INVITE_CODE_ALPHABET).toBe("abcdefghijklmnopqrstuvwxyz0123456789");
    expect(new Set(INVITE_CODE_ALPHABET).size).toBe(36);
    expect(INVITE_CODE_LENGTH).toBe(16);
    expect(INVITE_CODE_LENGTH * Math.log2(36)).toBeGreaterThan(82);
  });
});

/** Independent restatement: drop bytes >= 252, map the rest to alphabet[byte % 36], take 16. */
function expectedCode(bytes: Uint8Array, length = 16): string | null {
  const accepted = [...bytes].filter((b) => b < ACCEPTED_BYTES);
  if (accepted.length < length) return null;
  return accepted
    .slice(0, length)
    .map((b) => "abcdefghijklmnopqrstuvwxyz0123456789".charAt(b % 36))
    .join("");
}

describe("inviteCodeFromRandomBytes", () => {
  it("maps bytes 0..15 to the first 16 letters", () => {
    const bytes = Uint8Array.from({ length: 16 }, (_, i) => i);
    expect(inviteCodeFromRandomBytes(bytes)).toBe("abcdefghijklmnop");
  });

  it("maps 26..35 to the digits and wraps every 36", () => {
    expect(inviteCodeFromRandomBytes(Uint8Array.from([26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 71, 72, 216, 251]))).toBe(
      "0123456789ab9aa9",
    );
  });

  it.each([252, 253, 254, 255])("skips byte %i (at or above 252, so no modulo bias)", (high) => {
    const valid = Uint8Array.from({ length: 16 }, (_, i) => i + 20);
    const withHigh = Uint8Array.from([high, high, ...valid.slice(0, 8), high, ...valid.slice(8), high]);
    expect(inviteCodeFromRandomBytes(withHigh)).toBe(inviteCodeFromRandomBytes(valid));
    expect(inviteCodeFromRandomBytes(Uint8Array.from([high]), 1)).toBeNull();
  });

  it("maps each single byte as alphabet[byte % 36] below 252 and rejects 252..255", () => {
    for (let b = 0; b < 256; b++) {
      const got = inviteCodeFromRandomBytes(Uint8Array.of(b), 1);
      if (b < ACCEPTED_BYTES) expect(got).toBe(INVITE_CODE_ALPHABET.charAt(b % 36));
      else expect(got).toBeNull();
    }
  });

  it("each of the 256 byte values maps to every character exactly 7 times (252 accepted, 4 dropped)", () => {
    const counts = new Map<string, number>();
    let dropped = 0;
    for (let b = 0; b < 256; b++) {
      const ch = inviteCodeFromRandomBytes(Uint8Array.of(b), 1);
      if (ch === null) dropped++;
      else counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect(dropped).toBe(4);
    expect(counts.size).toBe(36);
    for (const ch of INVITE_CODE_ALPHABET) expect(counts.get(ch)).toBe(7);
  });

  it("is exactly uniform over many draws from a stream of bytes 0..255 repeated", () => {
    const rounds = 100;
    const stream = Uint8Array.from({ length: 256 * rounds }, (_, i) => i % 256);
    // Draw 16-character codes one after another from the stream, each draw consuming the bytes
    // up to and including its 16th accepted byte.
    const counts = new Map<string, number>();
    let offset = 0;
    let draws = 0;
    for (;;) {
      const rest = stream.subarray(offset);
      const code = inviteCodeFromRandomBytes(rest);
      if (code === null) break;
      expect(code).toMatch(CODE_PATTERN);
      for (const ch of code) counts.set(ch, (counts.get(ch) ?? 0) + 1);
      draws++;
      // advance past the 16 accepted bytes this draw used
      let accepted = 0;
      while (accepted < INVITE_CODE_LENGTH) {
        const byte = stream[offset];
        offset++;
        if (byte !== undefined && byte < ACCEPTED_BYTES) accepted++;
      }
    }
    // 252 accepted bytes per round, 16 per draw: 100 × 252 / 16 = 1575 draws use every accepted byte.
    expect(draws).toBe((rounds * ACCEPTED_BYTES) / INVITE_CODE_LENGTH);
    expect(counts.size).toBe(36);
    for (const ch of INVITE_CODE_ALPHABET) expect(counts.get(ch)).toBe(7 * rounds);
  });

  it("with a long length over bytes 0..255 repeated, every character appears exactly 7 times per round", () => {
    const rounds = 10;
    const stream = Uint8Array.from({ length: 256 * rounds }, (_, i) => i % 256);
    const out = inviteCodeFromRandomBytes(stream, ACCEPTED_BYTES * rounds);
    expect(out).not.toBeNull();
    const counts = new Map<string, number>();
    for (const ch of out ?? "") counts.set(ch, (counts.get(ch) ?? 0) + 1);
    for (const ch of INVITE_CODE_ALPHABET) expect(counts.get(ch)).toBe(7 * rounds);
    // one more character than there are accepted bytes: the bytes run out
    expect(inviteCodeFromRandomBytes(stream, ACCEPTED_BYTES * rounds + 1)).toBeNull();
  });

  it("returns null when the bytes run out", () => {
    expect(inviteCodeFromRandomBytes(new Uint8Array(0))).toBeNull();
    expect(inviteCodeFromRandomBytes(new Uint8Array(15))).toBeNull();
    expect(inviteCodeFromRandomBytes(new Uint8Array(1000).fill(255))).toBeNull();
    // 15 accepted bytes hidden among many rejected ones
    const fifteen = Uint8Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? i : 252 + (i % 4)));
    expect([...fifteen].filter((b) => b < ACCEPTED_BYTES)).toHaveLength(15);
    expect(inviteCodeFromRandomBytes(fifteen)).toBeNull();
  });

  it("stops at 16 characters and ignores further bytes", () => {
    expect(inviteCodeFromRandomBytes(new Uint8Array(16))).toBe("aaaaaaaaaaaaaaaa");
    expect(inviteCodeFromRandomBytes(new Uint8Array(17))).toBe("aaaaaaaaaaaaaaaa");
    const tail = Uint8Array.from([...new Uint8Array(16).fill(35), 0, 1, 2]);
    expect(inviteCodeFromRandomBytes(tail)).toBe("9999999999999999");
  });

  it("produces well-formed codes from the CSPRNG", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 500; i++) {
      let code: string | null = null;
      while (code === null) code = inviteCodeFromRandomBytes(randomBytes(24));
      expect(code).toMatch(CODE_PATTERN);
      seen.add(code);
    }
    expect(seen.size).toBe(500);
  });

  it("property: any byte array yields null or a 16-character code over a-z0-9", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const code = inviteCodeFromRandomBytes(bytes);
        if (code !== null) expect(code).toMatch(CODE_PATTERN);
        const acceptedCount = [...bytes].filter((b) => b < ACCEPTED_BYTES).length;
        expect(code === null).toBe(acceptedCount < INVITE_CODE_LENGTH);
      }),
      { numRuns: 2000 },
    );
  });

  it("property: the code is the first 16 accepted bytes, each mapped to alphabet[byte % 36]", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 48 }),
        fc.array(fc.integer({ min: 252, max: 255 }), { maxLength: 16 }),
        (bytes, junk) => {
          expect(inviteCodeFromRandomBytes(bytes)).toBe(expectedCode(bytes));
          // Rejected bytes inserted anywhere do not change the result.
          const mixed = Uint8Array.from([...junk, ...bytes, ...junk]);
          expect(inviteCodeFromRandomBytes(mixed)).toBe(expectedCode(bytes));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe("codeFromRandomBytes (any alphabet)", () => {
  const ALNUM62 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  it.each<[string, string, number]>([
    ["36 characters (a-z0-9)", INVITE_CODE_ALPHABET, 252],
    ["62 characters (A-Za-z0-9)", ALNUM62, 248],
    ["10 digits", "0123456789", 250],
    ["8 characters (divides 256: nothing dropped)", "abcdefgh", 256],
    ["3 characters", "xyz", 255],
  ])("%s: accepts exactly the bytes below %i, each character equally often", (_name, alphabet, accepted) => {
    const counts = new Map<string, number>();
    let dropped = 0;
    for (let b = 0; b < 256; b++) {
      const ch = codeFromRandomBytes(Uint8Array.of(b), alphabet, 1);
      if (ch === null) {
        dropped++;
        expect(b).toBeGreaterThanOrEqual(accepted);
      } else {
        expect(b).toBeLessThan(accepted);
        expect(ch).toBe(alphabet.charAt(b % alphabet.length));
        counts.set(ch, (counts.get(ch) ?? 0) + 1);
      }
    }
    expect(dropped).toBe(256 - accepted);
    expect(counts.size).toBe(alphabet.length);
    for (const ch of alphabet) expect(counts.get(ch)).toBe(accepted / alphabet.length);
  });

  it("returns null when the bytes run out and stops at the requested length", () => {
    expect(codeFromRandomBytes(new Uint8Array(7), ALNUM62, 8)).toBeNull();
    expect(codeFromRandomBytes(Uint8Array.from([0, 248, 1, 255, 2, 3, 4, 5, 6, 7, 8]), ALNUM62, 8)).toBe("ABCDEFGH");
  });

  it("inviteCodeFromRandomBytes is codeFromRandomBytes over a-z0-9 with length 16", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        expect(inviteCodeFromRandomBytes(bytes)).toBe(codeFromRandomBytes(bytes, INVITE_CODE_ALPHABET, 16));
      }),
      { numRuns: 500 },
    );
  });
});

describe("isInviteUsedUp (max_uses set and uses at it)", () => {
  it.each<[number, number | null, boolean]>([
    [0, null, false],
    [1000, null, false],
    [0, 1, false],
    [2, 3, false],
    [3, 3, true],
  ])("uses %s of max_uses %s: %s", (uses, maxUses, expected) => {
    expect(isInviteUsedUp({ uses, maxUses })).toBe(expected);
  });
});
