/**
 * The built web app as the server sends it, over real HTTP: the pre-compressed copy the browser
 * takes (brotli, else gzip, else the file), hashed assets cached for a year, index.html never
 * without asking, and the app's page for the client's own routes but not for the API's.
 */
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../support/test-server.js";

const SCRIPT = `console.log(${JSON.stringify("portal ".repeat(200))});\n`;
const PAGE = '<!doctype html><html><body><div id="root"><header>Portal</header><p>Loading…</p></div></body></html>\n';

/** Raw bytes and headers: fetch would decode the body, which hides what was sent. */
async function get(url: string, acceptEncoding: string | null): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const headers: Record<string, string> = {};
  if (acceptEncoding !== null) headers["accept-encoding"] = acceptEncoding;
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const h = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === "string") h.set(name, value);
        resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the web app's static files", () => {
  let dir: string;
  let server: TestServer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "portal-web-"));
    await mkdir(join(dir, "assets"));
    const script = join(dir, "assets", "index-AbCd1234.js");
    await writeFile(script, SCRIPT);
    await writeFile(`${script}.br`, brotliCompressSync(SCRIPT));
    await writeFile(`${script}.gz`, gzipSync(SCRIPT));
    await writeFile(join(dir, "index.html"), PAGE);
    await writeFile(join(dir, "index.html.gz"), gzipSync(PAGE));
    await writeFile(join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    server = await startTestServer("sqlite", { WEB_DIST: dir });
  });

  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("sends a hashed asset as brotli when the browser takes it, cached for a year", async () => {
    const res = await get(`${server.url}/assets/index-AbCd1234.js`, "gzip, deflate, br");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-encoding")).toBe("br");
    expect(res.headers.get("vary")).toContain("Accept-Encoding");
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript|^application\/javascript/);
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(brotliDecompressSync(res.body).toString()).toBe(SCRIPT);
    expect(res.body.length).toBeLessThan(SCRIPT.length / 4);
  });

  it("sends gzip to a browser without brotli, and the file itself to one that takes neither", async () => {
    const gz = await get(`${server.url}/assets/index-AbCd1234.js`, "gzip");
    expect(gz.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(gz.body).toString()).toBe(SCRIPT);

    const plain = await get(`${server.url}/assets/index-AbCd1234.js`, null);
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(plain.body.toString()).toBe(SCRIPT);

    const refused = await get(`${server.url}/assets/index-AbCd1234.js`, "br;q=0, gzip;q=0");
    expect(refused.headers.get("content-encoding")).toBeNull();
    expect(refused.body.toString()).toBe(SCRIPT);
  });

  it("sends index.html for the app's own routes, compressed, never cached without asking", async () => {
    for (const path of ["/", "/chats/1/invites", "/join/abc"]) {
      const res = await get(`${server.url}${path}`, "gzip, br");
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("content-encoding")).toBe("gzip");
      expect(gunzipSync(res.body).toString()).toBe(PAGE);
    }
  });

  it("keeps an unhashed file's caching short, and answers 404 for a missing asset and the API's paths", async () => {
    const icon = await get(`${server.url}/favicon.svg`, "br");
    expect(icon.status).toBe(200);
    expect(icon.headers.get("cache-control")).toBe("public, max-age=3600");
    expect(icon.headers.get("content-encoding")).toBeNull();

    expect((await get(`${server.url}/assets/index-Gone5678.js`, "br")).status).toBe(404);
    const api = await get(`${server.url}/v1/no-such-route`, null);
    expect(api.status).toBe(404);
    expect(JSON.parse(api.body.toString())).toMatchObject({ error: "Not found" });
    expect((await get(`${server.url}/health`, null)).headers.get("content-type")).toMatch(/^application\/json/);
  });
});
