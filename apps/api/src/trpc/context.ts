import { IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER } from "@portal/contracts";
import type { Request, Response } from "express";
import type { Config } from "../config.js";
import { clearSessionCookie, sessionTokenOf, setSessionCookie } from "../http/cookies.js";
import { correlationIdOf } from "../http/errors.js";
import { requestUser } from "../http/session.js";
import type { authenticate } from "../services/auth.service.js";
import type { ServiceDeps } from "../services/context.js";

/** How a procedure touches the session cookie, without knowing about HTTP. */
export interface SessionCookieJar {
  token: string | undefined;
  set(session: { token: string; lifetimeMs: number }): void;
  clear(): void;
}

/**
 * What procedures need, without Express: `contextFactory` maps a request onto it. (Tests reach the
 * procedures through a real tRPC client over HTTP, so there is no in-process caller to build it for.)
 */
export interface ContextInner {
  deps: ServiceDeps;
  demo: boolean;
  correlationId: string;
  session: SessionCookieJar;
  /** The signed-in user, looked up once per request (http/session.ts); without it, from the session token. */
  authenticate?: () => ReturnType<typeof authenticate>;
  /** Lets the request log name the user. */
  onUser?: (userId: number) => void;
  /** The HTTP request's Idempotency-Key (for `invite.create`) and how to mark its answer a replay. */
  idempotency?: IdempotencyContext;
  /** The `Last-Event-ID` header: what an EventSource sends when it reconnects a subscription by itself. */
  lastEventId?: string | undefined;
}

export interface IdempotencyContext {
  /** The header's value as sent; undefined when absent. */
  key: string | undefined;
  /** How many calls the HTTP request holds (a batch holds several; the key applies to one call only). */
  calls: number;
  /** Sets `Idempotent-Replayed: true` on the response. */
  markReplayed(): void;
}

/** Maps an Express request onto the inner context. */
export function contextFactory(deps: ServiceDeps, config: Pick<Config, "demo">) {
  return ({ req, res }: { req: Request; res: Response }): ContextInner => ({
    deps,
    demo: config.demo,
    correlationId: correlationIdOf(res),
    session: {
      token: sessionTokenOf(req),
      set: (session) => setSessionCookie(req, res, session),
      clear: () => clearSessionCookie(req, res),
    },
    authenticate: () => requestUser(deps, req, res),
    onUser: (userId) => {
      res.locals.userId = userId;
    },
    idempotency: {
      key: req.get(IDEMPOTENCY_KEY_HEADER),
      // Mounted at /trpc: the path is `/a.b` for one call, `/a.b,c.d` for a batch of two.
      calls: req.path.split(",").length,
      markReplayed: () => res.setHeader(IDEMPOTENT_REPLAYED_HEADER, "true"),
    },
    lastEventId: req.get("last-event-id"),
  });
}

export type Context = ContextInner;
