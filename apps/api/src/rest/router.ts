import type { Router } from "express";
import type { ServiceDeps } from "../services/context.js";
import { mountRoutes } from "./route.js";
import { restRoutes } from "./routes.js";

/**
 * The documented REST API (SPEC section 3), mounted under /v1 by app.ts: the route table of
 * routes.ts, with the demo sign-in only when PORTAL_DEMO=1.
 */
export function restRouter(deps: ServiceDeps, options: { demo: boolean }): Router {
  return mountRoutes(
    deps,
    restRoutes.filter((spec) => options.demo || !spec.demoOnly),
  );
}
