import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { ErrorMessage } from "@portal/contracts";
import type { Logger } from "../logger.js";
import type { ConnectionGuard } from "./connections.js";
import { newCorrelationId } from "./request-log.js";

/**
 * Requests that Node's HTTP parser refuses before Express sees them (a header block too large, a
 * malformed request, a request or its headers too slow) still get SPEC section 4's error body and
 * the `X-Correlation-ID` header wherever HTTP allows a response, and a log line with that id
 * (SPEC section 9). Node would answer them with an empty body.
 */

const REASON: Record<number, string> = {
  400: "Bad Request",
  408: "Request Timeout",
  413: "Content Too Large",
  431: "Request Header Fields Too Large",
};

/** What to answer a parser error with; null for a socket error (the client went away): nothing to answer. */
export function clientErrorAnswer(code: string | undefined): { status: number; message: string } | null {
  switch (code) {
    case "HPE_HEADER_OVERFLOW":
      return { status: 431, message: ErrorMessage.headersTooLarge };
    case "HPE_CHUNK_EXTENSIONS_OVERFLOW":
      return { status: 413, message: ErrorMessage.bodyTooLarge };
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return { status: 408, message: ErrorMessage.requestTimedOut };
    default:
      return code?.startsWith("HPE_") ? { status: 400, message: ErrorMessage.malformedRequest } : null;
  }
}

/** A whole HTTP/1.1 response with the SPEC error body; the connection closes after it. */
export function rawErrorResponse(status: number, message: string, correlationId: string): string {
  const body = JSON.stringify({ error: message, correlation_id: correlationId });
  return [
    `HTTP/1.1 ${status} ${REASON[status] ?? "Error"}`,
    "Content-Type: application/json; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Correlation-ID: ${correlationId}`,
    "X-Content-Type-Options: nosniff",
    "Cache-Control: no-store",
    "Connection: close",
    "",
    body,
  ].join("\r\n");
}

/** How long a refused connection may take to read its answer before it is closed regardless. */
const LINGER_MS = 5_000;

export function answerClientErrors(server: Server, options: { log: Logger; connections: ConnectionGuard }): void {
  const { log, connections } = options;
  const handled = new WeakSet<Socket>();

  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    if (handled.has(socket)) return;
    handled.add(socket);
    const answer = clientErrorAnswer(error.code);
    // A socket that sent nothing since its last response (or ever) and timed out is only closed:
    // there is no request to answer, and a flood of them must not write a line each.
    if (!answer || (answer.status === 408 && connections.isIdle(socket))) {
      socket.destroy();
      return;
    }
    // A request Express already has (a body too slow) keeps the correlation id it was given.
    const inFlight = connections.responsesOn(socket)[0] as (ServerResponse & { locals?: { correlationId?: unknown } }) | undefined;
    const known = inFlight?.locals?.correlationId;
    const correlationId = typeof known === "string" ? known : newCorrelationId();
    const request = inFlight?.req as (IncomingMessage & { originalUrl?: string }) | undefined;
    const responseStarted = connections.responsesOn(socket).some((res) => res.headersSent);
    const answered = socket.writable && !responseStarted;
    log.warn("request refused", {
      correlation_id: correlationId,
      status: answer.status,
      error: answer.message,
      parser_error: error.code,
      ...(request ? { method: request.method, path: (request.originalUrl ?? request.url ?? "").split("?", 1)[0] } : {}),
      ip: socket.remoteAddress,
      answered,
    });
    if (!answered) {
      socket.destroy();
      return;
    }
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    linger.unref();
    socket.end(rawErrorResponse(answer.status, answer.message, correlationId), () => {
      clearTimeout(linger);
      socket.destroy();
    });
  });
}
