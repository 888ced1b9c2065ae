import { createHash, randomBytes } from "node:crypto";
import { codeFromRandomBytes, INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH, LOGIN_CODE_ALPHABET, LOGIN_CODE_LENGTH } from "@portal/core";

/** A code of `length` symbols of `alphabet` from the CSPRNG, without modulo bias. */
function randomCode(alphabet: string, length: number): string {
  for (;;) {
    // Twice the bytes needed: at most ~2% are dropped, so one draw nearly always suffices.
    const code = codeFromRandomBytes(randomBytes(length * 2), alphabet, length);
    if (code !== null) return code;
  }
}

export const randomInviteCode = (): string => randomCode(INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH);
export const randomLoginCode = (): string => randomCode(LOGIN_CODE_ALPHABET, LOGIN_CODE_LENGTH);

/** A session token: 32 random bytes, base64url. */
export const randomSessionToken = (): string => randomBytes(32).toString("base64url");

export const sha256Hex = (value: string): string => createHash("sha256").update(value).digest("hex");
