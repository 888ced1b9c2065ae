import { createHash, randomBytes, randomFillSync } from "node:crypto";
import { codeFromRandomBytes, INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH, LOGIN_CODE_ALPHABET, LOGIN_CODE_LENGTH } from "@portal/core";

/**
 * CSPRNG bytes drawn 4 KiB at a time (as Node's own `crypto.randomUUID` buffers them): a draw is a
 * call into OpenSSL that took 3–7 µs per invite code, up to a tenth of an in-process create
 * (tooling/bench/README.md); from the pool a code takes well under a microsecond. Every byte is handed out once.
 */
const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let poolOffset = POOL_BYTES;

/** `n` (≤ 4096) unused bytes of the pool, as a view: read them before the next call, then wipe them. */
function pooledRandomBytes(n: number): Buffer {
  if (poolOffset + n > POOL_BYTES) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + n);
  poolOffset += n;
  return bytes;
}

/** A code of `length` symbols of `alphabet` from the CSPRNG, without modulo bias. */
function randomCode(alphabet: string, length: number): string {
  for (;;) {
    // Twice the bytes needed: a byte is dropped with odds (256 mod alphabet size) / 256, 1.6 % for
    // invite codes and 3.1 % for login codes, so one draw nearly always suffices.
    const bytes = pooledRandomBytes(length * 2);
    const code = codeFromRandomBytes(bytes, alphabet, length);
    // Spent bytes do not wait in memory for the next refill.
    bytes.fill(0);
    if (code !== null) return code;
  }
}

export const randomInviteCode = (): string => randomCode(INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH);
export const randomLoginCode = (): string => randomCode(LOGIN_CODE_ALPHABET, LOGIN_CODE_LENGTH);

/** A session token: 32 random bytes, base64url. */
export const randomSessionToken = (): string => randomBytes(32).toString("base64url");

export const sha256Hex = (value: string): string => createHash("sha256").update(value).digest("hex");
