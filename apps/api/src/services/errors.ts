import { ErrorMessage } from "@portal/contracts";
import { isDatabaseUnavailable } from "../db/availability.js";

/** The kinds of failure a caller can act on; REST maps them to statuses, tRPC to its codes. */
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "UNPROCESSABLE_CONTENT"
  | "TOO_MANY_REQUESTS"
  | "INTERNAL_SERVER_ERROR"
  | "SERVICE_UNAVAILABLE";

export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: AppErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new AppError("BAD_REQUEST", message);
export const unauthorized = () => new AppError("UNAUTHORIZED", ErrorMessage.authenticationRequired);
export const forbidden = (message: string = ErrorMessage.accessDenied) => new AppError("FORBIDDEN", message);
export const notFound = (message: string = ErrorMessage.notFound) => new AppError("NOT_FOUND", message);
export const conflict = (message: string) => new AppError("CONFLICT", message);
export const unprocessable = (message: string) => new AppError("UNPROCESSABLE_CONTENT", message);

/** The answer while the database cannot serve (cut, unreachable, locked past its bound): retry soon. */
export const serviceUnavailable = () => new AppError("SERVICE_UNAVAILABLE", ErrorMessage.serviceUnavailable);

/** Seconds a client is told to wait (`Retry-After`) before retrying a SERVICE_UNAVAILABLE. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * What a failure means to a caller, for both adapters: an AppError as it is, a database that
 * cannot serve (db/availability.ts) as SERVICE_UNAVAILABLE; null for anything else (a 500).
 */
export function appErrorOf(error: unknown): AppError | null {
  if (error instanceof AppError) return error;
  return isDatabaseUnavailable(error) ? serviceUnavailable() : null;
}
