import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import type { Request, RequestHandler, Response } from "express";

/** Files Vite names by their content's hash: they never change, so a browser may keep them a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** Anything else in the build (the favicon): kept an hour. */
const SHORT = "public, max-age=3600";
/** `index-3f2a9c1b.js`, `index-DiwrgTda.css`: a hash of 8 or more characters before the extension. */
const HASHED = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

/** Encodings the build step (apps/web's vite config) writes beside a file, best first. */
const ENCODINGS = [
  { name: "br", suffix: ".br" },
  { name: "gzip", suffix: ".gz" },
] as const;

interface WebFile {
  path: string;
  /** The encodings that have a pre-compressed copy beside the file. */
  encoded: Set<string>;
}

/** Every file of the build by its URL path, with the pre-compressed copies found beside it. */
function indexBuild(root: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && !ENCODINGS.some((e) => entry.name.endsWith(e.suffix))) {
        const encoded = new Set(ENCODINGS.filter((e) => existsSync(full + e.suffix)).map((e) => e.name));
        files.set(`/${relative(root, full).split(sep).join("/")}`, { path: full, encoded });
      }
    }
  };
  if (statSync(root).isDirectory()) walk(root);
  return files;
}

function send(req: Request, res: Response, file: WebFile, cacheControl: string): void {
  // Ours the order (brotli is smaller), the browser's the say (an encoding it gives q=0 is never sent).
  const chosen = ENCODINGS.find((e) => file.encoded.has(e.name) && req.acceptsEncodings(e.name) === e.name);
  res.setHeader("Cache-Control", cacheControl);
  if (file.encoded.size > 0) res.setHeader("Vary", "Accept-Encoding");
  // The type of the file itself, not of its `.br` copy.
  res.type(extname(file.path));
  if (chosen) res.setHeader("Content-Encoding", chosen.name);
  res.sendFile(chosen ? file.path + chosen.suffix : file.path, { cacheControl: false, lastModified: false, dotfiles: "deny" });
}

/**
 * The built web app: its files, brotli or gzip where the browser takes it and the build wrote a
 * copy, hashed assets cached for a year, and index.html (never cached without asking) for every
 * other GET outside the API, since the app routes on the client.
 */
export function webApp(root: string): RequestHandler {
  const files = indexBuild(root);
  const index = files.get("/index.html");
  return (req, res, next) => {
    if (req.method !== "GET" && req.method !== "HEAD") return next();
    const file = files.get(req.path);
    if (file && file !== index) return send(req, res, file, HASHED.test(req.path) ? IMMUTABLE : SHORT);
    if (!index || /^\/(v1|trpc|health)(\/|$)/.test(req.path)) return next();
    // A missing asset is a 404, not the app's page with a 200.
    if (req.path.startsWith("/assets/")) return next();
    send(req, res, index, "no-cache");
  };
}
