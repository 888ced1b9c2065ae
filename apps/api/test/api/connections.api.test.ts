/**
 * Slow or abusive clients and errors from below Express (SPEC section 9): a flood of idle sockets
 * does not stop /health and real requests, slow requests and slow headers are cut with 408, idle
 * keep-alive connections close, and what Node's HTTP parser refuses still gets the SPEC error body
 * and the X-Correlation-ID header. Real server, real sockets over loopback.
 */
import { spawn } from "node:child_process";
import type { Socket } from "node:net";
import { createInterface } from "node:readline";
import { ErrorMessage } from "@portal/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS } from "../support/backends.js";
import { http } from "../support/clients.js";
import { MAIN_JS } from "../support/processes.js";
import { openSocket, rawExchange, readUntilClosed, type RawResponse } from "../support/raw-http.js";
import { startTestServer, type TestServer } from "../support/test-server.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The response carries the SPEC error body, its id in X-Correlation-ID, and a log line with that id. */
function expectSpecError(server: TestServer, response: RawResponse | null, status: number, message: string) {
  expect(response, "a response before the close").not.toBeNull();
  expect(response!.status).toBe(status);
  expect(response!.headers["content-type"]).toMatch(/^application\/json/);
  const id = response!.headers["x-correlation-id"];
  expect(id).toMatch(UUID_V4);
  expect(JSON.parse(response!.body)).toEqual({ error: message, correlation_id: id });
  const lines = server.logs.filter((l) => l.correlation_id === id);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: "warn", msg: "request refused", status, error: message, answered: true });
}

/** Writes `chunks` one at a time, `gapMs` apart, until they run out or the server closes the socket. */
async function trickle(socket: Socket, chunks: string[], gapMs: number): Promise<void> {
  for (const chunk of chunks) {
    if (socket.destroyed || socket.writableEnded || socket.readableEnded) return;
    socket.write(chunk);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

describe.each(BACKENDS)("connection bounds on %s", (backend) => {
  let server: TestServer;
  let session: string;

  beforeAll(async () => {
    server = await startTestServer(backend, {
      REQUEST_TIMEOUT_MS: "1000",
      HEADERS_TIMEOUT_MS: "1000",
      KEEP_ALIVE_TIMEOUT_MS: "1000",
    });
    session = await server.fixtures.session(await server.fixtures.user());
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("cuts a request whose body trickles in past REQUEST_TIMEOUT_MS with 408 and the SPEC body", async () => {
    const chat = await server.fixtures.chat({ owner: null });
    const socket = await openSocket(server.url);
    try {
      const done = readUntilClosed(socket);
      socket.write(
        `POST /v1/portal/chats/${chat.id}/invites HTTP/1.1\r\nHost: localhost\r\nCookie: psession=${session}\r\n` +
          "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n{",
      );
      // 200 bytes at one per 100 ms would take 20 s; the server cuts it after about 1 s.
      await Promise.all([trickle(socket, Array.from({ length: 200 }, () => " "), 100), done]);
      const { response } = await done;
      expectSpecError(server, response, 408, ErrorMessage.requestTimedOut);
      const line = server.logs.find((l) => l.correlation_id === response!.headers["x-correlation-id"]);
      expect(line).toMatchObject({ method: "POST", path: `/v1/portal/chats/${chat.id}/invites` });
      expect(await server.fixtures.countActive(chat)).toBe(0);
    } finally {
      socket.destroy();
    }
  });

  it("cuts headers that trickle in past HEADERS_TIMEOUT_MS with 408 and the SPEC body", async () => {
    const socket = await openSocket(server.url);
    try {
      const done = readUntilClosed(socket);
      socket.write("GET /health HTTP/1.1\r\nHost: localhost\r\n");
      await Promise.all([trickle(socket, Array.from({ length: 200 }, (_, i) => `X-Slow-${i}: 1\r\n`), 100), done]);
      expectSpecError(server, (await done).response, 408, ErrorMessage.requestTimedOut);
    } finally {
      socket.destroy();
    }
  });

  it("closes an idle keep-alive connection after KEEP_ALIVE_TIMEOUT_MS, without an answer or a log line", async () => {
    const socket = await openSocket(server.url);
    try {
      const done = readUntilClosed(socket);
      const before = server.logs.length;
      socket.write("GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n");
      const { text } = await done;
      // One 200 and nothing after it: the server closed the connection on its own.
      expect(text.match(/^HTTP\/1\.1 /gm)).toHaveLength(1);
      expect(text).toMatch(/^HTTP\/1\.1 200 /);
      // What the server told the client, from KEEP_ALIVE_TIMEOUT_MS (Node closes about 1 s after it).
      expect(text).toMatch(/\r\nKeep-Alive: timeout=1\r\n/i);
      expect(server.logs.slice(before).map((l) => l.msg)).toEqual(["request"]);
    } finally {
      socket.destroy();
    }
  });

  it("answers a header block over 16 KiB with 431, the SPEC body and X-Correlation-ID", async () => {
    const big = `X-Big: ${"a".repeat(20 * 1024)}\r\n`;
    const { response } = await rawExchange(server.url, `GET /health HTTP/1.1\r\nHost: localhost\r\n${big}\r\n`);
    expectSpecError(server, response, 431, ErrorMessage.headersTooLarge);
  });

  it.each([
    ["a request line that is not HTTP", "HELLO THERE\r\n\r\n"],
    ["a header line without a colon", "GET /health HTTP/1.1\r\nHost: localhost\r\nnot a header\r\n\r\n"],
    ["an invalid Content-Length", "POST /v1/authentication/verify HTTP/1.1\r\nHost: localhost\r\nContent-Length: 12x\r\n\r\n"],
  ])("answers %s with 400, the SPEC body and X-Correlation-ID", async (_what, request) => {
    const { response } = await rawExchange(server.url, request);
    expectSpecError(server, response, 400, ErrorMessage.malformedRequest);
  });

  it("answers /health and real requests during a flood of idle sockets past MAX_CONNECTIONS", async () => {
    const capped = await startTestServer(backend, { MAX_CONNECTIONS: "50" });
    const flood: Socket[] = [];
    try {
      const user = await capped.fixtures.user();
      const token = await capped.fixtures.session(user);
      let closedByServer = 0;
      let allShed: () => void = () => undefined;
      const shed = new Promise<void>((resolve) => (allShed = resolve));
      for (let i = 0; i < 80; i++) {
        const socket = await openSocket(capped.url);
        socket.on("error", () => undefined);
        socket.once("close", () => {
          closedByServer += 1;
          if (closedByServer >= 30) allShed();
        });
        flood.push(socket);
      }
      // 80 sockets that never send a byte against a cap of 50: the 30 oldest were closed to make room.
      await shed;
      expect(flood.slice(0, 30).every((s) => s.destroyed)).toBe(true);

      const health = await http(capped.url, "GET", "/health");
      expect(health.status).toBe(200);
      const me = await http(capped.url, "GET", "/v1/users/me", { session: token });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: user.id });

      const capLines = capped.logs.filter((l) => String(l.msg).startsWith("connection cap"));
      expect(capLines[0]).toMatchObject({ level: "warn", msg: "connection cap reached: closing idle connections to make room", max_connections: 50 });
      // Not a line per socket: one when shedding began, then one summary per 10 s at most.
      expect(capLines.length).toBeLessThan(30);
      // Sockets that never sent a byte get no answer and no log line of their own.
      expect(capped.logs.filter((l) => l.msg === "request refused")).toEqual([]);
    } finally {
      for (const socket of flood) socket.destroy();
      await capped.stop();
    }
  });

  it("at the cap with no idle connection, refuses the new one and keeps the requests in flight", async () => {
    const capped = await startTestServer(backend, { MAX_CONNECTIONS: "5" });
    const inFlight: Socket[] = [];
    try {
      let requests = 0;
      let allArrived: () => void = () => undefined;
      const arrived = new Promise<void>((resolve) => (allArrived = resolve));
      capped.server.on("request", () => {
        requests += 1;
        if (requests === 5) allArrived();
      });
      const body = JSON.stringify({ code: "wrongcod" });
      for (let i = 0; i < 5; i++) {
        const socket = await openSocket(capped.url);
        socket.on("error", () => undefined);
        // Headers sent, body still to come: a request in flight, so the connection is not idle.
        socket.write(
          `POST /v1/authentication/verify HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
        );
        inFlight.push(socket);
      }
      const answers = inFlight.map((socket) => readUntilClosed(socket));
      await arrived;
      const sixth = await openSocket(capped.url);
      sixth.on("error", () => undefined);
      expect((await readUntilClosed(sixth)).text).toBe("");
      expect(capped.logs.filter((l) => String(l.msg).startsWith("connection cap"))).toEqual([
        expect.objectContaining({ level: "warn", max_connections: 5, refused: 1, closed_idle: 0 }),
      ]);
      // The five requests were not cut: their bodies arrive and they are answered.
      for (const socket of inFlight) socket.write(body);
      for (const answer of answers) expect((await answer).response?.status).toBe(400);
    } finally {
      for (const socket of inFlight) socket.destroy();
      await capped.stop();
    }
  });
});

describe("MAX_CONNECTIONS and the open file limit", () => {
  it("lowers the cap below a small file limit and says so once, then serves", async () => {
    // Node raises its soft limit to the hard one at start, so the shell lowers both.
    const child = spawn("/bin/sh", ["-c", `ulimit -n 400 && exec "${process.execPath}" "${MAIN_JS}"`], {
      env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", DATABASE_URL: "file::memory:", RATE_LIMITS: "off", WEB_DIST: "", LOG_LEVEL: "info" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    try {
      const lines: Record<string, unknown>[] = [];
      const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
        child.once("exit", (code) => reject(new Error(`server exited with ${code} before listening`)));
        createInterface({ input: child.stdout! }).on("line", (text) => {
          const line = JSON.parse(text) as Record<string, unknown>;
          lines.push(line);
          if (line.msg === "listening") resolve(line);
        });
      });
      const warnings = lines.filter((l) => String(l.msg).startsWith("MAX_CONNECTIONS"));
      expect(warnings).toEqual([
        expect.objectContaining({ level: "warn", max_connections: 10_000, effective: 400 - 128, open_file_limit: 400 }),
      ]);
      expect((await http(String(listening.url), "GET", "/health")).status).toBe(200);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    }
  });
});
