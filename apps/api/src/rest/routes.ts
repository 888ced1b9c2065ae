import {
  activityInputSchema,
  activityPageSchema,
  chatEventSchema,
  chatRefInputSchema,
  createInviteBodySchema,
  demoLoginInputSchema,
  healthSchema,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  inviteCodeInputSchema,
  inviteListSchema,
  invitePreviewSchema,
  inviteRefInputSchema,
  inviteSchema,
  inviteSettingsSchema,
  joinRequestPageSchema,
  joinRequestRefInputSchema,
  joinRequestsInputSchema,
  lastEventIdSchema,
  MAX_EVENT_STREAMS_PER_USER,
  messageSchema,
  myChatsSchema,
  pendingJoinSchema,
  redeemResultSchema,
  revokeAllResultSchema,
  updateInviteBodySchema,
  updateInviteSettingsBodySchema,
  userMeSchema,
  verifyInputSchema,
} from "@portal/contracts";
import { z } from "zod";
import { clearSessionCookie, sessionTokenOf, setSessionCookie } from "../http/cookies.js";
import { demoLogin, logout, verifyLoginCode } from "../services/auth.service.js";
import { chatActivity, me, myChats } from "../services/chat.service.js";
import {
  approveJoinRequest,
  declineJoinRequest,
  inviteSettings,
  joinRequests,
  revokeAllInvites,
  updateInvite,
  updateInviteSettings,
} from "../services/invite-management.service.js";
import { AppError } from "../services/errors.js";
import { openEventStream } from "../services/event-stream.service.js";
import { createInvite, createInviteOnce, isPendingJoin, listInvites, previewInvite, redeemInvite, revokeInvite } from "../services/invite.service.js";
import { lastEventIdOf, serveEventStream, SSE_RETRY_MS } from "./event-stream.js";
import { buildOpenApiDocument, type JsonSchema } from "./openapi.js";
import { route, type RestRoute } from "./route.js";

/**
 * The documented REST API (SPEC sections 3 and 10), one declaration a route. Each handler only
 * maps HTTP onto a service call; parsing, the session, the status and the OpenAPI document come
 * from the declaration (route.ts, openapi.ts).
 */

const MANAGE = "Requires a session and can_manage_room(), as create does.";
const activityQuerySchema = activityInputSchema.omit({ chat_id: true });
const joinRequestsQuerySchema = joinRequestsInputSchema.omit({ chat_id: true });

const inviteRoutes = [
  route({
    method: "post",
    path: "/portal/chats/:chat_id/invites",
    operationId: "createInvite",
    summary: "Create an invite",
    description:
      "Requires a session. Access follows can_manage_room(): private chats, the owner only; public and official chats, " +
      "the owner or anyone whose level lets them act on the owner. 409 when the chat already has 20 active invites. " +
      `Send an ${IDEMPOTENCY_KEY_HEADER} to retry safely (see the parameter).`,
    tags: ["Invites"],
    auth: "session",
    params: chatRefInputSchema,
    body: createInviteBodySchema,
    responses: { 201: { description: "The new invite (or, replayed, the invite an earlier request with the same key created)", schema: inviteSchema } },
    errors: [400, 404, 409, 422],
    idempotent: true,
    handler: ({ deps, user, params, body, req, res }) => {
      const key = req.get(IDEMPOTENCY_KEY_HEADER);
      const input = { ...params, ...body };
      if (key === undefined) return createInvite(deps, user, input);
      return createInviteOnce(deps, user, input, key, () => res.setHeader(IDEMPOTENT_REPLAYED_HEADER, "true"));
    },
  }),
  route({
    method: "get",
    path: "/portal/chats/:chat_id/invites",
    operationId: "listInvites",
    summary: "List the chat's active invites, newest first",
    description: "Requires a session and can_manage_room(). Revoked, expired and used-up invites are not listed.",
    tags: ["Invites"],
    auth: "session",
    params: chatRefInputSchema,
    responses: { 200: { description: "Active invites", schema: inviteListSchema } },
    errors: [400, 404],
    handler: ({ deps, user, params }) => listInvites(deps, user, params.chat_id),
  }),
  route({
    method: "post",
    path: "/portal/chats/:chat_id/invites/:code/delete",
    operationId: "revokeInvite",
    summary: "Revoke an invite",
    description: "Requires a session and can_manage_room(). 404 for an unknown, another chat's or an already revoked code.",
    tags: ["Invites"],
    auth: "session",
    params: inviteRefInputSchema,
    responses: { 200: { description: "Revoked", schema: messageSchema } },
    errors: [400, 404],
    handler: ({ deps, user, params }) => revokeInvite(deps, user, params),
  }),
  route({
    method: "get",
    path: "/portal/chats/:chat_id/activity",
    operationId: "chatActivity",
    summary: "Who joined, left, was kicked or banned; newest first",
    description: "Requires a session and can_manage_room(). `invite_code` narrows the page to who joined through that invite.",
    tags: ["Invites"],
    auth: "session",
    params: chatRefInputSchema,
    query: activityQuerySchema,
    responses: { 200: { description: "A page of events", schema: activityPageSchema } },
    errors: [400, 404],
    handler: ({ deps, user, params, query }) => chatActivity(deps, user, { ...params, ...query }),
  }),
];

const joinRoutes = [
  route({
    method: "get",
    path: "/portal/resolve/:code",
    operationId: "previewInvite",
    summary: "Where an invite leads",
    description:
      "Unknown, revoked, expired and used-up codes all answer the same 404 (and count as failed joins for the rate limit). " +
      "Answers without a session too (already_member is then false). 403 `Invites to this chat are paused` while paused.",
    tags: ["Joining"],
    auth: "optional",
    params: inviteCodeInputSchema,
    responses: { 200: { description: "Preview", schema: invitePreviewSchema } },
    errors: [400, 403, 404],
    rateLimit: "join",
    handler: ({ deps, user, params }) => previewInvite(deps, user, params.code),
  }),
  route({
    method: "post",
    path: "/portal/resolve/:code",
    operationId: "redeemInvite",
    summary: "Join the chat with an invite",
    description:
      "Owners and members get already_member: true and no use is counted. With join approval on, a newcomer's join is " +
      "recorded as a pending request: 202, and the use is counted when a manager approves. 403 while the chat's invites are paused.",
    tags: ["Joining"],
    auth: "session",
    params: inviteCodeInputSchema,
    responses: {
      200: { description: "Joined", schema: redeemResultSchema },
      202: { description: "Join requested: waiting for a manager's approval", schema: pendingJoinSchema },
    },
    status: (result: Awaited<ReturnType<typeof redeemInvite>>) => (isPendingJoin(result) ? 202 : 200),
    errors: [400, 404],
    rateLimit: "join",
    handler: ({ deps, user, params }) => redeemInvite(deps, user, params.code),
  }),
];

/** The invite management routes of SPEC section 10. */
const managementRoutes = [
  route({
    method: "post",
    path: "/portal/chats/:chat_id/invites/revoke-all",
    operationId: "revokeAllInvites",
    summary: "Revoke every active invite of the chat",
    description: `${MANAGE} One transaction; answers how many were revoked.`,
    tags: ["Invite management"],
    auth: "session",
    params: chatRefInputSchema,
    responses: { 200: { description: "Revoked", schema: revokeAllResultSchema } },
    errors: [400, 404],
    handler: ({ deps, user, params }) => revokeAllInvites(deps, user, params.chat_id),
  }),
  route({
    method: "post",
    path: "/portal/chats/:chat_id/invites/:code/update",
    operationId: "updateInvite",
    summary: "Edit an invite's max_uses and expires_at",
    description:
      `${MANAGE} Only the keys given change; null means unlimited / never. max_uses may not go below the uses counted ` +
      "(400). An edit that makes a used-up or expired invite usable again counts against the quota of 20 (409). " +
      "404 for an unknown, another chat's or a revoked code.",
    tags: ["Invite management"],
    auth: "session",
    params: inviteRefInputSchema,
    body: updateInviteBodySchema,
    bodyRequired: true,
    responses: { 200: { description: "The invite after the edit", schema: inviteSchema } },
    errors: [400, 404, 409],
    handler: ({ deps, user, params, body }) => updateInvite(deps, user, { ...params, ...body }),
  }),
  route({
    method: "get",
    path: "/portal/chats/:chat_id/invite-settings",
    operationId: "inviteSettings",
    summary: "Whether the chat's invites are paused, and whether joins need approval",
    description: MANAGE,
    tags: ["Invite management"],
    auth: "session",
    params: chatRefInputSchema,
    responses: { 200: { description: "The settings", schema: inviteSettingsSchema } },
    errors: [400, 404],
    handler: ({ deps, user, params }) => inviteSettings(deps, user, params.chat_id),
  }),
  route({
    method: "post",
    path: "/portal/chats/:chat_id/invite-settings/update",
    operationId: "updateInviteSettings",
    summary: "Pause or resume the chat's invites; turn join approval on or off",
    description: `${MANAGE} Only the keys given change. paused_until in the future and at most 30 days ahead, or null to resume.`,
    tags: ["Invite management"],
    auth: "session",
    params: chatRefInputSchema,
    body: updateInviteSettingsBodySchema,
    bodyRequired: true,
    responses: { 200: { description: "The settings after the change", schema: inviteSettingsSchema } },
    errors: [400, 404],
    handler: ({ deps, user, params, body }) => updateInviteSettings(deps, user, { ...params, ...body }),
  }),
  route({
    method: "get",
    path: "/portal/chats/:chat_id/join-requests",
    operationId: "joinRequests",
    summary: "Pending join requests, oldest first",
    description: MANAGE,
    tags: ["Invite management"],
    auth: "session",
    params: chatRefInputSchema,
    query: joinRequestsQuerySchema,
    responses: { 200: { description: "A page of requests", schema: joinRequestPageSchema } },
    errors: [400, 404],
    handler: ({ deps, user, params, query }) => joinRequests(deps, user, { ...params, ...query }),
  }),
  route({
    method: "post",
    path: "/portal/chats/:chat_id/join-requests/:user_id/approve",
    operationId: "approveJoinRequest",
    summary: "Approve a join request: the join and its use happen now",
    description: `${MANAGE} 409 \`The invite can no longer be used\` when it was revoked, used up or expired since; the request stays pending. 404 \`Join request not found\`.`,
    tags: ["Invite management"],
    auth: "session",
    params: joinRequestRefInputSchema,
    responses: { 200: { description: "Approved", schema: messageSchema } },
    errors: [400, 404, 409],
    handler: ({ deps, user, params }) => approveJoinRequest(deps, user, params),
  }),
  route({
    method: "post",
    path: "/portal/chats/:chat_id/join-requests/:user_id/decline",
    operationId: "declineJoinRequest",
    summary: "Decline a join request",
    description: `${MANAGE} 404 \`Join request not found\`.`,
    tags: ["Invite management"],
    auth: "session",
    params: joinRequestRefInputSchema,
    responses: { 200: { description: "Declined", schema: messageSchema } },
    errors: [400, 404],
    handler: ({ deps, user, params }) => declineJoinRequest(deps, user, params),
  }),
];

const chatEventsQuerySchema = z.object({ last_event_id: lastEventIdSchema.optional() });

/** Retry-After of a 429 for too many open streams: one that closes frees its place at once. */
const STREAM_LIMIT_RETRY_AFTER_SECONDS = 5;

/** SPEC section 11. */
const liveEventRoutes = [
  route({
    method: "get",
    path: "/portal/chats/:chat_id/events",
    operationId: "chatEvents",
    summary: "Follow the chat's invite and join events as they happen (Server-Sent Events)",
    description:
      `${MANAGE} Answers \`text/event-stream\`: each event as \`id:\` (its cursor), \`event:\` (its type) and \`data:\` (the event ` +
      "object as JSON, one line), in commit order, from every instance. First a `retry:` hint, then a `: keep-alive` comment " +
      "whenever the stream has been silent for 15 s. Without a last event id the stream starts with the next event; with one " +
      "(the `Last-Event-ID` header, which EventSource sends when it reconnects, or `?last_event_id=`; the header wins) it first " +
      "sends every retained event of the chat after that one (events are kept 7 days; after a longer absence, what is still kept), " +
      "then the live ones: none missed, none twice. The stream ends (a comment says why) when the session ends or the user may " +
      `no longer manage the chat, and when the server shuts down (reconnect). At most ${MAX_EVENT_STREAMS_PER_USER} open streams ` +
      "per user over all instances: one more answers 429.",
    tags: ["Live events"],
    auth: "session",
    params: chatRefInputSchema,
    query: chatEventsQuerySchema,
    requestHeaders: [
      {
        name: "Last-Event-ID",
        description: "The id of the last event received: the stream resumes after it (wins over `last_event_id`).",
        schema: lastEventIdSchema,
      },
    ],
    stream: true,
    responses: {
      200: {
        description: `An event stream; each \`data:\` is one event (\`retry: ${SSE_RETRY_MS}\`, keep-alive comments between)`,
        schema: chatEventSchema,
      },
    },
    errors: [400, 404],
    handler: async ({ deps, user, params, query, req, res }) => {
      const lastEventId = lastEventIdOf(req, query.last_event_id);
      let stream;
      try {
        // The session was checked (auth: "session"), so the request carries its token.
        stream = await openEventStream(deps, user, sessionTokenOf(req)!, { chat_id: params.chat_id, last_event_id: lastEventId });
      } catch (error) {
        if (error instanceof AppError && error.code === "TOO_MANY_REQUESTS") res.setHeader("Retry-After", String(STREAM_LIMIT_RETRY_AFTER_SECONDS));
        throw error;
      }
      serveEventStream(deps, stream, res);
    },
  }),
];

const userRoutes = [
  route({
    method: "get",
    path: "/users/me",
    operationId: "me",
    summary: "The signed-in user",
    description: "The user the `psession` cookie belongs to.",
    tags: ["Users"],
    auth: "session",
    responses: { 200: { description: "The user", schema: userMeSchema } },
    errors: [],
    handler: ({ user }) => me(user),
  }),
  route({
    method: "get",
    path: "/users/me/chats",
    operationId: "myChats",
    summary: "Chats the user owns or joined",
    description: "Every chat the signed-in user owns or is a member of.",
    tags: ["Users"],
    auth: "session",
    responses: { 200: { description: "Chats", schema: myChatsSchema } },
    errors: [],
    handler: ({ deps, user }) => myChats(deps, user),
  }),
];

const authenticationRoutes = [
  route({
    method: "post",
    path: "/authentication/verify",
    operationId: "verifyLoginCode",
    summary: "Sign in with a login code",
    description: "Sets the psession cookie (HttpOnly, SameSite=Lax; 30 days for Users and Mods, 1 day for Admins and Owners).",
    tags: ["Authentication"],
    auth: "none",
    body: verifyInputSchema,
    bodyRequired: true,
    responses: { 200: { description: "Signed in", schema: userMeSchema } },
    errors: [400, 403],
    cookie: "set",
    rateLimit: "signIn",
    handler: async ({ deps, body, req, res }) => {
      const { user, session } = await verifyLoginCode(deps, body.code);
      setSessionCookie(req, res, session);
      return user;
    },
  }),
  route({
    method: "post",
    path: "/authentication/logout",
    operationId: "logout",
    summary: "Sign out: ends the session and clears the cookie",
    description: "Ends the session of the `psession` cookie on the server, and clears the cookie.",
    tags: ["Authentication"],
    auth: "session",
    responses: { 200: { description: "Signed out", schema: messageSchema } },
    errors: [],
    cookie: "clear",
    handler: async ({ deps, req, res }) => {
      // The session was checked (auth: "session"), so the request carries its token.
      const result = await logout(deps, sessionTokenOf(req)!);
      clearSessionCookie(req, res);
      return result;
    },
  }),
  route({
    method: "post",
    path: "/dev/login",
    operationId: "demoLogin",
    summary: "One-click sign-in as a demo user (only when PORTAL_DEMO=1; 404 otherwise)",
    description: "Signs in as one of the seeded demo users without a login code, and sets the psession cookie as verify does.",
    tags: ["Authentication"],
    auth: "none",
    body: demoLoginInputSchema,
    bodyRequired: true,
    responses: { 200: { description: "Signed in", schema: userMeSchema } },
    errors: [400, 403, 404],
    cookie: "set",
    rateLimit: "signIn",
    demoOnly: true,
    handler: async ({ deps, body, req, res }) => {
      const { user, session } = await demoLogin(deps, true, body.username);
      setSessionCookie(req, res, session);
      return user;
    },
  }),
];

let document: JsonSchema | undefined;

const serviceRoutes = [
  route({
    method: "get",
    path: "/openapi.json",
    operationId: "openapi",
    summary: "This document",
    description: "The OpenAPI 3.1 document of this API, built from the same route declarations the server runs.",
    tags: ["Service"],
    auth: "none",
    responses: { 200: { description: "OpenAPI 3.1 document", schema: z.object({}).loose() } },
    errors: [],
    handler: () => openApiDocument(),
  }),
];

/** Every route under /v1, in the order Express tries them. */
export const restRoutes: readonly RestRoute[] = [
  ...inviteRoutes,
  ...joinRoutes,
  ...managementRoutes,
  ...liveEventRoutes,
  ...userRoutes,
  ...authenticationRoutes,
  ...serviceRoutes,
];

/** /health is served by app.ts (outside /v1, before the rate limits); declared here for the document only. */
export const healthRoute: RestRoute = route({
  method: "get",
  path: "/health",
  operationId: "health",
  summary: "Liveness, including the database",
  description: "200 while the database answers; 503 `{status: \"unavailable\", correlation_id}` with Retry-After when it does not.",
  tags: ["Service"],
  auth: "none",
  responses: { 200: { description: "Healthy", schema: healthSchema } },
  errors: [],
  handler: () => ({ status: "ok" }),
});

/** The OpenAPI document of the routes above, served at GET /v1/openapi.json. */
export function openApiDocument(): JsonSchema {
  document ??= buildOpenApiDocument(restRoutes, healthRoute);
  return document;
}
