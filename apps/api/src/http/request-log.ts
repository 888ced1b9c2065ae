import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../logger.js";

/** A new correlation id (UUID v4): for every request, including those refused below Express (client-errors.ts). */
export function newCorrelationId(): string {
  return randomUUID();
}

/**
 * The current request's correlation id, for code that runs before a tRPC context exists (an error
 * tRPC raises while reading the request). On Node 24 an AsyncLocalStorage costs a request well
 * under 1 % of its CPU (tooling/bench/README.md); on Node 20 it had put a hook on every promise.
 */
export const requestScope = new AsyncLocalStorage<{ correlationId: string }>();

/**
 * Gives every request a correlation id (the `X-Correlation-ID` header, the error body and the log
 * line carry the same one) and writes one JSON log line when the response is done. The line holds
 * the path without its query string and never a cookie or a body, so no session token or login
 * code reaches the log; the logger shows an invite code in the path as `:code` (log-redaction.ts).
 * A request the HTTP parser refuses is logged by http/client-errors.ts instead.
 */
export function requestLog(log: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const correlationId = newCorrelationId();
    const started = process.hrtime.bigint();
    res.locals.correlationId = correlationId;
    res.setHeader("X-Correlation-ID", correlationId);
    res.on("finish", () => {
      const fields: Record<string, unknown> = {
        correlation_id: correlationId,
        method: req.method,
        path: req.originalUrl.split("?", 1)[0],
        status: res.statusCode,
        duration_ms: Number(process.hrtime.bigint() - started) / 1e6,
        ip: req.ip,
      };
      if (res.locals.userId !== undefined) fields.user_id = res.locals.userId;
      if (res.locals.errorMessage !== undefined) fields.error = res.locals.errorMessage;
      if (res.locals.errorCause !== undefined) fields.cause = res.locals.errorCause;
      if (res.statusCode >= 500) log.error("request", fields);
      else log.info("request", fields);
    });
    requestScope.run({ correlationId }, next);
  };
}
