import { describeValidationError, ErrorMessage, EVENT_STREAM_KEEPALIVE_MS, MAX_TRPC_BATCH } from "@portal/contracts";
import { initTRPC, TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { requestScope } from "../http/request-log.js";
import { authenticate } from "../services/auth.service.js";
import { AppError, appErrorOf } from "../services/errors.js";
import type { Context } from "./context.js";

/**
 * The error a client reads: the same message as REST (a zod failure names the first invalid
 * field), internal details never, and the request's correlation id in `data`.
 */
const t = initTRPC.context<Context>().create({
  isDev: false,
  // Subscriptions (chat.events) over Server-Sent Events: a ping while silent, and a client that
  // hears nothing for two pings and more reconnects (resuming from its last tracked id).
  sse: {
    ping: { enabled: true, intervalMs: EVENT_STREAM_KEEPALIVE_MS },
    client: { reconnectAfterInactivityMs: 2 * EVENT_STREAM_KEEPALIVE_MS + 5_000 },
  },
  errorFormatter({ shape, error, ctx }) {
    let message = shape.message;
    if (error.cause instanceof ZodError) message = describeValidationError(error.cause);
    else if (error.code === "INTERNAL_SERVER_ERROR") message = ErrorMessage.internal;
    else if (error.code === "SERVICE_UNAVAILABLE") message = ErrorMessage.serviceUnavailable;
    else if (error.code === "PAYLOAD_TOO_LARGE") message = ErrorMessage.bodyTooLarge;
    else if (error.code === "UNSUPPORTED_MEDIA_TYPE") message = ErrorMessage.unsupportedMediaType;
    else if (error.code === "NOT_FOUND" && !(error.cause instanceof AppError) && shape.message.startsWith("No procedure")) {
      message = ErrorMessage.notFound;
    } else if (error.code === "BAD_REQUEST" && error.cause instanceof SyntaxError) message = ErrorMessage.malformedJson;
    else if (error.code === "BAD_REQUEST" && shape.message === "Batch call exceeds maximum size") {
      message = `A batch may hold at most ${MAX_TRPC_BATCH} calls: split it`;
    }
    const { stack: _stack, path: _path, ...data } = shape.data;
    // An error raised before the context exists (an oversized batch, a URL the adapter cannot
    // parse, the adapter's last-resort handler) takes the id from the request's scope.
    const correlationId = ctx?.correlationId ?? requestScope.getStore()?.correlationId ?? null;
    return { ...shape, message, data: { ...data, correlation_id: correlationId } };
  },
});

export const router = t.router;

/**
 * Service errors become TRPCErrors with the matching code and the same message as REST; so does a
 * database that cannot serve (SERVICE_UNAVAILABLE, HTTP 503: `app.ts` adds `Retry-After`).
 */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.code === "INTERNAL_SERVER_ERROR") {
    const known = appErrorOf(result.error.cause);
    if (known) throw new TRPCError({ code: known.code, message: known.message, cause: result.error.cause });
  }
  return result;
});

export const publicProcedure = t.procedure.use(appErrors);

/** Requires a live session of an unrestricted account; narrows `ctx.user` to a user. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const user = await (ctx.authenticate ? ctx.authenticate() : authenticate(ctx.deps, ctx.session.token));
  ctx.onUser?.(user.id);
  return next({ ctx: { ...ctx, user } });
});
