/// <reference types="node" />
// The web app on a phone with a long chat name (no sideways scrolling, 44 px touch targets, compact
// activity rows), and its first load on a slow link through the Chrome DevTools Protocol (the frame
// at once, compressed and long-cached assets), in Debian's Chromium against the real server.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DESKTOP, PHONE } from "./support/browser";
import { callTrpc, expectNoConsoleProblems, expectPage, screenshot, signInWithDemo } from "./support/pages";
import { adminCli } from "./support/server";
import { skipE2E, useE2E } from "./support/suite";

/** 64 characters, the most a chat name may have, and one word: nowhere for the browser to break it. */
const LONG_NAME = "Neighbourhood-Allotment-Gardeners-And-Seed-Swappers-Association!";
const TOUCH_TARGET = 44;

/** Every visible control too small to hit with a finger: what, and how tall it is. */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate((min) => {
    const controls = document.querySelectorAll<HTMLElement>(
      "button, a[href], select, input:not([type=radio]):not([type=checkbox]), .choice",
    );
    const small: string[] = [];
    for (const el of controls) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || el.closest(".sr-only") || el.classList.contains("skip-link")) continue;
      if (Math.round(box.height) < min) small.push(`${el.tagName.toLowerCase()} "${(el.textContent ?? "").trim().slice(0, 30)}" ${Math.round(box.height)}px`);
    }
    return small;
  }, TOUCH_TARGET);
}

describe.skipIf(skipE2E)("the web app on a phone and on a slow link", { timeout: 240_000 }, () => {
  const e2e = useE2E();

  it("fits a long chat name into a 390 px phone, with 44 px touch targets and compact activity rows", async () => {
    const { url, databaseUrl } = e2e.live();
    const chat = await adminCli<{ id: number }>(databaseUrl, ["chat", "create", "--name", LONG_NAME, "--visibility", "public", "--owner", "umar"]);

    const { page, problems } = await e2e.person(PHONE);
    await page.goto("/");
    await signInWithDemo(page, "umar");
    await expectPage(page, "My chats");
    const invite = await callTrpc<{ code: string }>(page, "invite.create", { chat_id: chat.id, max_uses: 50 }, "POST");
    await callTrpc(page, "invite.create", { chat_id: chat.id, max_uses: 5 }, "POST");

    // Eight people join, so the activity has rows to lay out.
    const people = Array.from({ length: 8 }, (_, i) => `gardener${i + 1}`);
    for (let i = 0; i < people.length; i += 4) {
      await Promise.all(
        people.slice(i, i + 4).map(async (username) => {
          await adminCli(databaseUrl, ["user", "create", "--username", username]);
          const { token } = await adminCli<{ token: string }>(databaseUrl, ["session", "create", "--user", username]);
          const response = await fetch(`${url}/trpc/invite.redeem`, {
            method: "POST",
            headers: { "content-type": "application/json", cookie: `psession=${token}` },
            body: JSON.stringify({ code: invite.code }),
          });
          expect(response.status).toBe(200);
        }),
      );
    }

    const fits = () => page.evaluate(() => document.documentElement.scrollWidth);
    await page.reload();
    await expectPage(page, "My chats");
    await page.getByRole("heading", { level: 3, name: LONG_NAME }).waitFor();
    expect(await fits()).toBeLessThanOrEqual(PHONE.width);
    expect(await smallTargets(page)).toEqual([]);

    await page.getByRole("link", { name: `Manage invites of ${LONG_NAME}` }).click();
    await expectPage(page, LONG_NAME);
    await page.locator("li.invite").nth(1).waitFor();
    expect(await fits()).toBeLessThanOrEqual(PHONE.width);
    // The whole title shows, inside the screen.
    const title = await page.getByRole("heading", { level: 1 }).boundingBox();
    expect(title && title.x >= 0 && title.x + title.width <= PHONE.width).toBe(true);
    expect(await page.getByRole("heading", { level: 1 }).evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(true);
    expect(await smallTargets(page)).toEqual([]);
    const breadcrumb = await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "My chats" }).boundingBox();
    expect(breadcrumb?.height ?? 0).toBeGreaterThanOrEqual(TOUCH_TARGET);
    await screenshot(page, "invites-phone-long-name");

    await page.getByRole("link", { name: "Activity", exact: true }).click();
    await page.locator(".activity-table tbody tr").nth(7).waitFor();
    expect(await fits()).toBeLessThanOrEqual(PHONE.width);
    // One compact card a row: who and what on a line, through and when on the next.
    const heights = await page.locator(".activity-table tbody tr").evaluateAll((rows) => rows.map((row) => row.getBoundingClientRect().height));
    expect(heights).toHaveLength(8);
    for (const height of heights) expect(height).toBeLessThanOrEqual(80);
    expect(await smallTargets(page)).toEqual([]);
    await screenshot(page, "activity-phone-long-name");

    expectNoConsoleProblems(problems);
  });

  it("shows the app's frame at once on a slow link, and sends compressed, long-cached assets", async () => {
    const { page, context, problems } = await e2e.person(DESKTOP);
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.enable");
    // A slow mobile link: 1.5 s latency, 50 KB/s each way.
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 1500,
      downloadThroughput: 50 * 1024,
      uploadThroughput: 50 * 1024,
    });
    const urls = new Map<string, string>();
    const transferred = new Map<string, number>();
    const cached = new Set<string>();
    cdp.on("Network.responseReceived", (event) => {
      urls.set(event.requestId, event.response.url);
      if (event.response.fromDiskCache) cached.add(event.response.url);
    });
    cdp.on("Network.requestServedFromCache", (event) => {
      const requestUrl = urls.get(event.requestId);
      if (requestUrl) cached.add(requestUrl);
    });
    cdp.on("Network.loadingFinished", (event) => {
      const requestUrl = urls.get(event.requestId);
      if (requestUrl) transferred.set(requestUrl, event.encodedDataLength);
    });
    let scriptArrived = false;
    page.on("requestfinished", (request) => {
      if (/\/assets\/.+\.js$/.test(request.url())) scriptArrived = true;
    });

    const documentResponse = await page.goto("/", { waitUntil: "commit" });
    // The frame (header and "Loading…") is drawn from the page alone, while the script is on its way.
    await page.locator("#root .app-loading").waitFor({ timeout: 60_000 });
    const frameBeforeScript = !scriptArrived;
    await screenshot(page, "slow-first-load", undefined, { fullPage: false });
    expect(frameBeforeScript).toBe(true);
    expect(await page.locator("#root .app-header .brand").innerText()).toContain("Portal");
    expect(await page.locator("#root .app-loading").innerText()).toBe("Loading…");
    // Styled already: the stylesheet came inside the page.
    expect(await page.locator("#root .app-header").evaluate((header) => getComputedStyle(header).borderBottomStyle)).toBe("solid");
    expect(documentResponse?.headers()["cache-control"]).toBe("no-cache");
    expect(documentResponse?.headers()["content-encoding"]).toBe("br");

    await expectPage(page, "Sign in");
    const scriptUrl = [...urls.values()].find((u) => /\/assets\/.+\.js$/.test(u));
    if (!scriptUrl) throw new Error("no script was loaded");
    const script = await page.request.get(scriptUrl, { headers: { "accept-encoding": "br, gzip" } });
    expect(script.headers()["content-encoding"]).toBe("br");
    expect(script.headers()["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(script.headers()["vary"]).toContain("Accept-Encoding");
    // What crossed the link is a fraction of the script (which is over 300 KB decoded).
    const decoded = (await script.body()).length;
    expect(transferred.get(scriptUrl) ?? Infinity).toBeLessThan(decoded / 3);

    // The next visit takes the hashed script from the browser's cache, without asking.
    await page.goto("about:blank");
    await page.goto("/");
    await expectPage(page, "Sign in");
    expect(cached.has(scriptUrl)).toBe(true);

    await cdp.detach();
    expectNoConsoleProblems(problems);
  });
});
