import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../config.js";
import { effectiveConnectionCap, parseOpenFileLimit, readOpenFileLimit, RESERVED_FILE_DESCRIPTORS } from "./connections.js";
import { clientErrorAnswer, rawErrorResponse } from "./client-errors.js";

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            1024                 524288               files
Max locked memory         8388608              8388608              bytes
`;

describe("connection bounds in the configuration", () => {
  it("defaults to SPEC section 9: 30 s a request, 10 s its headers, 5 s keep-alive, 10,000 connections", () => {
    expect(loadConfig({})).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, keepAliveTimeoutMs: 5_000, maxConnections: 10_000 });
  });

  it("takes values in range", () => {
    const config = loadConfig({ REQUEST_TIMEOUT_MS: "1000", HEADERS_TIMEOUT_MS: "500", KEEP_ALIVE_TIMEOUT_MS: "200", MAX_CONNECTIONS: "50" });
    expect(config).toMatchObject({ requestTimeoutMs: 1000, headersTimeoutMs: 500, keepAliveTimeoutMs: 200, maxConnections: 50 });
  });

  it("lowers the default headers timeout to a shorter request timeout", () => {
    expect(loadConfig({ REQUEST_TIMEOUT_MS: "2000" }).headersTimeoutMs).toBe(2000);
  });

  it.each([
    ["REQUEST_TIMEOUT_MS", "0", "an integer from 100 to 600000"],
    ["REQUEST_TIMEOUT_MS", "30s", "an integer from 100 to 600000"],
    ["HEADERS_TIMEOUT_MS", "99", "an integer from 100 to 600000"],
    ["KEEP_ALIVE_TIMEOUT_MS", "-1", "an integer from 100 to 600000"],
    ["MAX_CONNECTIONS", "0", "an integer from 1 to 1000000"],
    ["MAX_CONNECTIONS", "ten thousand", "an integer from 1 to 1000000"],
  ])("refuses %s=%s, naming the variable and the range", (variable, value, expected) => {
    expect(() => loadConfig({ [variable]: value })).toThrow(new ConfigError(`${variable} must be ${expected} (got ${JSON.stringify(value)})`));
  });

  it("refuses a headers timeout longer than the request timeout, naming both", () => {
    expect(() => loadConfig({ REQUEST_TIMEOUT_MS: "1000", HEADERS_TIMEOUT_MS: "2000" })).toThrow(
      /^HEADERS_TIMEOUT_MS must be at most REQUEST_TIMEOUT_MS \(1000\).*\(got "2000"\)$/,
    );
  });
});

describe("the open file limit", () => {
  it("reads the soft limit of /proc/<pid>/limits", () => {
    expect(parseOpenFileLimit(LIMITS)).toBe(1024);
    expect(parseOpenFileLimit(LIMITS.replace("1024  ", "unlimited"))).toBeNull();
    expect(parseOpenFileLimit("")).toBeNull();
  });

  it("reads this process's limit on Linux", () => {
    const limit = readOpenFileLimit();
    if (process.platform === "linux") expect(limit).toBeGreaterThan(0);
    else expect(limit).toBeNull();
    expect(readOpenFileLimit("/nonexistent/limits")).toBeNull();
  });

  it("keeps the cap below the limit, with file descriptors to spare", () => {
    expect(effectiveConnectionCap(10_000, null)).toBe(10_000);
    expect(effectiveConnectionCap(10_000, 1_048_576)).toBe(10_000);
    expect(effectiveConnectionCap(10_000, 10_000)).toBe(10_000 - RESERVED_FILE_DESCRIPTORS);
    expect(effectiveConnectionCap(10_000, 1024)).toBe(1024 - RESERVED_FILE_DESCRIPTORS);
    expect(effectiveConnectionCap(10_000, 100)).toBe(50);
    expect(effectiveConnectionCap(10_000, 1)).toBe(1);
  });
});

describe("answers to what the HTTP parser refuses", () => {
  it("maps parser errors to a status and a message for a person; socket errors get none", () => {
    expect(clientErrorAnswer("HPE_HEADER_OVERFLOW")).toEqual({ status: 431, message: "Request headers too large" });
    expect(clientErrorAnswer("ERR_HTTP_REQUEST_TIMEOUT")).toEqual({ status: 408, message: "Request timed out" });
    expect(clientErrorAnswer("HPE_INVALID_METHOD")).toEqual({ status: 400, message: "Malformed request" });
    expect(clientErrorAnswer("ECONNRESET")).toBeNull();
    expect(clientErrorAnswer(undefined)).toBeNull();
  });

  it("writes a whole HTTP/1.1 response whose Content-Length is the body's", () => {
    const raw = rawErrorResponse(431, "Request headers too large", "0b7e7b2e-3c1a-4c61-9d0a-0f6f4d3e2a11");
    const [head, body] = raw.split("\r\n\r\n");
    expect(head).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    expect(head).toContain("\r\nConnection: close");
    expect(head).toContain(`\r\nContent-Length: ${Buffer.byteLength(body!)}`);
    expect(JSON.parse(body!)).toEqual({ error: "Request headers too large", correlation_id: "0b7e7b2e-3c1a-4c61-9d0a-0f6f4d3e2a11" });
  });
});
