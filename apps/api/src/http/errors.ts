import { ErrorMessage } from "@portal/contracts";
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { TRPC_ERROR_CODES_BY_KEY } from "@trpc/server/rpc";
import type { Request, Response } from "express";
import { AppError, appErrorOf, RETRY_AFTER_SECONDS, type AppErrorCode } from "../services/errors.js";

const HTTP_STATUS = new Map<AppErrorCode, number>();

/**
 * The HTTP status of an error kind. Every AppErrorCode is a tRPC error code, so the status is the
 * one tRPC gives that code: /v1 and /trpc answer one failure with one status, from tRPC's own table.
 */
export function httpStatusOf(code: AppErrorCode): number {
  let status = HTTP_STATUS.get(code);
  if (status === undefined) HTTP_STATUS.set(code, (status = getHTTPStatusCodeFromError(new TRPCError({ code }))));
  return status;
}

export function correlationIdOf(res: Response): string {
  return res.locals.correlationId as string;
}

/**
 * Answers with an error. REST gets SPEC section 4's `{error, correlation_id}`; a request to /trpc
 * that fails before tRPC runs (cross-site, rate limit, body) gets tRPC's own error envelope, with
 * the JSON-RPC number from tRPC's table, so the tRPC client reads it like any other procedure error.
 */
export function sendError(req: Request, res: Response, error: AppError): void {
  const status = httpStatusOf(error.code);
  const correlationId = correlationIdOf(res);
  res.locals.errorMessage = error.message;
  if (error.code === "SERVICE_UNAVAILABLE") res.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
  if (req.originalUrl.startsWith("/trpc")) {
    res.status(status).json({
      error: {
        message: error.message,
        code: TRPC_ERROR_CODES_BY_KEY[error.code],
        data: { code: error.code, httpStatus: status, correlation_id: correlationId },
      },
    });
    return;
  }
  res.status(status).json({ error: error.message, correlation_id: correlationId });
}

interface HttpError {
  type?: string;
  status?: number;
  statusCode?: number;
}

/**
 * Turns what Express, body parsing and the services throw into an AppError; anything else is a
 * 500. Every error Express or body-parser marks as the client's (a 4xx status) becomes a 400 with
 * a message for a person, never a 500; a database that cannot serve becomes a 503.
 */
export function toAppError(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  const httpError = error as HttpError | null;
  if (error instanceof URIError) return new AppError("BAD_REQUEST", ErrorMessage.badPath);
  switch (httpError?.type) {
    case "entity.too.large":
      return new AppError("PAYLOAD_TOO_LARGE", ErrorMessage.bodyTooLarge);
    case "entity.parse.failed":
      return new AppError("BAD_REQUEST", ErrorMessage.malformedJson);
    case "charset.unsupported":
      return new AppError("UNSUPPORTED_MEDIA_TYPE", ErrorMessage.unsupportedMediaType);
    case "encoding.unsupported":
      return new AppError("UNSUPPORTED_MEDIA_TYPE", ErrorMessage.contentEncoding);
    case "request.aborted":
    case "request.size.invalid":
    case "stream.encoding.set":
      return new AppError("BAD_REQUEST", "Request body could not be read: send it again");
  }
  const status = httpError?.status ?? httpError?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new AppError("BAD_REQUEST", "The request could not be read: check its body and headers");
  }
  return appErrorOf(error);
}
