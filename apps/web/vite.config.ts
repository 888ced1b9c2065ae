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
    include: ["src/**/*.test.ts", "src/**/*.test.tsx"],
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
