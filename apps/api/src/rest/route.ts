import { Router, type Request, type Response } from "express";
import { z } from "zod";
import { requestUser } from "../http/session.js";
import { optionalUser } from "../services/auth.service.js";
import type { ServiceDeps } from "../services/context.js";
import { bodyOf, numberFromString, parseInput } from "./parse.js";

/**
 * One REST route, declared once: what it accepts, what it answers, and the few lines that call its
 * service. `mountRoutes` below turns a table of these into the Express router, and
 * `buildOpenApiDocument` (openapi.ts) into the OpenAPI paths, so the two cannot disagree.
 */

export type SignedInUser = Awaited<ReturnType<typeof requestUser>>;

/** `session`: 401 without a live session; `optional`: the user or null; `none`: the session is not read. */
export type Auth = "session" | "optional" | "none";
type UserFor<A extends Auth> = A extends "session" ? SignedInUser : A extends "optional" ? SignedInUser | null : undefined;

export type SuccessStatus = 200 | 201 | 202;
/** The errors a route itself can answer; 403/413/415 of a POST, 401/403 of a session, 429/500/503 are added for every route. */
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 422;

/** The rate limit a route is counted in beyond the general one (http/rate-limit.ts, SPEC section 6). */
export type RateLimitClass = "signIn" | "join";

export type Tag = "Invites" | "Joining" | "Invite management" | "Live events" | "Users" | "Authentication" | "Service";

type Shape = z.ZodObject;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerInput<A extends Auth, P, Q, B> {
  deps: ServiceDeps;
  user: UserFor<A>;
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
  req: Request;
  res: Response;
}

export interface RouteSpec<A extends Auth, P extends Shape | undefined, Q extends Shape | undefined, B extends z.ZodType | undefined> {
  method: "get" | "post";
  /** Express style, under /v1: `/portal/chats/:chat_id/invites`. */
  path: string;
  operationId: string;
  summary: string;
  description: string;
  tags: [Tag];
  auth: A;
  /** Path parameters: one key for each `:name` of the path, in the order of the path. */
  params?: P;
  /** Query parameters: only the keys of this schema are read from the query string. */
  query?: Q;
  /** The JSON body; an absent body is `{}`. */
  body?: B;
  /** Whether the document calls the body required (an empty body is always read as `{}`). */
  bodyRequired?: boolean;
  responses: Partial<Record<SuccessStatus, { description: string; schema: z.ZodType }>>;
  /** Which success status a result is sent with; the route's only (or lowest) success status otherwise. */
  status?: (result: never) => SuccessStatus;
  errors: ErrorStatus[];
  /** Sets (`set`) or clears (`clear`) the `psession` cookie on success. */
  cookie?: "set" | "clear";
  /** Takes an Idempotency-Key; answers a replay with `Idempotent-Replayed: true` (SPEC section 9). */
  idempotent?: true;
  rateLimit?: RateLimitClass;
  /** Mounted only with PORTAL_DEMO=1 (404 otherwise). */
  demoOnly?: true;
  /**
   * Answers `text/event-stream`: the handler writes the response itself and resolves once it has
   * started (an error thrown before is answered as JSON, as anywhere); `responses[200].schema` is
   * one event's `data`.
   */
  stream?: true;
  /** Request headers the route reads (besides the cookie and Idempotency-Key), for the document. */
  requestHeaders?: { name: string; description: string; schema: z.ZodType }[];
  handler: (input: HandlerInput<A, P, Q, B>) => unknown;
}

/** A declaration with its types erased, as the table holds it. */
export type RestRoute = RouteSpec<Auth, Shape | undefined, Shape | undefined, z.ZodType | undefined>;

/** Declares a route; the handler's input is typed from the declared schemas. */
export function route<A extends Auth, P extends Shape | undefined = undefined, Q extends Shape | undefined = undefined, B extends z.ZodType | undefined = undefined>(
  spec: RouteSpec<A, P, Q, B>,
): RestRoute {
  return spec as unknown as RestRoute;
}

export function successStatuses(spec: RestRoute): SuccessStatus[] {
  return (Object.keys(spec.responses).map(Number) as SuccessStatus[]).sort();
}

/** Whether a field's schema takes an integer, so its path or query string of digits is read as a number. */
function takesInteger(schema: z.ZodType): boolean {
  return (z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as { type?: unknown }).type === "integer";
}

/** Reads the declared keys of a path or query, digits turned into numbers where the schema wants an integer. */
function reader(schema: Shape | undefined): ((source: Record<string, unknown>) => Record<string, unknown>) | undefined {
  if (!schema) return undefined;
  const fields = Object.entries(schema.shape).map(([key, field]) => ({ key, integer: takesInteger(field as z.ZodType) }));
  return (source) => {
    const value: Record<string, unknown> = {};
    for (const { key, integer } of fields) {
      if (source[key] !== undefined) value[key] = integer ? numberFromString(source[key]) : source[key];
    }
    return value;
  };
}

/**
 * Mounts the routes on a new Express router: for each, the session (before anything else, so a
 * signed-out request is a 401 whatever it sent), then the path, query and body parsed with the
 * declared schemas (a 400 names the first invalid field), then the handler; its result is sent as
 * JSON with the declared success status.
 */
export function mountRoutes(deps: ServiceDeps, routes: readonly RestRoute[]): Router {
  const router = Router();
  for (const spec of routes) {
    const readParams = reader(spec.params);
    const readQuery = reader(spec.query);
    const [defaultStatus] = successStatuses(spec);
    router[spec.method](spec.path, async (req, res) => {
      const user = await userOf(deps, spec.auth, req, res);
      const params = spec.params && parseInput(spec.params, readParams!(req.params));
      const query = spec.query && parseInput(spec.query, readQuery!(req.query as Record<string, unknown>));
      const body = spec.body && parseInput(spec.body, bodyOf(req.body));
      const result = await spec.handler({ deps, user, params, query, body, req, res });
      if (spec.stream) return;
      res.status(spec.status ? spec.status(result as never) : defaultStatus!).json(result);
    });
  }
  return router;
}

async function userOf(deps: ServiceDeps, auth: Auth, req: Request, res: Response): Promise<SignedInUser | null | undefined> {
  if (auth === "none") return undefined;
  const lookup = requestUser(deps, req, res).then((user) => {
    res.locals.userId = user.id;
    return user;
  });
  return auth === "session" ? lookup : optionalUser(lookup);
}
