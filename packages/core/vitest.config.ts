import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Property tests loop over many thousands of cases: on a loaded 2-core machine the 5 s default
    // timed one out (contracts' time.test.ts at load average 30), which says nothing of the code.
    testTimeout: 60_000,
    reporters: ["default", "json"],
    outputFile: { json: "test-results/vitest.json" },
  },
});
