/**
 * The statuses come from tRPC's own table (an AppErrorCode is a tRPC code), so /v1 and /trpc give
 * one failure one status; these are the statuses SPEC section 4 promises for each kind.
 */
import { describe, expect, it } from "vitest";
import type { AppErrorCode } from "../services/errors.js";
import { httpStatusOf } from "./errors.js";

describe("httpStatusOf", () => {
  it.each<[AppErrorCode, number]>([
    ["BAD_REQUEST", 400],
    ["UNAUTHORIZED", 401],
    ["FORBIDDEN", 403],
    ["NOT_FOUND", 404],
    ["CONFLICT", 409],
    ["PAYLOAD_TOO_LARGE", 413],
    ["UNSUPPORTED_MEDIA_TYPE", 415],
    ["UNPROCESSABLE_CONTENT", 422],
    ["TOO_MANY_REQUESTS", 429],
    ["INTERNAL_SERVER_ERROR", 500],
    ["SERVICE_UNAVAILABLE", 503],
  ])("%s is %i", (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
    // Asked again, from the cache: the same answer.
    expect(httpStatusOf(code)).toBe(status);
  });
});
