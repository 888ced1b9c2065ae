import {
  activityInputSchema,
  chatRefInputSchema,
  createInviteBodySchema,
  demoLoginInputSchema,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  inviteCodeInputSchema,
  inviteRefInputSchema,
  joinRequestRefInputSchema,
  joinRequestsInputSchema,
  updateInviteBodySchema,
  updateInviteSettingsBodySchema,
  verifyInputSchema,
} from "@portal/contracts";
import { Router, type Request, type Response } from "express";
import { clearSessionCookie, sessionTokenOf, setSessionCookie } from "../http/cookies.js";
import { requestUser } from "../http/session.js";
import { demoLogin, logout, optionalUser, verifyLoginCode } from "../services/auth.service.js";
import { chatActivity, me, myChats } from "../services/chat.service.js";
import type { ServiceDeps } from "../services/context.js";
import {
  approveJoinRequest,
  declineJoinRequest,
  inviteSettings,
  joinRequests,
  revokeAllInvites,
  updateInvite,
  updateInviteSettings,
} from "../services/invite-management.service.js";
import { createInvite, createInviteOnce, isPendingJoin, listInvites, previewInvite, redeemInvite, revokeInvite } from "../services/invite.service.js";
import { openApiDocument } from "./openapi.js";
import { bodyOf, numberFromString, parseInput } from "./parse.js";

/** The routes the rate limits single out (http/rate-limit.ts classifies requests with the same paths). */
export const REST_PATHS = {
  verify: "/authentication/verify",
  demoLogin: "/dev/login",
  resolve: "/portal/resolve/:code",
} as const;

/**
 * The documented REST API (SPEC section 3). Each handler only maps HTTP onto a service call:
 * parse the path, query and body with the shared contract schemas, call the service, send JSON.
 */
export function restRouter(deps: ServiceDeps, options: { demo: boolean }): Router {
  const router = Router();

  const signedIn = async (req: Request, res: Response) => {
    const user = await requestUser(deps, req, res);
    res.locals.userId = user.id;
    return user;
  };
  const chatRef = (req: Request) => parseInput(chatRefInputSchema, { chat_id: numberFromString(req.params.chat_id) });

  router.post("/portal/chats/:chat_id/invites", async (req, res) => {
    const user = await signedIn(req, res);
    const { chat_id } = chatRef(req);
    const body = parseInput(createInviteBodySchema, bodyOf(req.body));
    const key = req.get(IDEMPOTENCY_KEY_HEADER);
    const invite =
      key === undefined
        ? await createInvite(deps, user, { chat_id, ...body })
        : await createInviteOnce(deps, user, { chat_id, ...body }, key, () => res.setHeader(IDEMPOTENT_REPLAYED_HEADER, "true"));
    res.status(201).json(invite);
  });

  router.get("/portal/chats/:chat_id/invites", async (req, res) => {
    const user = await signedIn(req, res);
    res.json(await listInvites(deps, user, chatRef(req).chat_id));
  });

  router.post("/portal/chats/:chat_id/invites/:code/delete", async (req, res) => {
    const user = await signedIn(req, res);
    const input = parseInput(inviteRefInputSchema, { chat_id: numberFromString(req.params.chat_id), code: req.params.code });
    res.json(await revokeInvite(deps, user, input));
  });

  router.get("/portal/chats/:chat_id/activity", async (req, res) => {
    const user = await signedIn(req, res);
    const input = parseInput(activityInputSchema, {
      chat_id: numberFromString(req.params.chat_id),
      offset: numberFromString(req.query.offset),
      limit: numberFromString(req.query.limit),
      ...(req.query.invite_code === undefined ? {} : { invite_code: req.query.invite_code }),
    });
    res.json(await chatActivity(deps, user, input));
  });

  // A signed-out person may preview too (SPEC section 10); joining still needs a session.
  router.get(REST_PATHS.resolve, async (req, res) => {
    const user = await optionalUser(signedIn(req, res));
    const { code } = parseInput(inviteCodeInputSchema, { code: req.params.code });
    res.json(await previewInvite(deps, user, code));
  });

  router.post(REST_PATHS.resolve, async (req, res) => {
    const user = await signedIn(req, res);
    const { code } = parseInput(inviteCodeInputSchema, { code: req.params.code });
    const result = await redeemInvite(deps, user, code);
    res.status(isPendingJoin(result) ? 202 : 200).json(result);
  });

  managementRoutes(router, deps, signedIn);

  router.get("/users/me", async (req, res) => {
    res.json(me(await signedIn(req, res)));
  });

  router.get("/users/me/chats", async (req, res) => {
    res.json(await myChats(deps, await signedIn(req, res)));
  });

  router.post(REST_PATHS.verify, async (req, res) => {
    const { code } = parseInput(verifyInputSchema, bodyOf(req.body));
    const { user, session } = await verifyLoginCode(deps, code);
    setSessionCookie(req, res, session);
    res.json(user);
  });

  router.post("/authentication/logout", async (req, res) => {
    await signedIn(req, res);
    const result = await logout(deps, sessionTokenOf(req)!);
    clearSessionCookie(req, res);
    res.json(result);
  });

  router.get("/openapi.json", (_req, res) => {
    res.json(openApiDocument());
  });

  if (options.demo) {
    router.post(REST_PATHS.demoLogin, async (req, res) => {
      const { username } = parseInput(demoLoginInputSchema, bodyOf(req.body));
      const { user, session } = await demoLogin(deps, true, username);
      setSessionCookie(req, res, session);
      res.json(user);
    });
  }

  return router;
}

/** The invite management routes of SPEC section 10. */
function managementRoutes(router: Router, deps: ServiceDeps, signedIn: (req: Request, res: Response) => ReturnType<typeof requestUser>): void {
  const chatRef = (req: Request) => parseInput(chatRefInputSchema, { chat_id: numberFromString(req.params.chat_id) });
  const requestRef = (req: Request) =>
    parseInput(joinRequestRefInputSchema, { chat_id: numberFromString(req.params.chat_id), user_id: numberFromString(req.params.user_id) });

  router.post("/portal/chats/:chat_id/invites/revoke-all", async (req, res) => {
    const user = await signedIn(req, res);
    res.json(await revokeAllInvites(deps, user, chatRef(req).chat_id));
  });

  router.post("/portal/chats/:chat_id/invites/:code/update", async (req, res) => {
    const user = await signedIn(req, res);
    const ref = parseInput(inviteRefInputSchema, { chat_id: numberFromString(req.params.chat_id), code: req.params.code });
    const body = parseInput(updateInviteBodySchema, bodyOf(req.body));
    res.json(await updateInvite(deps, user, { ...ref, ...body }));
  });

  router.get("/portal/chats/:chat_id/invite-settings", async (req, res) => {
    const user = await signedIn(req, res);
    res.json(await inviteSettings(deps, user, chatRef(req).chat_id));
  });

  router.post("/portal/chats/:chat_id/invite-settings/update", async (req, res) => {
    const user = await signedIn(req, res);
    const { chat_id } = chatRef(req);
    const body = parseInput(updateInviteSettingsBodySchema, bodyOf(req.body));
    res.json(await updateInviteSettings(deps, user, { chat_id, ...body }));
  });

  router.get("/portal/chats/:chat_id/join-requests", async (req, res) => {
    const user = await signedIn(req, res);
    const input = parseInput(joinRequestsInputSchema, {
      chat_id: numberFromString(req.params.chat_id),
      offset: numberFromString(req.query.offset),
      limit: numberFromString(req.query.limit),
    });
    res.json(await joinRequests(deps, user, input));
  });

  router.post("/portal/chats/:chat_id/join-requests/:user_id/approve", async (req, res) => {
    const user = await signedIn(req, res);
    res.json(await approveJoinRequest(deps, user, requestRef(req)));
  });

  router.post("/portal/chats/:chat_id/join-requests/:user_id/decline", async (req, res) => {
    const user = await signedIn(req, res);
    res.json(await declineJoinRequest(deps, user, requestRef(req)));
  });
}
