import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { adminCli } from "./server";

const here = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export const SCREENSHOT_DIR = here("../../test-results/screenshots/");
/** The README's main screenshot (light, desktop); `readmeScreenshot` names the others in docs/screenshots/. */
export const README_SCREENSHOT = here("../../../../docs/screenshots/invites.png");
export const readmeScreenshot = (name: string): string => here(`../../../../docs/screenshots/${name}.png`);

export async function screenshot(
  page: Page,
  name: string,
  path = `${SCREENSHOT_DIR}${name}.png`,
  options: { fullPage?: boolean } = {},
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // Let transitions (meter fills) settle so the picture shows the final state.
  await page.waitForTimeout(350);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
}

export function heading(page: Page, name: string | RegExp): Locator {
  return page.getByRole("heading", { level: 1, name });
}

/** Waits until the page's h1 reads `name`. */
export async function expectPage(page: Page, name: string | RegExp): Promise<void> {
  await heading(page, name).waitFor({ state: "visible" });
}

export async function signInWithDemo(page: Page, username: string): Promise<void> {
  await page.getByRole("button", { name: new RegExp(`^Sign in as ${username},`) }).click();
}

/** Signs in the way a person without demo mode does: with a login code an admin created. */
export async function signInWithCode(page: Page, databaseUrl: string, username: string): Promise<void> {
  const { code } = await adminCli<{ code: string }>(databaseUrl, ["login-code", "--user", username]);
  await page.getByLabel("Login code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** The card of one invite in the list. */
export function inviteRow(page: Page, code: string): Locator {
  return page.locator(`li.invite[data-code="${code}"]`);
}

/** The text as rendered (block elements apart), whitespace collapsed. */
export async function text(locator: Locator): Promise<string> {
  return (await locator.innerText()).replace(/\s+/g, " ").trim();
}

/** A tRPC call from inside the page, with its session cookie: what a second tab would do. */
export async function callTrpc<T>(page: Page, procedure: string, input?: unknown, method: "GET" | "POST" = "GET"): Promise<T> {
  const result = await page.evaluate(
    async ({ procedure, input, method }) => {
      const url =
        method === "GET"
          ? `/trpc/${procedure}${input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(input))}`}`
          : `/trpc/${procedure}`;
      const response = await fetch(url, {
        method,
        headers: method === "POST" ? { "content-type": "application/json" } : {},
        body: method === "POST" ? JSON.stringify(input ?? {}) : undefined,
      });
      return { status: response.status, body: (await response.json()) as unknown };
    },
    { procedure, input, method },
  );
  if (result.status !== 200) throw new Error(`${procedure} answered ${result.status}: ${JSON.stringify(result.body)}`);
  return (result.body as { result: { data: T } }).result.data;
}

export function expectNoConsoleProblems(...problems: string[][]): void {
  expect(problems.flat()).toEqual([]);
}

/**
 * A page's console problems without those a server that is down causes: Chromium logs a request
 * that got no answer as a console error (and a live event stream cut off by the stopping server as
 * an incomplete response).
 */
export const withoutOfflineErrors = (problems: string[]): string[] =>
  problems.filter(
    (p) =>
      !/Failed to load resource: net::ERR_(CONNECTION_REFUSED|CONNECTION_RESET|EMPTY_RESPONSE|TIMED_OUT|INCOMPLETE_CHUNKED_ENCODING)|ERR_NETWORK_CHANGED/.test(p),
  );

/** A wire timestamp `seconds` from now, in whole seconds. */
export const inSeconds = (seconds: number): string =>
  new Date(Math.ceil((Date.now() + seconds * 1000) / 1000) * 1000).toISOString().replace(".000Z", "Z");
