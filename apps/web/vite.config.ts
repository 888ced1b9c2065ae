import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { brotliCompress, constants, gzip } from "node:zlib";
import { promisify } from "node:util";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

const api = process.env.PORTAL_API_URL ?? "http://127.0.0.1:3000";

/** What is worth compressing: text, and big enough for it to pay off. */
const COMPRESSIBLE = /\.(js|css|html|svg|json|txt|map)$/;
const MIN_BYTES = 512;

/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each text file of the build, once, at
 * their best settings; the api sends the one the browser takes (apps/api/src/http/web-static.ts).
 */
function precompress(): Plugin {
  let outDir = "dist";
  return {
    name: "portal-precompress",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true })).map((name) => join(outDir, name));
      await Promise.all(
        files
          .filter((file) => COMPRESSIBLE.test(file))
          .map(async (file) => {
            if (!(await stat(file)).isFile()) return;
            const data = await readFile(file);
            if (data.length < MIN_BYTES) return;
            const [br, gz] = await Promise.all([
              promisify(brotliCompress)(data, {
                params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: data.length },
              }),
              promisify(gzip)(data, { level: 9 }),
            ]);
            await Promise.all([writeFile(`${file}.br`, br), writeFile(`${file}.gz`, gz)]);
          }),
      );
    },
  };
}

/**
 * Puts the stylesheet into index.html, so the app's frame (the placeholder in #root) is drawn as
 * soon as the page arrives, without waiting a round trip for the CSS (a few KB compressed).
 */
function inlineCss(): Plugin {
  return {
    name: "portal-inline-css",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const html = Object.values(bundle).find((file) => file.type === "asset" && file.fileName === "index.html");
      if (!html || html.type !== "asset") return;
      let source = String(html.source);
      for (const file of Object.values(bundle)) {
        if (file.type !== "asset" || !file.fileName.endsWith(".css")) continue;
        const link = new RegExp(`<link rel="stylesheet"[^>]*href="/${file.fileName.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"[^>]*>`);
        if (!link.test(source)) continue;
        // `</style` cannot occur in CSS Vite wrote, but a stray one would end the element early.
        source = source.replace(link, () => `<style>${String(file.source).replace(/<\/style/gi, "<\\/style")}</style>`);
        delete bundle[file.fileName];
      }
      html.source = source;
    },
  };
}

export default defineConfig({
  plugins: [react(), inlineCss(), precompress()],
  server: {
    port: 5173,
    proxy: { "/trpc": api, "/v1": api, "/health": api },
  },
  test: {
    // Unit tests of the app's logic beside it; the end-to-end run (a real server and Chromium) in e2e/.
    include: ["src/**/*.test.ts", "src/**/*.test.tsx", "e2e/**/*.e2e.test.ts"],
    // The e2e file starts a server and a browser: one file at a time keeps it from competing.
    fileParallelism: false,
    // The e2e run shares a 2-core machine with the API suite under turbo: a page may take seconds to
    // settle, so a polled expectation waits up to 15 s (vitest's default of 1 s made CI flaky).
    expect: { poll: { timeout: 15_000, interval: 100 } },
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
