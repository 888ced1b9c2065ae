import type { Request, Response } from "express";

export const SESSION_COOKIE = "psession";

/** One cookie's value from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/** `Secure` unless the server is reached over plain HTTP on localhost (SPEC section 6). */
function isSecureContext(req: Request): boolean {
  return req.secure || !LOOPBACK_HOSTS.has(req.hostname);
}

/** Sets `psession`: HttpOnly, SameSite=Lax, Path=/, host-only, Secure except on plain-HTTP localhost. */
export function setSessionCookie(req: Request, res: Response, session: { token: string; lifetimeMs: number }): void {
  res.cookie(SESSION_COOKIE, session.token, {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: isSecureContext(req),
    maxAge: session.lifetimeMs,
    encode: (value) => value,
  });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: "lax", path: "/", secure: isSecureContext(req) });
}

export function sessionTokenOf(req: Request): string | undefined {
  return readCookie(req.headers.cookie, SESSION_COOKIE);
}
