/// <reference types="node" />
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (never a downloaded browser): CHROMIUM_PATH, else /usr/bin/chromium. */
export function chromiumPath(): string | null {
  const candidate = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
  return existsSync(candidate) ? candidate : null;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** A fresh browser profile (its own cookies): one person. Clipboard allowed, so "Copy link" can be read back. */
export interface PersonOptions {
  colorScheme?: "light" | "dark";
  /** Lets a test inject a script (axe-core) past the app's Content-Security-Policy. */
  bypassCSP?: boolean;
  timezoneId?: string;
  locale?: string;
}

export async function newPerson(
  browser: Browser,
  baseURL: string,
  viewport: { width: number; height: number } = DESKTOP,
  options: PersonOptions = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    baseURL,
    viewport,
    permissions: ["clipboard-read", "clipboard-write"],
    timezoneId: options.timezoneId ?? "Europe/Berlin",
    locale: options.locale ?? "en-GB",
    colorScheme: options.colorScheme ?? "light",
    bypassCSP: options.bypassCSP ?? false,
    deviceScaleFactor: viewport.width < 600 ? 2 : 1,
    isMobile: viewport.width < 600,
    hasTouch: viewport.width < 600,
  });
  const page = await context.newPage();
  const problems = watchConsole(page);
  return { context, page, problems };
}

/**
 * Collects console errors and uncaught exceptions. Answers the app expects and handles (a 404 for a
 * dead invite, the 409 at the quota, a 401 once a session has ended) are logged by Chromium as
 * "Failed to load resource" network messages: they are the server speaking, not the page failing,
 * so they are left out.
 */
export function watchConsole(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const text = message.text();
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(text)) return;
    problems.push(`console.error: ${text}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  return problems;
}
