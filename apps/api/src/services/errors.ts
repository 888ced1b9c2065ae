import { ErrorMessage } from "@portal/contracts";

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
  | "INTERNAL_SERVER_ERROR";

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
