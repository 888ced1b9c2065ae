import { ErrorMessage } from "@portal/contracts";
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { ipKeyGenerator, MemoryStore, type IncrementResponse, type Options, type Store } from "express-rate-limit";
import { errorFields } from "../logger.js";
import { restRoutes } from "../rest/routes.js";
import type { ServiceDeps } from "../services/context.js";
import { AppError } from "../services/errors.js";
import { sessionTokenOf } from "./cookies.js";
import { sendError } from "./errors.js";
import { requestUser } from "./session.js";

/** Per minute (SPEC section 6): sign-in attempts and failed joins per client IP; the rest per user (per IP signed out). */
export const RATE_LIMITS_PER_MINUTE = { signIn: 20, general: 120, failedJoins: 10 } as const;
const WINDOW_MS = 60_000;

/** Where one limit's counts live (`express-rate-limit`'s Store interface); by default this process's memory. */
export type StoreFactory = (name: string) => Store;

/** The tRPC procedures that are sign-in attempts, and those whose NOT_FOUND is a failed join (with the method each runs on). */
const TRPC_SIGN_IN = new Map([
  ["auth.verify", "POST"],
  ["auth.demoLogin", "POST"],
]);
const TRPC_JOIN = new Map([
  ["invite.preview", "GET"],
  ["invite.redeem", "POST"],
]);

/** What one request asks for, in calls: a tRPC batch of ten is ten calls. */
interface Calls {
  signIn: number;
  /** Preview or join calls: reserved as failed joins up front, given back for each that did not fail. */
  join: number;
  general: number;
  /** tRPC: failed joins its calls reported (`noteFailedCall`); REST: read from the status. */
  failedJoins: number;
  trpc: boolean;
}

function callsOf(res: Response): Calls {
  return (res.locals.rateLimitCalls ??= { signIn: 0, join: 0, general: 0, failedJoins: 0, trpc: false } satisfies Calls) as Calls;
}

/**
 * REST calls classified by Express's own router, from the same route declarations as the REST
 * router (rest/routes.ts, `rateLimit`), so every spelling Express routes to a limited route (any
 * case, a trailing slash, an encoded code) is counted as that route. The demo sign-in counts as a
 * sign-in attempt whether or not it is mounted.
 */
function restClassifier(): Router {
  const classifier = Router();
  const signIn = (_req: Request, res: Response, next: NextFunction) => {
    callsOf(res).signIn = 1;
    next();
  };
  const join = (_req: Request, res: Response, next: NextFunction) => {
    callsOf(res).join = 1;
    next();
  };
  for (const spec of restRoutes) {
    if (spec.rateLimit) classifier[spec.method](spec.path, spec.rateLimit === "signIn" ? signIn : join);
  }
  classifier.use((_req: Request, res: Response, next: NextFunction) => {
    const calls = callsOf(res);
    if (calls.signIn === 0) calls.general = 1;
    next();
  });
  return classifier;
}

/**
 * tRPC calls read the way its Express adapter reads them: the last path segment, percent-decoded,
 * split on commas when `?batch=1`; a procedure name is exact (tRPC's lookup is case-sensitive).
 */
function classifyTrpc(req: Request, res: Response, next: NextFunction): void {
  const calls = callsOf(res);
  calls.trpc = true;
  const query = req.url.indexOf("?");
  const batch = query !== -1 && new URLSearchParams(req.url.slice(query + 1)).get("batch") === "1";
  let path = req.path.slice(req.path.lastIndexOf("/") + 1);
  try {
    path = decodeURIComponent(path);
  } catch {
    // tRPC refuses it (400) without running a call: one general call.
  }
  for (const procedure of batch ? path.split(",") : [path]) {
    if (TRPC_SIGN_IN.get(procedure) === req.method) {
      calls.signIn += 1;
      continue;
    }
    if (TRPC_JOIN.get(procedure) === req.method) calls.join += 1;
    calls.general += 1;
  }
  next();
}

/**
 * For tRPC's `onError`: a NOT_FOUND from a preview or join call is a failed join (each failed call
 * of a batch counts). A no-op when rate limits are off.
 */
export function noteFailedCall(res: Response, procedure: string | undefined, code: string): void {
  const calls = res.locals.rateLimitCalls as Calls | undefined;
  if (calls && code === "NOT_FOUND" && procedure !== undefined && TRPC_JOIN.has(procedure)) calls.failedJoins += 1;
}

interface Limit {
  name: string;
  limit: number;
  store: Store;
}

async function add(store: Store, key: string, calls: number): Promise<IncrementResponse> {
  const results = await Promise.all(Array.from({ length: calls }, () => store.increment(key)));
  return results.reduce((a, b) => (b.totalHits > a.totalHits ? b : a));
}

function resetSeconds(info: IncrementResponse): number {
  return info.resetTime ? Math.max(1, Math.ceil((info.resetTime.getTime() - Date.now()) / 1000)) : WINDOW_MS / 1000;
}

/** The standard headers (IETF draft 8, one entry per limit the request counted in). */
function setHeaders(res: Response, limit: Limit, info: IncrementResponse): void {
  if (res.headersSent) return;
  const remaining = Math.max(0, limit.limit - info.totalHits);
  res.append("RateLimit", `"${limit.name}"; r=${remaining}; t=${resetSeconds(info)}`);
  res.append("RateLimit-Policy", `"${limit.name}"; q=${limit.limit}; w=${WINDOW_MS / 1000}`);
}

/**
 * The three limits of SPEC section 6, counted in calls: sign-in attempts 20 a minute per client IP;
 * failed joins (a 404 from preview or join) 10 a minute per client IP, reserved up front for each
 * preview or join call and given back for each that did not fail, so concurrent guesses cannot
 * overtake the count; every other call 120 a minute per signed-in user, or per client IP when
 * signed out. With a store factory over Redis the counts are shared by every instance.
 */
export function rateLimits(options: { deps: ServiceDeps; stores?: StoreFactory }): { rest: RequestHandler; trpc: RequestHandler; limit: RequestHandler } {
  const { deps } = options;
  const limit = (name: string, max: number): Limit => {
    const store = options.stores?.(name) ?? new MemoryStore();
    void Promise.resolve(store.init?.({ windowMs: WINDOW_MS } as Options)).catch(() => undefined);
    return { name, limit: max, store };
  };
  const signIn = limit("sign-in", RATE_LIMITS_PER_MINUTE.signIn);
  const general = limit("general", RATE_LIMITS_PER_MINUTE.general);
  const failedJoins = limit("failed-joins", RATE_LIMITS_PER_MINUTE.failedJoins);

  const generalKey = async (req: Request, res: Response, ipKey: string): Promise<string> => {
    if (!sessionTokenOf(req)) return ipKey;
    try {
      return `user:${(await requestUser(deps, req, res)).id}`;
    } catch {
      return ipKey; // no live session (the handler answers 401/403), or the database is away (503)
    }
  };

  /** Gives back the reserved failed joins of the calls that did not fail (or adds those it did not foresee). */
  const settleJoins = (res: Response, ipKey: string, reserved: number) => {
    res.once("finish", () => {
      const calls = callsOf(res);
      const failed = calls.trpc ? calls.failedJoins : res.statusCode === 404 ? calls.join : 0;
      const tasks: Promise<unknown>[] = [];
      for (let i = failed; i < reserved; i++) tasks.push(Promise.resolve(failedJoins.store.decrement(ipKey)));
      for (let i = reserved; i < failed; i++) tasks.push(Promise.resolve(failedJoins.store.increment(ipKey)));
      Promise.all(tasks).catch((error: unknown) => deps.log.warn("rate limits: a failed-join count was not settled", errorFields(error)));
    });
  };

  const reject = (req: Request, res: Response, info: IncrementResponse) => {
    res.setHeader("Retry-After", String(resetSeconds(info)));
    sendError(req, res, new AppError("TOO_MANY_REQUESTS", ErrorMessage.tooManyRequests));
  };

  const check = async (req: Request, res: Response, next: NextFunction) => {
    const calls = callsOf(res);
    const ipKey = `ip:${ipKeyGenerator(req.ip ?? "unknown")}`;
    if (calls.signIn > 0) {
      const info = await add(signIn.store, ipKey, calls.signIn);
      setHeaders(res, signIn, info);
      if (info.totalHits > signIn.limit) return reject(req, res, info);
    }
    if (calls.general > 0) {
      const info = await add(general.store, await generalKey(req, res, ipKey), calls.general);
      setHeaders(res, general, info);
      if (info.totalHits > general.limit) return reject(req, res, info);
    }
    if (calls.join > 0) {
      const info = await add(failedJoins.store, ipKey, calls.join);
      setHeaders(res, failedJoins, info);
      if (info.totalHits > failedJoins.limit) return reject(req, res, info);
      settleJoins(res, ipKey, calls.join);
    }
    next();
  };

  return {
    rest: restClassifier(),
    trpc: classifyTrpc,
    limit: (req, res, next) => {
      check(req, res, next).catch((error: unknown) => {
        // A store that fails must not take the API down with it: the request goes on unlimited.
        deps.log.warn("rate limits: counting failed", errorFields(error));
        next();
      });
    },
  };
}
