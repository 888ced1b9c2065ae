import { readFileSync } from "node:fs";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { Logger } from "../logger.js";

/**
 * The cap on open connections (SPEC section 9, `MAX_CONNECTIONS`). Node's own
 * `server.maxConnections` drops every new connection while a flood of idle sockets sits at the
 * cap, until the headers timeout closes them; so /health and real clients would wait 10 s. This
 * guard makes room instead: at the cap, a new connection closes the oldest idle one (nothing in
 * flight and nothing received since its last response, e.g. a socket that never sent a byte or an
 * idle keep-alive one). Only when no connection is idle is the new one refused.
 */

/** File descriptors kept free for what else the process opens: database, WAL, Redis, the listening socket. */
export const RESERVED_FILE_DESCRIPTORS = 128;

/** The soft `Max open files` of a `/proc/<pid>/limits` text; null when absent or unlimited. */
export function parseOpenFileLimit(limits: string): number | null {
  const line = limits.split("\n").find((l) => l.startsWith("Max open files"));
  const soft = line?.slice("Max open files".length).trim().split(/\s+/)[0];
  return soft !== undefined && /^\d+$/.test(soft) ? Number(soft) : null;
}

/** The process's soft RLIMIT_NOFILE (Node has no API for it): Linux only, null elsewhere. */
export function readOpenFileLimit(path = "/proc/self/limits"): number | null {
  try {
    return parseOpenFileLimit(readFileSync(path, "utf8"));
  } catch {
    return null;
  }
}

/** The cap in effect: the configured one, lowered to leave file descriptors for everything else. */
export function effectiveConnectionCap(configured: number, openFileLimit: number | null): number {
  if (openFileLimit === null) return configured;
  const reserve = Math.min(RESERVED_FILE_DESCRIPTORS, Math.floor(openFileLimit / 2));
  return Math.max(1, Math.min(configured, openFileLimit - reserve));
}

interface SocketState {
  /** Responses not yet finished (more than one only when a client pipelines). */
  responses: Set<ServerResponse>;
  /** `socket.bytesRead` when it last had nothing in flight: more bytes since mean a request is arriving. */
  bytesWhenIdle: number;
}

export interface ConnectionGuard {
  readonly cap: number;
  /** Connections open now. */
  readonly open: number;
  /** Nothing in flight on the socket and nothing received since its last response. */
  isIdle(socket: Socket): boolean;
  /** The responses in flight on a socket, oldest first. */
  responsesOn(socket: Socket): ServerResponse[];
  /** Stops the shedding log's timer. */
  stop(): void;
}

export function guardConnections(server: Server, options: { cap: number; log: Logger; logIntervalMs?: number }): ConnectionGuard {
  const { cap, log } = options;
  const logIntervalMs = options.logIntervalMs ?? 10_000;
  const sockets = new Map<Socket, SocketState>();

  const idle = (socket: Socket, state: SocketState) => state.responses.size === 0 && socket.bytesRead === state.bytesWhenIdle;
  const forget = (socket: Socket) => sockets.delete(socket);

  // One line when shedding begins, then one summary per interval while it goes on.
  let closedIdle = 0;
  let refused = 0;
  let timer: NodeJS.Timeout | null = null;
  const report = (first: boolean) => {
    log.warn(first ? "connection cap reached: closing idle connections to make room" : "connection cap still reached", {
      max_connections: cap,
      open: sockets.size,
      closed_idle: closedIdle,
      refused,
    });
    closedIdle = 0;
    refused = 0;
  };
  const noteShed = (kind: "closedIdle" | "refused") => {
    if (kind === "closedIdle") closedIdle += 1;
    else refused += 1;
    if (timer) return;
    report(true);
    timer = setInterval(() => {
      if (closedIdle + refused > 0) return report(false);
      clearInterval(timer!);
      timer = null;
    }, logIntervalMs);
    timer.unref();
  };

  server.on("connection", (socket: Socket) => {
    if (sockets.size >= cap) {
      let oldestIdle: Socket | null = null;
      for (const [candidate, state] of sockets) {
        if (idle(candidate, state)) {
          oldestIdle = candidate;
          break;
        }
      }
      if (oldestIdle) {
        forget(oldestIdle);
        oldestIdle.destroy();
        noteShed("closedIdle");
      } else {
        socket.destroy();
        noteShed("refused");
        return;
      }
    }
    sockets.set(socket, { responses: new Set(), bytesWhenIdle: 0 });
    socket.once("close", () => forget(socket));
  });

  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket;
    const state = sockets.get(socket);
    if (!state) return;
    state.responses.add(res);
    const done = () => {
      if (!state.responses.delete(res)) return;
      if (state.responses.size === 0) state.bytesWhenIdle = socket.bytesRead;
    };
    res.once("finish", done);
    res.once("close", done);
  });

  return {
    cap,
    get open() {
      return sockets.size;
    },
    isIdle(socket) {
      const state = sockets.get(socket);
      return state ? idle(socket, state) : false;
    },
    responsesOn(socket) {
      return [...(sockets.get(socket)?.responses ?? [])];
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
