import { errorBodySchema, IDEMPOTENCY_KEY_HEADER, IDEMPOTENT_REPLAYED_HEADER, idempotencyKeySchema } from "@portal/contracts";
import { z } from "zod";
import { successStatuses, type RestRoute, type Tag } from "./route.js";

/**
 * The OpenAPI 3.1 document of the REST API, built from the route declarations (routes.ts) and the
 * zod schemas they parse and answer with: paths, parameters, bodies, responses, response headers
 * and security all come from the declarations, so there is no hand-written copy to drift.
 */

export type JsonSchema = Record<string, unknown>;

/** The prefix the REST routes are mounted under (app.ts). */
const API_BASE = "/v1";

const TAGS: Record<Tag, string> = {
  Invites: "Create, list and revoke a chat's invites; read who joined (SPEC section 3)",
  Joining: "Preview an invite and join with it",
  "Invite management": "Edit invites, revoke them all, pause a chat's invites, approve join requests (SPEC section 10)",
  "Live events": "Every change to a chat's invites and joins as it happens, as Server-Sent Events (SPEC section 11)",
  Users: "The signed-in user",
  Authentication: "Sign in and out: the `psession` cookie",
  Service: "This document and the health check",
};

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid path, query or body: `error` names the first invalid field and why",
  401: "No, unknown or expired session",
  403: "Not allowed, account restricted, or a cross-site request",
  404: "Unknown route, chat or invite",
  409: "Quota of 20 active invites reached, chat archived, or (approval) the invite can no longer be used",
  413: "Body over 16 KiB",
  415: "A body that is not application/json",
  422: "The Idempotency-Key was used with a different request (another chat or body)",
  429: "Rate limit reached; see Retry-After",
  431: "Request headers over the server's limit (answered before any route, with this body)",
  500: "Unexpected error; quote the correlation_id",
  503: "The database cannot be reached, or stays locked past its bound: retry after Retry-After seconds",
};

/** What a path parameter is, for a person reading the document (its schema comes from zod). */
const PARAMETER_TEXT: Record<string, string> = {
  chat_id: "Chat ID.",
  code: "Invite code.",
  user_id: "The requester's user ID.",
};

/** The response headers the API sends, each described once (components.headers). */
const HEADERS: Record<string, JsonSchema> = {
  "X-Correlation-ID": {
    description: "The id of this request in the server's log; the same as `correlation_id` in an error body.",
    required: true,
    schema: { type: "string", format: "uuid" },
  },
  RateLimit: {
    description:
      'When rate limits are on: one entry per limit the request counted in (IETF draft 8), e.g. `"general"; r=119; t=60`.',
    schema: { type: "string" },
  },
  "RateLimit-Policy": {
    description: 'When rate limits are on: the policy of each limit the request counted in, e.g. `"general"; q=120; w=60`.',
    schema: { type: "string" },
  },
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    required: true,
    schema: { type: "integer", minimum: 1 },
  },
  "Set-Cookie": {
    description: "The `psession` session cookie: HttpOnly, SameSite=Lax, Path=/, Secure except on plain-HTTP localhost.",
    required: true,
    schema: { type: "string" },
  },
  [IDEMPOTENT_REPLAYED_HEADER]: {
    description: "`true` when this is the stored answer of an earlier request with the same Idempotency-Key; absent otherwise.",
    schema: { type: "string", enum: ["true"] },
  },
};

const IDEMPOTENCY_KEY_TEXT =
  "Makes the create safe to retry after a timeout or a 503. The first request with a key runs; a retry with the same key, " +
  "by the same user, for the same chat and body, within 24 hours, gets the same answer again (the 201 with the same invite, " +
  "or the same 403, 404 or 409 error) with `Idempotent-Replayed: true`, and creates nothing. The same key with another chat " +
  "or body answers 422; while the first request is still running, 409 `A request with this Idempotency-Key is in progress`. " +
  "An invalid key (not 1–255 visible ASCII characters) answers 400. Keys are per user. A 400 or a 5xx is not kept: retry it.";

/** The answers a retry with the same Idempotency-Key gets again (SPEC section 9). */
const REPLAYED_STATUSES = new Set([201, 403, 404, 409]);

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

const inline = (schema: z.ZodType): JsonSchema => withoutDialect(z.toJSONSchema(schema, { io: "input" }) as JsonSchema);

/** A registered schema (`.meta({ id })`) by reference; any other inline. */
function schemaOf(schema: z.ZodType): JsonSchema {
  const id = z.globalRegistry.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : withoutDialect(z.toJSONSchema(schema, { io: "output" }) as JsonSchema);
}

const json = (schema: JsonSchema) => ({ "application/json": { schema } });
/** A stream of Server-Sent Events whose `data:` lines are each an instance of `schema`. */
const eventStream = (schema: JsonSchema) => ({ "text/event-stream": { schema } });
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/** Path or query parameters from an object schema: each property's schema, and whether zod requires it. */
function parameters(schema: z.ZodObject | undefined, location: "path" | "query"): JsonSchema[] {
  if (!schema) return [];
  const object = inline(schema) as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => {
    const { description, ...propertySchema } = property;
    const text = (description as string | undefined) ?? PARAMETER_TEXT[name];
    return {
      name,
      in: location,
      required: location === "path" || (object.required ?? []).includes(name),
      ...(text ? { description: text } : {}),
      schema: propertySchema,
    };
  });
}

/** `/portal/chats/:chat_id/invites` → `/v1/portal/chats/{chat_id}/invites`. */
function openApiPath(spec: RestRoute, root: boolean): string {
  return (root ? "" : API_BASE) + spec.path.replace(/:([A-Za-z_]+)/g, "{$1}");
}

/**
 * The errors a route can answer: those it declares, plus those every route of its kind can get
 * from the layers in front of it: a session route 401 and 403 (restricted account); a POST 403
 * (cross-site), 413 and 415 (the body); every /v1 route 429 (rate limits) and 500; every route 431
 * (headers too large: `http/client-errors.ts` answers it before any route) and 503.
 */
function errorStatuses(spec: RestRoute, root: boolean): number[] {
  const statuses = new Set<number>(spec.errors);
  if (spec.auth === "session") statuses.add(401).add(403);
  if (spec.auth === "optional") statuses.add(403);
  if (spec.method === "post") statuses.add(403).add(413).add(415);
  if (!root) statuses.add(429).add(500);
  statuses.add(431).add(503);
  return [...statuses].sort();
}

function responses(spec: RestRoute, root: boolean, errorBody: z.ZodType): JsonSchema {
  const headersOf = (status: number) => {
    const names = ["X-Correlation-ID"];
    if (!root) names.push("RateLimit", "RateLimit-Policy");
    if (status === 429 || status === 503) names.push("Retry-After");
    if (spec.cookie && status < 300) names.push("Set-Cookie");
    if (spec.idempotent && REPLAYED_STATUSES.has(status)) names.push(IDEMPOTENT_REPLAYED_HEADER);
    return Object.fromEntries(names.map((name) => [name, header(name)]));
  };
  const result: JsonSchema = {};
  for (const status of successStatuses(spec)) {
    const { description, schema } = spec.responses[status]!;
    result[String(status)] = { description, headers: headersOf(status), content: (spec.stream ? eventStream : json)(schemaOf(schema)) };
  }
  for (const status of errorStatuses(spec, root)) {
    // (A 431 comes from the HTTP parser, before any route: always the SPEC error body, /health's too.)
    const body = status === 431 ? errorBodySchema : errorBody;
    result[String(status)] = { description: ERROR_TEXT[status], headers: headersOf(status), content: json(schemaOf(body)) };
  }
  return result;
}

function operation(spec: RestRoute, root: boolean, errorBody: z.ZodType): JsonSchema {
  const security = { session: [{ session: [] }], optional: [{}, { session: [] }], none: [] }[spec.auth];
  const requestHeaders: JsonSchema[] = spec.idempotent
    ? [{ name: IDEMPOTENCY_KEY_HEADER, in: "header", required: false, description: IDEMPOTENCY_KEY_TEXT, schema: inline(idempotencyKeySchema) }]
    : [];
  for (const { name, description, schema } of spec.requestHeaders ?? []) {
    requestHeaders.push({ name, in: "header", required: false, description, schema: inline(schema) });
  }
  const allParameters = [...parameters(spec.params, "path"), ...parameters(spec.query, "query"), ...requestHeaders];
  return {
    operationId: spec.operationId,
    summary: spec.summary,
    description: spec.description,
    tags: spec.tags,
    security,
    ...(allParameters.length > 0 ? { parameters: allParameters } : {}),
    ...(spec.body ? { requestBody: { required: spec.bodyRequired ?? false, content: json(inline(spec.body)) } } : {}),
    responses: responses(spec, root, errorBody),
  };
}

/** The body /health answers with when the database cannot be reached. */
const healthUnavailableSchema = z.object({ status: z.literal("unavailable"), correlation_id: z.uuid({ version: "v4" }) });

/** The document of the routes under /v1, and of /health (served by app.ts at the root). */
export function buildOpenApiDocument(routes: readonly RestRoute[], health: RestRoute): JsonSchema {
  void errorBodySchema; // registered in the global registry with the others, under its id
  const registry = z.toJSONSchema(z.globalRegistry, { io: "output", uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, JsonSchema>;
  };
  const schemas = Object.fromEntries(Object.entries(registry.schemas).map(([id, schema]) => [id, withoutDialect(schema)]));

  const paths: Record<string, Record<string, JsonSchema>> = {};
  const add = (spec: RestRoute, root: boolean, errorBody: z.ZodType) => {
    const path = openApiPath(spec, root);
    paths[path] = { ...paths[path], [spec.method]: operation(spec, root, errorBody) };
  };
  for (const spec of routes) add(spec, false, errorBodySchema);
  add(health, true, healthUnavailableSchema);

  return {
    openapi: "3.1.0",
    info: {
      title: "Portal Invites API",
      version: "1.0.0",
      description:
        "Chat invites of the Portal API: create, list, edit and revoke invites, join with a code, read a chat's activity, " +
        "follow its changes live (Server-Sent Events). " +
        "Authenticate with the `psession` cookie from POST /v1/authentication/verify. Every error body is " +
        "`{error, correlation_id}`; the same id is in the X-Correlation-ID header.",
    },
    servers: [{ url: "/", description: "The server this document is served from" }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    components: {
      schemas,
      headers: HEADERS,
      securitySchemes: { session: { type: "apiKey", in: "cookie", name: "psession", description: "The session cookie set by sign-in." } },
    },
    paths,
  };
}
