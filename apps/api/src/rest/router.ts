import {
  activityInputSchema,
  chatRefInputSchema,
  createInviteBodySchema,
  demoLoginInputSchema,
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENT_REPLAYED_HEADER,
  inviteCodeInputSchema,
  inviteRefInputSchema,
  verifyInputSchema,
} from "@portal/contracts";
import { Router, type Request, type Response } from "express";
import { clearSessionCookie, sessionTokenOf, setSessionCookie } from "../http/cookies.js";
import { requestUser } from "../http/session.js";
import { demoLogin, endSession, verifyLoginCode } from "../services/auth.service.js";
import { chatActivity, me, myChats } from "../services/chat.service.js";
import type { ServiceDeps } from "../services/context.js";
import { createInvite, createInviteOnce, listInvites, previewInvite, redeemInvite, revokeInvite } from "../services/invite.service.js";
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
    });
    res.json(await chatActivity(deps, user, input));
  });

  router.get(REST_PATHS.resolve, async (req, res) => {
    const user = await signedIn(req, res);
    const { code } = parseInput(inviteCodeInputSchema, { code: req.params.code });
    res.json(await previewInvite(deps, user, code));
  });

  router.post(REST_PATHS.resolve, async (req, res) => {
    const user = await signedIn(req, res);
    const { code } = parseInput(inviteCodeInputSchema, { code: req.params.code });
    res.json(await redeemInvite(deps, user, code));
  });

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
    const token = sessionTokenOf(req);
    if (token) await endSession(deps, token);
    clearSessionCookie(req, res);
    res.json({ message: "Logged out" });
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
