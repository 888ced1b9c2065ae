// One lint setup for the whole repository. Besides the recommended rules it keeps the dependency
// arrows of STYLE.md pointing inward: contracts and core are leaves, services know no transport,
// the web app takes only types from the api.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const restrict = (files, patterns, message) => ({
  files,
  ignores: ["**/*.test.ts", "apps/api/test/**"],
  rules: {
    "@typescript-eslint/no-restricted-imports": [
      "error",
      { patterns: patterns.map((group) => ({ group: [group], message })) },
    ],
  },
});

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/test-results/**", ".tools/**", "**/*.config.*"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrorsIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    // Migrations are frozen in time: they see the database as it was, not as today's types say.
    files: ["apps/api/src/db/migrations/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  restrict(
    ["packages/core/src/**"],
    ["@portal/*", "zod", "node:*", "express", "kysely", "@trpc/*", "react"],
    "core is pure: no I/O, no other package, no dependencies.",
  ),
  restrict(
    ["packages/contracts/src/**"],
    ["@portal/*", "node:*", "express", "kysely", "@trpc/*", "react"],
    "contracts depends on zod only.",
  ),
  restrict(
    ["apps/api/src/services/**"],
    ["express", "@trpc/*", "**/rest/**", "**/trpc/**", "**/http/**", "**/app.js", "**/server.js"],
    "services know no transport: REST and tRPC call them, never the other way round.",
  ),
  restrict(
    ["apps/api/src/db/**"],
    ["@portal/*", "express", "@trpc/*", "**/services/**", "**/rest/**", "**/trpc/**", "**/http/**"],
    "the db layer is below the services.",
  ),
  restrict(
    ["apps/api/src/rest/**"],
    ["**/trpc/**", "**/db/**", "kysely"],
    "REST is a thin adapter over services/.",
  ),
  restrict(
    ["apps/api/src/trpc/**"],
    ["**/rest/**", "**/db/**", "kysely"],
    "tRPC is a thin adapter over services/.",
  ),
  {
    files: ["apps/web/src/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["@portal/api", "@portal/api/*"], allowTypeImports: true, message: "web takes only types from the api." },
            { group: ["**/apps/api/**", "../../api/**"], message: "web takes only types from the api, through @portal/api." },
          ],
        },
      ],
    },
  },
);
