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

/** What procedures need; tests build it directly with `createContextInner`. */
export interface ContextInner {
  deps: ServiceDeps;
  demo: boolean;
  correlationId: string;
  session: SessionCookieJar;
  /** The signed-in user, looked up once per request (http/session.ts); without it, from the session token. */
  authenticate?: () => ReturnType<typeof authenticate>;
  /** Lets the request log name the user. */
  onUser?: (userId: number) => void;
}

export function createContextInner(inner: ContextInner): ContextInner {
  return inner;
}

/** Maps an Express request onto the inner context. */
export function contextFactory(deps: ServiceDeps, config: Pick<Config, "demo">) {
  return ({ req, res }: { req: Request; res: Response }): ContextInner =>
    createContextInner({
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
    });
}

export type Context = ContextInner;
