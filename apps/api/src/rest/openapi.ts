import {
  activityPageSchema,
  createInviteBodySchema,
  demoLoginInputSchema,
  errorBodySchema,
  healthSchema,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  idempotencyKeySchema,
  invitePreviewSchema,
  inviteListSchema,
  inviteSchema,
  messageSchema,
  myChatsSchema,
  redeemResultSchema,
  userMeSchema,
  verifyInputSchema,
  inviteSettingsSchema,
  joinRequestPageSchema,
  pendingJoinSchema,
  revokeAllResultSchema,
  updateInviteBodySchema,
  updateInviteSettingsBodySchema,
  JOIN_REQUESTS_DEFAULT_LIMIT,
  JOIN_REQUESTS_MAX_LIMIT,
  ACTIVITY_DEFAULT_LIMIT,
  ACTIVITY_MAX_LIMIT,
} from "@portal/contracts";
import { z } from "zod";

/**
 * The OpenAPI 3.1 document of the REST API, generated from the same zod schemas the routes parse
 * and answer with: there is no hand-written copy to drift. Served at GET /v1/openapi.json.
 */

type JsonSchema = Record<string, unknown>;

function withoutDialect(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rest;
}

const ref = (schema: z.ZodType): JsonSchema => {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error("a response schema needs a registered id (`.meta({ id })`)");
  return { $ref: `#/components/schemas/${id}` };
};

const inline = (schema: z.ZodType): JsonSchema => withoutDialect(z.toJSONSchema(schema, { io: "input" }) as JsonSchema);

const json = (schema: JsonSchema) => ({ "application/json": { schema } });

const ERROR_TEXT: Record<number, string> = {
  400: "Invalid path, query or body: `error` names the first invalid field and why",
  401: "No, unknown or expired session",
  403: "Not allowed, account restricted, or a cross-site request",
  404: "Unknown route, chat or invite",
  409: "Quota of 20 active invites reached, chat archived, or (approval) the invite can no longer be used",
  422: "The Idempotency-Key was used with a different request (another chat or body)",
  413: "Body over 16 KiB",
  415: "A body that is not application/json",
  429: "Rate limit reached; see Retry-After",
  500: "Unexpected error; quote the correlation_id",
  503: "The database cannot be reached, or stays locked past its bound: retry after Retry-After seconds",
};

function errors(...statuses: number[]) {
  return Object.fromEntries(
    [...statuses, 429, 500, 503].map((status) => [
      String(status),
      { description: ERROR_TEXT[status], content: json({ $ref: "#/components/schemas/Error" }) },
    ]),
  );
}

const chatIdParam = {
  name: "chat_id",
  in: "path",
  required: true,
  description: "Chat ID.",
  schema: { type: "integer", minimum: 1 },
};
const codeParam = {
  name: "code",
  in: "path",
  required: true,
  description: "Invite code.",
  schema: { type: "string", pattern: "^[A-Za-z0-9]{1,64}$" },
};
const idempotencyKeyParam = {
  name: IDEMPOTENCY_KEY_HEADER,
  in: "header",
  required: false,
  description:
    "Makes the create safe to retry after a timeout or a 503. The first request with a key runs; a retry with the same key, " +
    "by the same user, for the same chat and body, within 24 hours, gets the same answer again (the 201 with the same invite, " +
    "or the same 403, 404 or 409 error) with `Idempotent-Replayed: true`, and creates nothing. The same key with another chat " +
    "or body answers 422; while the first request is still running, 409 `A request with this Idempotency-Key is in progress`. " +
    "An invalid key (not 1–255 visible ASCII characters) answers 400. Keys are per user. A 400 or a 5xx is not kept: retry it.",
  schema: inline(idempotencyKeySchema),
};
const replayedHeader = {
  [IDEMPOTENT_REPLAYED_HEADER]: {
    description: "`true` when this is the stored answer of an earlier request with the same Idempotency-Key; absent otherwise.",
    schema: { type: "string", enum: ["true"] },
  },
};
const signedIn = [{ session: [] }];
const STATE_CHANGE = [413, 415];

/** The answers a retry with the same Idempotency-Key can get again carry the Idempotent-Replayed header. */
function replayable(responses: Record<string, Record<string, unknown>>) {
  const replayed = new Set(["201", "403", "404", "409"]);
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => [status, replayed.has(status) ? { ...response, headers: replayedHeader } : response]),
  );
}

function buildDocument(): JsonSchema {
  // Touch every response schema so its id is in the registry before it is converted.
  void [errorBodySchema, healthSchema, inviteSchema, inviteListSchema, invitePreviewSchema, redeemResultSchema, activityPageSchema, myChatsSchema, userMeSchema, messageSchema];
  void [revokeAllResultSchema, inviteSettingsSchema, joinRequestPageSchema, pendingJoinSchema];
  const registry = z.toJSONSchema(z.globalRegistry, { io: "output", uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, JsonSchema>;
  };
  const schemas = Object.fromEntries(Object.entries(registry.schemas).map(([id, schema]) => [id, withoutDialect(schema)]));

  return {
    openapi: "3.1.0",
    info: {
      title: "Portal Invites API",
      version: "1.0.0",
      description:
        "Chat invites of the Portal API: create, list and revoke invites, join with a code, read a chat's activity. " +
        "Authenticate with the `psession` cookie from POST /v1/authentication/verify. Every error body is " +
        "`{error, correlation_id}`; the same id is in the X-Correlation-ID header.",
    },
    servers: [{ url: "/" }],
    components: {
      schemas,
      securitySchemes: { session: { type: "apiKey", in: "cookie", name: "psession" } },
    },
    paths: {
      "/v1/portal/chats/{chat_id}/invites": {
        post: {
          operationId: "createInvite",
          summary: "Create an invite",
          description:
            "Requires a session. Access follows can_manage_room(): private chats, the owner only; public and official chats, " +
            "the owner or anyone whose level lets them act on the owner. 409 when the chat already has 20 active invites. " +
            "Send an Idempotency-Key to retry safely (see the parameter).",
          security: signedIn,
          parameters: [chatIdParam, idempotencyKeyParam],
          requestBody: { required: false, content: json(inline(createInviteBodySchema)) },
          responses: replayable({
            "201": { description: "The new invite (or, replayed, the invite an earlier request with the same key created)", content: json(ref(inviteSchema)) },
            ...errors(400, 401, 403, 404, 409, 422, ...STATE_CHANGE),
          }),
        },
        get: {
          operationId: "listInvites",
          summary: "List the chat's active invites, newest first",
          security: signedIn,
          parameters: [chatIdParam],
          responses: { "200": { description: "Active invites", content: json(ref(inviteListSchema)) }, ...errors(400, 401, 403, 404) },
        },
      },
      "/v1/portal/chats/{chat_id}/invites/{code}/delete": {
        post: {
          operationId: "revokeInvite",
          summary: "Revoke an invite",
          security: signedIn,
          parameters: [chatIdParam, codeParam],
          responses: { "200": { description: "Revoked", content: json(ref(messageSchema)) }, ...errors(400, 401, 403, 404, ...STATE_CHANGE) },
        },
      },
      "/v1/portal/resolve/{code}": {
        get: {
          operationId: "previewInvite",
          summary: "Where an invite leads",
          description:
            "Unknown, revoked, expired and used-up codes all answer the same 404 (and count as failed joins for the rate limit). " +
            "Answers without a session too (already_member is then false). 403 `Invites to this chat are paused` while paused.",
          security: [{}, ...signedIn],
          parameters: [codeParam],
          responses: { "200": { description: "Preview", content: json(ref(invitePreviewSchema)) }, ...errors(400, 401, 403, 404) },
        },
        post: {
          operationId: "redeemInvite",
          summary: "Join the chat with an invite",
          description:
            "Owners and members get already_member: true and no use is counted. With join approval on, a newcomer's join is " +
            "recorded as a pending request: 202, and the use is counted when a manager approves. 403 while the chat's invites are paused.",
          security: signedIn,
          parameters: [codeParam],
          responses: {
            "200": { description: "Joined", content: json(ref(redeemResultSchema)) },
            "202": { description: "Join requested: waiting for a manager's approval", content: json(ref(pendingJoinSchema)) },
            ...errors(400, 401, 403, 404, ...STATE_CHANGE),
          },
        },
      },
      "/v1/portal/chats/{chat_id}/activity": {
        get: {
          operationId: "chatActivity",
          summary: "Who joined, left, was kicked or banned; newest first",
          security: signedIn,
          parameters: [
            chatIdParam,
            { name: "offset", in: "query", required: false, schema: { type: "integer", minimum: 0, default: 0 } },
            {
              name: "limit",
              in: "query",
              required: false,
              schema: { type: "integer", minimum: 1, maximum: ACTIVITY_MAX_LIMIT, default: ACTIVITY_DEFAULT_LIMIT },
            },
            {
              name: "invite_code",
              in: "query",
              required: false,
              description: "Only the events of this invite: who joined through it.",
              schema: { type: "string", pattern: "^[A-Za-z0-9]{1,64}$" },
            },
          ],
          responses: { "200": { description: "A page of events", content: json(ref(activityPageSchema)) }, ...errors(400, 401, 403, 404) },
        },
      },
      ...managementPaths(),
      "/v1/users/me": {
        get: {
          operationId: "me",
          summary: "The signed-in user",
          security: signedIn,
          responses: { "200": { description: "The user", content: json(ref(userMeSchema)) }, ...errors(401, 403) },
        },
      },
      "/v1/users/me/chats": {
        get: {
          operationId: "myChats",
          summary: "Chats the user owns or joined",
          security: signedIn,
          responses: { "200": { description: "Chats", content: json(ref(myChatsSchema)) }, ...errors(401, 403) },
        },
      },
      "/v1/authentication/verify": {
        post: {
          operationId: "verifyLoginCode",
          summary: "Sign in with a login code",
          description: "Sets the psession cookie (HttpOnly, SameSite=Lax; 30 days for Users and Mods, 1 day for Admins and Owners).",
          requestBody: { required: true, content: json(inline(verifyInputSchema)) },
          responses: { "200": { description: "Signed in", content: json(ref(userMeSchema)) }, ...errors(400, 403, ...STATE_CHANGE) },
        },
      },
      "/v1/authentication/logout": {
        post: {
          operationId: "logout",
          summary: "Sign out: ends the session and clears the cookie",
          security: signedIn,
          responses: { "200": { description: "Signed out", content: json(ref(messageSchema)) }, ...errors(401, 403, ...STATE_CHANGE) },
        },
      },
      "/v1/dev/login": {
        post: {
          operationId: "demoLogin",
          summary: "One-click sign-in as a demo user (only when PORTAL_DEMO=1; 404 otherwise)",
          requestBody: { required: true, content: json(inline(demoLoginInputSchema)) },
          responses: { "200": { description: "Signed in", content: json(ref(userMeSchema)) }, ...errors(400, 403, 404, ...STATE_CHANGE) },
        },
      },
      "/v1/openapi.json": {
        get: {
          operationId: "openapi",
          summary: "This document",
          responses: { "200": { description: "OpenAPI 3.1 document", content: json({ type: "object" }) } },
        },
      },
      "/health": {
        get: {
          operationId: "health",
          summary: "Liveness, including the database",
          responses: {
            "200": { description: "Healthy", content: json(ref(healthSchema)) },
            "503": { description: "The database cannot be reached", content: json({ type: "object" }) },
          },
        },
      },
    },
  };
}

/** The invite management routes of SPEC section 10. */
function managementPaths(): Record<string, JsonSchema> {
  const userIdParam = { name: "user_id", in: "path", required: true, description: "The requester's user ID.", schema: { type: "integer", minimum: 1 } };
  const manage = "Requires a session and can_manage_room(), as create does.";
  return {
    "/v1/portal/chats/{chat_id}/invites/{code}/update": {
      post: {
        operationId: "updateInvite",
        summary: "Edit an invite's max_uses and expires_at",
        description:
          `${manage} Only the keys given change; null means unlimited / never. max_uses may not go below the uses counted ` +
          "(400). An edit that makes a used-up or expired invite usable again counts against the quota of 20 (409). " +
          "404 for an unknown, another chat's or a revoked code.",
        security: signedIn,
        parameters: [chatIdParam, codeParam],
        requestBody: { required: true, content: json(inline(updateInviteBodySchema)) },
        responses: { "200": { description: "The invite after the edit", content: json(ref(inviteSchema)) }, ...errors(400, 401, 403, 404, 409, ...STATE_CHANGE) },
      },
    },
    "/v1/portal/chats/{chat_id}/invites/revoke-all": {
      post: {
        operationId: "revokeAllInvites",
        summary: "Revoke every active invite of the chat",
        description: `${manage} One transaction; answers how many were revoked.`,
        security: signedIn,
        parameters: [chatIdParam],
        responses: { "200": { description: "Revoked", content: json(ref(revokeAllResultSchema)) }, ...errors(400, 401, 403, 404, ...STATE_CHANGE) },
      },
    },
    "/v1/portal/chats/{chat_id}/invite-settings": {
      get: {
        operationId: "inviteSettings",
        summary: "Whether the chat's invites are paused, and whether joins need approval",
        description: manage,
        security: signedIn,
        parameters: [chatIdParam],
        responses: { "200": { description: "The settings", content: json(ref(inviteSettingsSchema)) }, ...errors(400, 401, 403, 404) },
      },
    },
    "/v1/portal/chats/{chat_id}/invite-settings/update": {
      post: {
        operationId: "updateInviteSettings",
        summary: "Pause or resume the chat's invites; turn join approval on or off",
        description: `${manage} Only the keys given change. paused_until in the future and at most 30 days ahead, or null to resume.`,
        security: signedIn,
        parameters: [chatIdParam],
        requestBody: { required: true, content: json(inline(updateInviteSettingsBodySchema)) },
        responses: { "200": { description: "The settings after the change", content: json(ref(inviteSettingsSchema)) }, ...errors(400, 401, 403, 404, ...STATE_CHANGE) },
      },
    },
    "/v1/portal/chats/{chat_id}/join-requests": {
      get: {
        operationId: "joinRequests",
        summary: "Pending join requests, oldest first",
        description: manage,
        security: signedIn,
        parameters: [
          chatIdParam,
          { name: "offset", in: "query", required: false, schema: { type: "integer", minimum: 0, default: 0 } },
          { name: "limit", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: JOIN_REQUESTS_MAX_LIMIT, default: JOIN_REQUESTS_DEFAULT_LIMIT } },
        ],
        responses: { "200": { description: "A page of requests", content: json(ref(joinRequestPageSchema)) }, ...errors(400, 401, 403, 404) },
      },
    },
    "/v1/portal/chats/{chat_id}/join-requests/{user_id}/approve": {
      post: {
        operationId: "approveJoinRequest",
        summary: "Approve a join request: the join and its use happen now",
        description: `${manage} 409 \`The invite can no longer be used\` when it was revoked, used up or expired since; the request stays pending. 404 \`Join request not found\`.`,
        security: signedIn,
        parameters: [chatIdParam, userIdParam],
        responses: { "200": { description: "Approved", content: json(ref(messageSchema)) }, ...errors(400, 401, 403, 404, 409, ...STATE_CHANGE) },
      },
    },
    "/v1/portal/chats/{chat_id}/join-requests/{user_id}/decline": {
      post: {
        operationId: "declineJoinRequest",
        summary: "Decline a join request",
        description: `${manage} 404 \`Join request not found\`.`,
        security: signedIn,
        parameters: [chatIdParam, userIdParam],
        responses: { "200": { description: "Declined", content: json(ref(messageSchema)) }, ...errors(400, 401, 403, 404, ...STATE_CHANGE) },
      },
    },
  };
}

let cached: JsonSchema | null = null;

export function openApiDocument(): JsonSchema {
  cached ??= buildDocument();
  return cached;
}
