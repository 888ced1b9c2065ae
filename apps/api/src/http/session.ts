import type { Request, Response } from "express";
import type { UserRow } from "../db/schema.js";
import { authenticate } from "../services/auth.service.js";
import type { ServiceDeps } from "../services/context.js";
import { sessionTokenOf } from "./cookies.js";

/**
 * The signed-in user of a request (`authenticate` on its `psession` cookie), looked up once per
 * request: the rate limits need it before routing (the general limit is per user), and the REST
 * and tRPC handlers reuse the same answer instead of asking the database again.
 */
export function requestUser(deps: ServiceDeps, req: Request, res: Response): Promise<UserRow> {
  let user = res.locals.signedInUser as Promise<UserRow> | undefined;
  if (!user) {
    user = authenticate(deps, sessionTokenOf(req));
    // Whoever awaits it gets the rejection; one that nobody awaits is not an unhandled rejection.
    user.catch(() => undefined);
    res.locals.signedInUser = user;
  }
  return user;
}
