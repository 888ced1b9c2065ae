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
  const charset = params.find((p) => p.startsWith("charset="))?.slice("charset=".length).replace(/^"(.*)"$/, "$1");
  return charset === undefined || charset === "utf-8";
}

/** Compressed bodies are not accepted: REST and tRPC would not read them alike. */
function isEncoded(req: Request): boolean {
  const encoding = req.headers["content-encoding"];
  return encoding !== undefined && encoding.trim().toLowerCase() !== "identity";
}

/**
 * A well-formed origin (`scheme://host[:port]`, as browsers send it) whose host is the Host the
 * request was sent to; the scheme is left to HSTS, as behind a TLS-terminating proxy it differs.
 */
function isOwnOrigin(origin: string, req: Request): boolean {
  try {
    const url = new URL(origin);
    return url.origin === origin && url.host === req.get("host");
  } catch {
    return false;
  }
}

/**
 * Cross-site request protection in front of REST and tRPC alike (SPEC section 6):
 * - a state-changing request with a body that is not `application/json` gets 415, which closes the
 *   doors an HTML form can open (`text/plain`, urlencoded, and tRPC's `multipart/form-data`);
 * - a state-changing request a browser marks as cross-site or same-site (`Sec-Fetch-Site`), or
 *   whose `Origin` is neither this server's (its host is the request's Host) nor a trusted one,
 *   gets 403. A request with neither header does not come from a browser and passes.
 * Behind a proxy that rewrites Host, list the public origin in TRUSTED_ORIGINS.
 */
export function crossSiteProtection(trustedOrigins: readonly string[]) {
  const trusted = new Set(trustedOrigins);
  return (req: Request, res: Response, next: NextFunction) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.headers.origin;
    const fetchSite = req.headers["sec-fetch-site"];
    const trustedOrigin = origin !== undefined && trusted.has(origin);
    if (!trustedOrigin) {
      const crossSite = fetchSite === "cross-site" || fetchSite === "same-site";
      if (crossSite || (origin !== undefined && !isOwnOrigin(origin, req))) {
        return sendError(req, res, new AppError("FORBIDDEN", ErrorMessage.crossSiteRefused));
      }
    }
    if (hasBody(req) && !isJson(req)) {
      return sendError(req, res, new AppError("UNSUPPORTED_MEDIA_TYPE", ErrorMessage.unsupportedMediaType));
    }
    if (hasBody(req) && isEncoded(req)) {
      return sendError(req, res, new AppError("UNSUPPORTED_MEDIA_TYPE", ErrorMessage.contentEncoding));
    }
    next();
  };
}
