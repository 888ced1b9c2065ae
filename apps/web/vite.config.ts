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

export default defineConfig({
  plugins: [react(), precompress()],
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
