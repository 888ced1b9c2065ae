import { ErrorMessage } from "@portal/contracts";
import type { NextFunction, Request, Response } from "express";
import { AppError } from "../services/errors.js";
import { sendError } from "./errors.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function hasBody(req: Request): boolean {
  const length = req.headers["content-length"];
  if (length !== undefined) return Number(length) > 0;
  return req.headers["transfer-encoding"] !== undefined;
}

function isJson(req: Request): boolean {
  const type = req.headers["content-type"];
  if (!type) return false;
  const [mediaType, ...params] = type.split(";").map((p) => p.trim().toLowerCase());
  if (mediaType !== "application/json") return false;
  const charset = params.find((p) => p.startsWith("charset="));
  return charset === undefined || charset === "charset=utf-8";
}

/**
 * Cross-site request protection in front of REST and tRPC alike (SPEC section 6):
 * - a state-changing request with a body that is not `application/json` gets 415, which closes the
 *   doors an HTML form can open (`text/plain`, urlencoded, and tRPC's `multipart/form-data`);
 * - a state-changing request a browser marks as cross-site or same-site (`Sec-Fetch-Site`), or
 *   whose `Origin` is neither this server's nor a trusted one, gets 403. A request with neither
 *   header does not come from a browser and passes.
 */
export function crossSiteProtection(trustedOrigins: readonly string[]) {
  const trusted = new Set(trustedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.headers.origin;
    const fetchSite = req.headers["sec-fetch-site"];
    const trustedOrigin = origin !== undefined && trusted.has(origin);
    if (!trustedOrigin) {
      if (fetchSite === "cross-site" || fetchSite === "same-site") {
        return sendError(req, res, new AppError("FORBIDDEN", ErrorMessage.crossSiteRefused));
      }
      if (fetchSite !== "same-origin" && fetchSite !== "none" && origin !== undefined) {
        const own = `${req.protocol}://${req.get("host") ?? ""}`;
        if (origin !== own) return sendError(req, res, new AppError("FORBIDDEN", ErrorMessage.crossSiteRefused));
      }
    }
    if (hasBody(req) && !isJson(req)) {
      return sendError(req, res, new AppError("UNSUPPORTED_MEDIA_TYPE", ErrorMessage.unsupportedMediaType));
    }
    next();
  };
}
