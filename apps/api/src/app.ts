import { existsSync } from "node:fs";
import { join } from "node:path";
import { ErrorMessage, MAX_TRPC_BATCH } from "@portal/contracts";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import type { Config } from "./config.js";
import { crossSiteProtection } from "./http/cross-site.js";
import { correlationIdOf, sendError, toAppError } from "./http/errors.js";
import { noteFailedCall, rateLimits, type StoreFactory } from "./http/rate-limit.js";
import { requestLog } from "./http/request-log.js";
import { webApp } from "./http/web-static.js";
import { errorFields } from "./logger.js";
import { restRouter } from "./rest/router.js";
import type { ServiceDeps } from "./services/context.js";
import { AppError, RETRY_AFTER_SECONDS } from "./services/errors.js";
import { appRouter } from "./trpc/app-router.js";
import { contextFactory } from "./trpc/context.js";

export const BODY_LIMIT_BYTES = 16 * 1024;

export interface AppOptions {
  config: Pick<Config, "demo" | "trustedOrigins" | "rateLimits" | "trustProxyHops" | "webDist">;
  deps: ServiceDeps;
  /** Where rate-limit counts live; undefined keeps them in this process's memory. */
  rateLimitStores?: StoreFactory;
  /** Answers /health: throws when the database cannot be reached. */
  checkDatabase: () => Promise<void>;
}

/** The HTTP application: REST under /v1 and tRPC under /trpc over one service layer, plus the web app. */
export function createApp(options: AppOptions): Express {
  const { config, deps } = options;
  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxyHops);
  app.set("etag", false);

  app.use(requestLog(deps.log));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: { "script-src": ["'self'"], "style-src": ["'self'", "'unsafe-inline'"], "img-src": ["'self'", "data:"] },
      },
    }),
  );

  app.get("/health", async (_req, res) => {
    try {
      await options.checkDatabase();
      res.json({ status: "ok" });
    } catch (error) {
      deps.log.error("health check failed", errorFields(error));
      res.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
      res.status(503).json({ status: "unavailable", correlation_id: res.locals.correlationId });
    }
  });

  const api = ["/v1", "/trpc"];
  if (config.rateLimits) {
    // Each request is classified in calls the way its router will route it, then counted.
    const limits = rateLimits({ deps, ...(options.rateLimitStores ? { stores: options.rateLimitStores } : {}) });
    app.use("/v1", limits.rest);
    app.use("/trpc", limits.trpc);
    app.use(api, limits.limit);
  }
  app.use(api, crossSiteProtection(config.trustedOrigins));

  app.use("/v1", express.json({ limit: BODY_LIMIT_BYTES, strict: false, inflate: false }), restRouter(deps, { demo: config.demo }));
  // tRPC answers a few early errors (an oversized batch) with a JSON body labelled text/plain;
  // every body it sends here is JSON, so say so.
  app.use("/trpc", (_req: Request, res: Response, next: NextFunction) => {
    const setHeader = res.setHeader.bind(res);
    res.setHeader = (name: string, value: number | string | readonly string[]) =>
      setHeader(name, name.toLowerCase() === "content-type" && String(value).startsWith("text/plain") ? "application/json" : value);
    next();
  });
  app.use(
    "/trpc",
    createExpressMiddleware({
      router: appRouter,
      createContext: contextFactory(deps, config),
      maxBodySize: BODY_LIMIT_BYTES,
      maxBatchSize: MAX_TRPC_BATCH,
      onError: ({ error, path, req }) => {
        const correlationId = correlationIdOf(req.res!);
        noteFailedCall(req.res!, path, error.code);
        if (error.code === "INTERNAL_SERVER_ERROR") {
          deps.log.error("procedure failed", { procedure: path, correlation_id: correlationId, ...errorFields(error.cause ?? error) });
        } else if (error.code === "SERVICE_UNAVAILABLE") {
          // A streamed batch may have sent its headers already; its body still carries the code.
          if (!req.res!.headersSent) req.res!.setHeader("Retry-After", String(RETRY_AFTER_SECONDS));
          req.res!.locals.errorCause = causeOf(error.cause);
        }
      },
    }),
  );

  // The web app (pre-compressed, hashed assets cached for a year); every other GET outside the API
  // gets its page, since it routes on the client.
  if (config.webDist && existsSync(join(config.webDist, "index.html"))) app.use(webApp(config.webDist));

  app.use((req: Request, res: Response) => {
    sendError(req, res, new AppError("NOT_FOUND", ErrorMessage.notFound));
  });

  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const known = toAppError(error);
    if (known?.code === "SERVICE_UNAVAILABLE") res.locals.errorCause = causeOf(error);
    if (known) return sendError(req, res, known);
    deps.log.error("unhandled error", { correlation_id: res.locals.correlationId, ...errorFields(error) });
    sendError(req, res, new AppError("INTERNAL_SERVER_ERROR", ErrorMessage.internal));
  });

  return app;
}

/** What the request log says about why the database could not serve (never sent to the client). */
function causeOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? `${error.message} (${code})` : error.message;
}
