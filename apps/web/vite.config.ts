import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = process.env.PORTAL_API_URL ?? "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
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
