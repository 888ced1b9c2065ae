import { ErrorMessage } from "@portal/contracts";
import type { Request, RequestHandler, Response } from "express";
import { ipKeyGenerator, rateLimit, type Store } from "express-rate-limit";
import { AppError } from "../services/errors.js";
import { sendError } from "./errors.js";

/** Per client IP, per minute (SPEC section 6). */
export const RATE_LIMITS_PER_MINUTE = { authentication: 20, general: 120, failedJoins: 10 } as const;

export type StoreFactory = (prefix: string) => Store | undefined;

/** The procedures of a tRPC request (`/trpc/a.b,c.d` for a batch), empty for other paths. */
function trpcProcedures(req: Request): string[] {
  if (!req.originalUrl.startsWith("/trpc/")) return [];
  return req.path.replace(/^\//, "").split(",");
}

function isAuthenticationRoute(req: Request): boolean {
  if (req.originalUrl.startsWith("/v1/authentication/") || req.originalUrl.startsWith("/v1/dev/login")) return true;
  return trpcProcedures(req).some((p) => p.startsWith("auth."));
}

function isJoinRoute(req: Request): boolean {
  if (req.originalUrl.startsWith("/v1/portal/resolve/")) return true;
  return trpcProcedures(req).some((p) => p === "invite.preview" || p === "invite.redeem");
}

function limiter(options: {
  limit: number;
  prefix: string;
  stores: StoreFactory;
  skip: (req: Request) => boolean;
  onlyFailedJoins?: boolean;
}): RequestHandler {
  const store = options.stores(options.prefix);
  return rateLimit({
    windowMs: 60_000,
    limit: options.limit,
    standardHeaders: "draft-8",
    legacyHeaders: false,
    identifier: options.prefix,
    ...(store ? { store } : {}),
    // A store outage must not take the API down with it; it is logged by the store's client.
    passOnStoreError: true,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? "unknown"),
    skip: options.skip,
    ...(options.onlyFailedJoins
      ? { skipSuccessfulRequests: true, requestWasSuccessful: (_req: Request, res: Response) => res.statusCode !== 404 }
      : {}),
    handler: (req, res) => {
      if (!res.getHeader("Retry-After")) res.setHeader("Retry-After", "60");
      sendError(req, res, new AppError("TOO_MANY_REQUESTS", ErrorMessage.tooManyRequests));
    },
  });
}

/**
 * Three limits: sign-in routes 20/min, every other /v1 and /trpc route 120/min, and failed joins
 * (a 404 from resolving a code) 10/min, which stops code guessing. With a Redis store factory the
 * counts are shared by every instance; otherwise each process counts alone.
 */
export function rateLimits(stores: StoreFactory): RequestHandler[] {
  return [
    limiter({
      limit: RATE_LIMITS_PER_MINUTE.authentication,
      prefix: "auth",
      stores,
      skip: (req) => !isAuthenticationRoute(req),
    }),
    limiter({
      limit: RATE_LIMITS_PER_MINUTE.general,
      prefix: "general",
      stores,
      skip: (req) => isAuthenticationRoute(req),
    }),
    limiter({
      limit: RATE_LIMITS_PER_MINUTE.failedJoins,
      prefix: "failed-joins",
      stores,
      skip: (req) => !isJoinRoute(req),
      onlyFailedJoins: true,
    }),
  ];
}
