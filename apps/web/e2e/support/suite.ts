/// <reference types="node" />
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, afterEach, beforeAll } from "vitest";
import { chromiumPath, launchChromium, newPerson, type PersonOptions } from "./browser";
import { screenshot } from "./pages";
import { missingBuilds, startServer, type RunningServer } from "./server";

export const executablePath = chromiumPath();
export const inCI = Boolean(process.env.CI);
/** Skip (with a warning) without a Chromium, except in CI, where that is a failure. */
export const skipE2E = !executablePath && !inCI;

if (skipE2E) {
  console.warn(
    "[e2e] SKIPPED: no Chromium at $CHROMIUM_PATH or /usr/bin/chromium. Install Debian's (apt-get install chromium); in CI this fails.",
  );
}

const slug = (name: string) => name.toLowerCase().replace(/[^a-z0-9]+/g, "-").slice(0, 40);

export interface E2E {
  /** A new person in their own browser profile; closed at the end even when a test fails. */
  person(
    viewport?: { width: number; height: number },
    options?: PersonOptions,
  ): Promise<Awaited<ReturnType<typeof newPerson>>>;
  /** The server of this file (started once, with the demo data). */
  /** A person whose pages open on another server (one of `ownServer`). */
  personAt(
    server: RunningServer,
    viewport?: { width: number; height: number },
    options?: PersonOptions,
  ): Promise<Awaited<ReturnType<typeof newPerson>>>;
  live(): RunningServer;
  browser(): Browser;
  /** Another server, of this test's own (say, to stop it): stopped after the test. */
  ownServer(options?: Parameters<typeof startServer>[0]): Promise<RunningServer>;
}

/**
 * What every e2e file sets up: the real server on a fresh demo database and Debian's Chromium,
 * torn down even when a test fails; a failed test leaves pictures of its pages and the server's
 * last lines. Call inside `describe`.
 */
export function useE2E(): E2E {
  let server: RunningServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const ownServers: RunningServer[] = [];
  let setupError: Error | undefined;

  beforeAll(async () => {
    try {
      if (!executablePath) {
        throw new Error("CI is set but there is no Chromium at $CHROMIUM_PATH or /usr/bin/chromium: install Debian's chromium");
      }
      const missing = missingBuilds();
      if (missing.length > 0) throw new Error(`build the api and web first (pnpm turbo run build); missing: ${missing.join(", ")}`);
      server = await startServer();
      browser = await launchChromium(executablePath);
    } catch (error) {
      setupError = error instanceof Error ? error : new Error(String(error));
    }
  }, 120_000);

  afterEach(async ({ task }) => {
    if (task.result?.state === "fail") {
      const pages = contexts.flatMap((context) => context.pages());
      await Promise.allSettled(pages.map((page, i) => screenshot(page, `failed-${slug(task.name)}-${i + 1}`)));
      const logs = [...(server?.logs.slice(-20) ?? []), ...ownServers.flatMap((s) => s.logs.slice(-20))];
      console.error(`[e2e] "${task.name}" failed; screenshots in test-results/screenshots/failed-*.png; server log tail:\n${logs.join("\n")}`);
    }
    await Promise.allSettled(contexts.splice(0).map((context) => context.close()));
    await Promise.allSettled(ownServers.splice(0).map((s) => s.stop()));
  }, 60_000);

  afterAll(async () => {
    await Promise.allSettled(contexts.splice(0).map((context) => context.close()));
    await Promise.allSettled(ownServers.splice(0).map((s) => s.stop()));
    await browser?.close();
    await server?.stop();
  }, 60_000);

  const ready = () => {
    if (setupError) throw setupError;
    if (!browser || !server) throw new Error("the browser and server did not start");
    return { browser, server };
  };

  return {
    async person(viewport, options) {
      const { browser, server } = ready();
      const created = await newPerson(browser, server.url, viewport, options);
      contexts.push(created.context);
      return created;
    },
    async personAt(at, viewport, options) {
      const { browser } = ready();
      const created = await newPerson(browser, at.url, viewport, options);
      contexts.push(created.context);
      return created;
    },
    live: () => ready().server,
    browser: () => ready().browser,
    async ownServer(options) {
      ready();
      const started = await startServer(options);
      ownServers.push(started);
      return started;
    },
  };
}
