// One lint setup for the whole repository. Besides the recommended rules it keeps the boundaries of
// STYLE.md: the dependency arrows point inward (contracts and core are leaves, services know no
// transport, the web app takes only types from the api), core and contracts read no clock, no
// randomness and no environment, only config.ts reads process.env, and only the entry points open
// the database and listen.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Tests and their support code: they set up the world, so the boundaries below do not bind them. */
const TESTS = ["**/*.test.ts", "**/*.test.tsx", "apps/api/test/**", "apps/web/e2e/**"];

const ONLY_CONFIG_READS_ENV = "Only apps/api/src/config.ts reads the environment: add a setting to Config there and pass it in.";

/** `import { env } from "node:process"` is process.env by another name. */
const envImports = ["node:process", "process"].map((name) => ({ name, importNames: ["env"], message: ONLY_CONFIG_READS_ENV }));

/** Only the entry points open the database: server.ts (for main.ts) and the admin CLI. */
const openDatabaseOutsideEntryPoints = {
  group: ["**/db/database.js", "./database.js"],
  importNames: ["openDatabase"],
  message: "Only the entry points open the database (server.ts for main.ts, the admin CLI): take a Database or ServiceDeps instead.",
};

const restrict = (files, patterns, message, { extraPatterns = [], ignores = [] } = {}) => ({
  files,
  ignores: [...TESTS, ...ignores],
  rules: {
    "@typescript-eslint/no-restricted-imports": [
      "error",
      { paths: envImports, patterns: [...patterns.map((group) => ({ group: [group], message })), ...extraPatterns] },
    ],
  },
});

/** A leaf (core, contracts) is the same at every moment and on every machine: time and randomness are passed in. */
const PASS_IT_IN = "core and contracts read no clock and no randomness: take `now` or a generator as a parameter (STYLE.md).";
const leafPurity = {
  files: ["packages/core/src/**", "packages/contracts/src/**"],
  ignores: TESTS,
  rules: {
    "no-restricted-properties": [
      "error",
      { object: "process", property: "env", message: ONLY_CONFIG_READS_ENV },
      { object: "Date", property: "now", message: PASS_IT_IN },
      { object: "Math", property: "random", message: PASS_IT_IN },
      { object: "globalThis", property: "crypto", message: PASS_IT_IN },
      { object: "globalThis", property: "performance", message: PASS_IT_IN },
      { object: "globalThis", property: "process", message: ONLY_CONFIG_READS_ENV },
    ],
    "no-restricted-globals": [
      "error",
      { name: "process", message: "core and contracts know no process: no environment, no exit, no I/O." },
      { name: "crypto", message: PASS_IT_IN },
      { name: "performance", message: PASS_IT_IN },
      { name: "setTimeout", message: PASS_IT_IN },
      { name: "setInterval", message: PASS_IT_IN },
      { name: "fetch", message: "core and contracts do no I/O." },
    ],
    "no-restricted-syntax": [
      "error",
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: `new Date() reads the clock: ${PASS_IT_IN}` },
      { selector: "CallExpression[callee.name='Date']", message: `Date() reads the clock: ${PASS_IT_IN}` },
    ],
  },
};

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
    // Only one module reads process.env; the bench (tooling/bench, with its own config
    // module) and tests are exempt below.
    files: ["**/*.ts", "**/*.tsx"],
    rules: {
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: ONLY_CONFIG_READS_ENV },
        { object: "globalThis", property: "process", message: ONLY_CONFIG_READS_ENV },
      ],
    },
  },
  {
    // Migrations are frozen in time: they see the database as it was, not as today's types say.
    files: ["apps/api/src/db/migrations/**"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  leafPurity,
  {
    files: ["apps/api/src/config.ts", "tooling/bench/src/config.ts", ...TESTS],
    rules: { "no-restricted-properties": "off" },
  },
  {
    // Only the entry point listens (server.ts, for main.ts); the bench's servers are its own.
    files: ["apps/api/src/**"],
    ignores: ["apps/api/src/server.ts", ...TESTS],
    rules: {
      "no-restricted-syntax": [
        "error",
        { selector: "CallExpression[callee.property.name='listen']", message: "Only the entry point listens: server.ts's startServer, which main.ts calls." },
      ],
    },
  },
  // The api outside the folders listed below; its entry points open the database (bench-support.ts hands
  // openDatabase to tooling/bench, an entry point of its own).
  restrict(["apps/api/src/**"], [], "", {
    extraPatterns: [openDatabaseOutsideEntryPoints],
    ignores: ["apps/api/src/server.ts", "apps/api/src/cli/portal-admin.ts", "apps/api/src/bench-support.ts"],
  }),
  restrict(
    ["packages/core/src/**"],
    ["@portal/*", "zod", "node:*", "express", "kysely", "@trpc/*", "react", "**/apps/**", "**/contracts/**"],
    "core is pure: no I/O, no other package, no dependencies.",
  ),
  restrict(
    ["packages/contracts/src/**"],
    ["@portal/*", "node:*", "express", "kysely", "@trpc/*", "react", "**/apps/**", "**/core/**"],
    "contracts depends on zod only.",
  ),
  restrict(
    ["apps/api/src/services/**"],
    ["express", "@trpc/*", "**/rest/**", "**/trpc/**", "**/http/**", "**/app.js", "**/server.js"],
    "services know no transport: REST and tRPC call them, never the other way round.",
    { extraPatterns: [openDatabaseOutsideEntryPoints] },
  ),
  restrict(
    ["apps/api/src/db/**"],
    ["@portal/*", "express", "@trpc/*", "**/services/**", "**/rest/**", "**/trpc/**", "**/http/**"],
    "the db layer is below the services.",
    { extraPatterns: [openDatabaseOutsideEntryPoints] },
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
    files: ["tooling/bench/src/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [{ name: "@portal/api", message: "the bench takes the api only through @portal/api/bench-support." }],
          patterns: [
            {
              group: ["**/apps/api/**", "**/api/src/**", "**/api/dist/**", "@portal/api/*", "!@portal/api/bench-support"],
              message: "the bench takes the api only through @portal/api/bench-support.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["apps/web/src/**"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: envImports,
          patterns: [
            { group: ["@portal/api", "@portal/api/*"], allowTypeImports: true, message: "web takes only types from the api." },
            { group: ["**/apps/api/**", "../../api/**"], message: "web takes only types from the api, through @portal/api." },
          ],
        },
      ],
    },
  },
);
