/// <reference types="node" />
// Live updates (SPEC section 11, issue 17) in Debian's Chromium against the real server: the
// invites and activity pages follow what happens elsewhere (another person's join, another tab's
// create, edit and revoke, an expiry) without a reload, say so when the stream drops and catch up
// when it is back, and say so when the server refuses another stream.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeProblems, type AxeProblem } from "./support/axe";
import { DESKTOP, PHONE } from "./support/browser";
import {
  callTrpc,
  expectNoConsoleProblems,
  expectPage,
  inSeconds,
  inviteRow,
  readmeScreenshot,
  screenshot,
  signInWithCode,
  signInWithDemo,
  text,
  withoutOfflineErrors,
} from "./support/pages";
import { adminCli, chatOfUmar, type RunningServer } from "./support/server";
import { skipE2E, useE2E } from "./support/suite";

interface CreatedInvite {
  code: string;
}



const PAUSED = "Live updates paused — reconnecting…";
const TOO_MANY = "Live updates are off: too many open tabs.";

/** Marks the page, so a later check can tell it was not reloaded (a reload forgets the mark). */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { portalMark?: number }).portalMark = 1));
}
async function expectSamePage(page: Page): Promise<void> {
  expect(await page.evaluate(() => (window as unknown as { portalMark?: number }).portalMark)).toBe(1);
}

const usesOf = (page: Page, code: string) => text(inviteRow(page, code).locator(".fact-value").first());

describe.skipIf(skipE2E)("live updates, end to end in Chromium", { timeout: 240_000 }, () => {
  const e2e = useE2E();

  /** A chat of umar's own for one test, on the live server or `at`. */
  const chatOf = (name: string, at?: RunningServer) => chatOfUmar((at ?? e2e.live()).databaseUrl, name);

  async function signedInUmar(at?: RunningServer, viewport = DESKTOP, colorScheme: "light" | "dark" = "light") {
    const owner = at ? await e2e.personAt(at, viewport) : await e2e.person(viewport, { colorScheme, bypassCSP: true });
    await owner.page.goto("/");
    await signInWithDemo(owner.page, "umar");
    await expectPage(owner.page, "My chats");
    return owner;
  }

  async function openInvites(page: Page, chatId: number, name: string): Promise<void> {
    await page.goto(`/chats/${chatId}/invites`);
    await expectPage(page, name);
    // Open lists; the stream opens beside them.
    await page.getByRole("meter", { name: "Active invites" }).waitFor();
  }

  /** A session token for a new account, for calls made outside any browser (a third party). */
  async function newAccount(username: string, at?: RunningServer): Promise<string> {
    const { databaseUrl } = at ?? e2e.live();
    await adminCli(databaseUrl, ["user", "create", "--username", username]);
    return (await adminCli<{ token: string }>(databaseUrl, ["session", "create", "--user", username])).token;
  }

  async function redeemAs(token: string, code: string, at?: RunningServer): Promise<void> {
    const { url } = at ?? e2e.live();
    const response = await fetch(`${url}/trpc/invite.redeem`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `psession=${token}` },
      body: JSON.stringify({ code }),
    });
    expect(response.status).toBe(200);
  }

  it("another person joins with the manager's invite: the use count and the activity change without a reload", async () => {
    const { databaseUrl } = e2e.live();
    const name = "Live Join Club";
    const chatId = await chatOf(name);
    const owner = await signedInUmar();
    const { code } = await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId, max_uses: 5 }, "POST");
    await openInvites(owner.page, chatId, name);
    await expect.poll(() => usesOf(owner.page, code)).toBe("0 / 5");
    await markPage(owner.page);
    // The same manager has the chat's activity open in a second tab.
    const activity = await owner.context.newPage();
    await activity.goto(`/chats/${chatId}/activity`);
    await expectPage(activity, name);
    await activity.getByText("Nobody has joined or left this chat yet.").waitFor();
    await markPage(activity);

    // B, in a browser of their own, opens the link and joins.
    await adminCli(databaseUrl, ["user", "create", "--username", "live-bo"]);
    const guest = await e2e.person();
    await guest.page.goto(`/join/${code}`);
    await signInWithCode(guest.page, databaseUrl, "live-bo");
    await guest.page.getByRole("button", { name: `Join ${name}` }).click();
    await expectPage(guest.page, `You joined ${name}`);

    // A's invites page: 1 of 5, and the meter agrees; the header counts the new member.
    await expect.poll(() => usesOf(owner.page, code)).toBe("1 / 5");
    expect(await inviteRow(owner.page, code).getByRole("meter").getAttribute("aria-valuetext")).toBe("1 of 5 uses");
    await expect.poll(() => text(owner.page.locator(".chat-meta"))).toContain("1 member");
    await expectSamePage(owner.page);
    // A's activity tab: the join at the top, through the invite.
    const first = activity.locator(".activity-table tbody tr").first();
    await first.waitFor();
    // (The avatar's letter first.)
    expect(await text(first)).toMatch(new RegExp(`^L live-bo Joined Invite ${code} now `));
    expect(await text(activity.locator(".section-head .hint"))).toBe("Showing 1 of 1");
    await expectSamePage(activity);

    // A second join (a third person, through the API): both pages follow again.
    await redeemAs(await newAccount("live-cy"), code);
    await expect.poll(() => usesOf(owner.page, code)).toBe("2 / 5");
    await expect.poll(() => text(activity.locator(".activity-table tbody tr").first())).toMatch(/^L live-cy Joined/);
    expect(await activity.locator(".activity-table tbody tr").count()).toBe(2);
    await expectSamePage(owner.page);
    await expectSamePage(activity);

    expectNoConsoleProblems(owner.problems, guest.problems);
  });

  it("what one tab creates, edits and revokes shows in another tab of the same manager", async () => {
    const name = "Live Tabs Club";
    const chatId = await chatOf(name);
    const owner = await signedInUmar();
    const other = await owner.context.newPage();
    for (const page of [owner.page, other]) await openInvites(page, chatId, name);
    await markPage(other);
    const quota = other.getByRole("meter", { name: "Active invites" });
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("0 of 20 active invites");

    // Created in the first tab: the second lists it, counted in its quota.
    await owner.page.getByRole("radio", { name: "Limited", exact: true }).check();
    await owner.page.getByLabel("Number of uses").fill("3");
    await owner.page.getByRole("button", { name: "Create invite" }).click();
    const created = owner.page.locator("li.invite.invite-new");
    await created.waitFor();
    const code = (await created.getAttribute("data-code")) ?? "";
    await inviteRow(other, code).waitFor({ timeout: 10_000 });
    expect(await usesOf(other, code)).toBe("0 / 3");
    expect(await text(inviteRow(other, code).locator(".invite-creator"))).toMatch(/^Created by umar \(you\) · /);
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("1 of 20 active invites");

    // Edited in the first: the second shows the new limit.
    await inviteRow(owner.page, code).getByRole("button", { name: `Edit invite ${code}` }).click();
    const dialog = owner.page.getByRole("dialog", { name: `Edit invite ${code}` });
    await dialog.getByLabel("Number of uses").fill("8");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => usesOf(other, code)).toBe("0 / 8");

    // Revoked in the first: gone from the second, and from its quota.
    await inviteRow(owner.page, code).getByRole("button", { name: `Revoke invite ${code}` }).click();
    await owner.page.getByRole("dialog", { name: "Revoke this invite?" }).getByRole("button", { name: "Revoke invite" }).click();
    await inviteRow(other, code).waitFor({ state: "detached", timeout: 10_000 });
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("0 of 20 active invites");
    await expectSamePage(other);

    // Join approval turned on in the first: the second's switch follows, and a request shows up.
    await owner.page.getByRole("checkbox", { name: "Approve each person who joins" }).check();
    await expect.poll(() => other.getByRole("checkbox", { name: "Approve each person who joins" }).isChecked()).toBe(true);
    const { code: askCode } = await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId }, "POST");
    await inviteRow(other, askCode).waitFor();
    const asker = await newAccount("live-asker");
    const { url } = e2e.live();
    const asked = await fetch(`${url}/trpc/invite.redeem`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `psession=${asker}` },
      body: JSON.stringify({ code: askCode }),
    });
    expect(((await asked.json()) as { result: { data: { pending?: boolean } } }).result.data.pending).toBe(true);
    const request = other.locator('li.request[data-user="live-asker"]');
    await request.waitFor({ timeout: 10_000 });
    await expect.poll(() => text(other.getByTestId("requests-badge"))).toBe("1");
    // Approved in the first tab: the request leaves the second, and the invite counts the use.
    await owner.page.locator('li.request[data-user="live-asker"]').getByRole("button", { name: "Approve live-asker" }).click();
    await request.waitFor({ state: "detached", timeout: 10_000 });
    await expect.poll(() => usesOf(other, askCode)).toBe("1 use");
    await expectSamePage(other);

    expectNoConsoleProblems(owner.problems);
  });

  it("an invite that expires leaves the list on its invite.expired event, even with the page's clock standing still", async () => {
    const name = "Live Expiry Club";
    const chatId = await chatOf(name);
    const owner = await signedInUmar();
    const expiresAt = inSeconds(6);
    const { code } = await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId, expires_at: expiresAt }, "POST");
    const { code: stays } = await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId }, "POST");
    // The page's clock stops now: by it the invite never runs out, so only the server's event can
    // take it away.
    await owner.page.clock.setFixedTime(Date.now());
    await openInvites(owner.page, chatId, name);
    await inviteRow(owner.page, code).waitFor();
    expect(await text(inviteRow(owner.page, code))).toMatch(/\ds left/);
    await inviteRow(owner.page, code).waitFor({ state: "detached", timeout: 30_000 });
    // By the page's clock it has not expired yet: the event took it away.
    expect(await owner.page.evaluate(() => Date.now())).toBeLessThan(Date.parse(expiresAt));
    await inviteRow(owner.page, stays).waitFor();
    expect(await owner.page.getByRole("meter", { name: "Active invites" }).getAttribute("aria-valuetext")).toBe("1 of 20 active invites");
    expect(await text(owner.page.locator("#list-title"))).toBe("Active invites (1)");

    expectNoConsoleProblems(owner.problems);
  });

  it("says live updates are paused while the server is down, and catches up on what it missed once it is back", async () => {
    const server = await e2e.ownServer();
    const name = "Live Restart Club";
    const chatId = await chatOf(name, server);
    const owner = await signedInUmar(server);
    const { code } = await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId, max_uses: 10 }, "POST");
    const joiner = await newAccount("live-dee", server);
    const late = await newAccount("live-eve", server);
    await openInvites(owner.page, chatId, name);
    await markPage(owner.page);
    const notice = owner.page.getByTestId("live-notice");
    // Live: it says nothing.
    await redeemAs(joiner, code, server);
    await expect.poll(() => usesOf(owner.page, code)).toBe("1 / 10");
    expect(await text(notice)).toBe("");

    // The server stops: the page says so, once, politely (a status, not an alert).
    await server.stop({ keepData: true });
    await expect.poll(() => text(notice), { timeout: 20_000 }).toContain(PAUSED);
    expect(await text(notice)).toContain("What you see may be out of date.");
    expect(await notice.getByRole("status").count()).toBe(1);
    expect(await notice.getByRole("alert").count()).toBe(0);
    await expectPage(owner.page, name);
    await screenshot(owner.page, "live-paused");
    if (process.env.UPDATE_README_SCREENSHOT === "1") await screenshot(owner.page, "live-paused", readmeScreenshot("live-paused"), { fullPage: false });

    // Meanwhile someone joins through another instance on the same database, and an invite is made.
    const elsewhere = await e2e.ownServer({ dir: server.dir });
    await redeemAs(late, code, elsewhere);
    const { token } = await adminCli<{ token: string }>(server.databaseUrl, ["session", "create", "--user", "umar"]);
    const made = await fetch(`${elsewhere.url}/trpc/invite.create`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: `psession=${token}` },
      body: JSON.stringify({ chat_id: chatId }),
    });
    expect(made.status).toBe(200);
    const missed = ((await made.json()) as { result: { data: CreatedInvite } }).result.data.code;
    await elsewhere.stop({ keepData: true });

    // The server comes back where it was: the notice goes, and the page shows what it missed.
    await e2e.ownServer({ dir: server.dir, port: server.port });
    await expect.poll(() => text(notice), { timeout: 40_000 }).toBe("");
    await expect.poll(() => usesOf(owner.page, code)).toBe("2 / 10");
    await inviteRow(owner.page, missed).waitFor();
    await expectSamePage(owner.page);

    expectNoConsoleProblems(withoutOfflineErrors(owner.problems));
  });

  it("a stream the session or the access ended is not reopened: the page shows the sign-in or the no-access page by itself", async () => {
    const { databaseUrl } = e2e.live();
    // Signed out in another tab: this tab, left alone, goes to the sign-in page and says why.
    const name = "Live Session Club";
    const chatId = await chatOf(name);
    const owner = await signedInUmar();
    await openInvites(owner.page, chatId, name);
    const streams: string[] = [];
    owner.page.on("request", (request) => {
      if (request.url().includes("/trpc/chat.events")) streams.push(request.url());
    });
    const other = await owner.context.newPage();
    await other.goto("/");
    await expectPage(other, "My chats");
    await other.getByRole("button", { name: "Sign out" }).click();
    await expectPage(other, "Sign in");
    await expectPage(owner.page, "Sign in");
    await owner.page.getByRole("alert").filter({ hasText: "Your session ended" }).waitFor();
    expect(new URL(owner.page.url()).pathname).toBe(`/chats/${chatId}/invites`);

    // A moderator manages a plain user's public chat; the owner is made a moderator too, so the
    // chat is hers to manage no more (her session goes on): the page says so, without a reload.
    await adminCli(databaseUrl, ["user", "create", "--username", "live-owner"]);
    const managedName = "Live Access Club";
    const managed = await adminCli<{ id: number }>(databaseUrl, [
      "chat",
      "create",
      "--name",
      managedName,
      "--visibility",
      "public",
      "--owner",
      "live-owner",
    ]);
    const moderator = await e2e.person();
    await moderator.page.goto("/");
    await signInWithDemo(moderator.page, "maya");
    await expectPage(moderator.page, "My chats");
    await openInvites(moderator.page, managed.id, managedName);
    const moderatorStreams: string[] = [];
    moderator.page.on("request", (request) => {
      if (request.url().includes("/trpc/chat.events")) moderatorStreams.push(request.url());
    });
    await adminCli(databaseUrl, ["user", "set-level", "--user", "live-owner", "--level", "mod"]);
    await moderator.page.getByText("You can see this chat, but your level does not let you manage it.").waitFor({ timeout: 30_000 });
    expect(await moderator.page.getByText(PAUSED).count()).toBe(0);
    // Neither page tries its stream again.
    const before = streams.length;
    await moderator.page.waitForTimeout(4_000);
    expect(streams.length).toBe(before);
    expect(moderatorStreams).toEqual([]);

    expectNoConsoleProblems(owner.problems, moderator.problems);
  });

  it("says live updates are off when the person has too many open, and comes back on Try again; on a phone too", async () => {
    const { url } = e2e.live();
    const name = "Live Limit Club";
    const chatId = await chatOf(name);
    const token = (await adminCli<{ token: string }>(e2e.live().databaseUrl, ["session", "create", "--user", "umar"])).token;
    // Ten streams already open elsewhere (other tabs, other devices): the most one person may have.
    const held = Array.from({ length: 10 }, () => new AbortController());
    const open: Promise<void>[] = [];
    try {
      for (const controller of held) {
        const response = await fetch(`${url}/v1/portal/chats/${chatId}/events`, {
          headers: { cookie: `psession=${token}`, accept: "text/event-stream" },
          signal: controller.signal,
        });
        expect(response.status).toBe(200);
        // Read it, so it stays open (and the body does not pile up).
        open.push(response.body!.pipeTo(new WritableStream()).catch(() => undefined));
      }

      // On a desktop and a phone, light and dark: the notice fits, its button is big enough to
      // hit, and axe-core finds nothing serious.
      const problems: AxeProblem[] = [];
      for (const [viewport, scheme] of [
        [DESKTOP, "light"],
        [DESKTOP, "dark"],
        [PHONE, "light"],
        [PHONE, "dark"],
      ] as const) {
        const owner = await signedInUmar(undefined, viewport, scheme);
        await openInvites(owner.page, chatId, name);
        const notice = owner.page.getByTestId("live-notice");
        await expect.poll(() => text(notice), { timeout: 20_000 }).toContain(TOO_MANY);
        expect(await text(notice)).toContain("Until then this page refreshes when you come back to it.");
        expect(await notice.getByRole("alert").count()).toBe(0);
        expect(await owner.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
        const tryAgain = notice.getByRole("button", { name: "Try again" });
        if (viewport === PHONE) expect((await tryAgain.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(44);
        const picture = `live-too-many-${viewport === PHONE ? "phone" : "desktop"}-${scheme}`;
        problems.push(...(await axeProblems(owner.page, picture)));
        await screenshot(owner.page, picture);
        if (process.env.UPDATE_README_SCREENSHOT === "1" && scheme === "light" && viewport === PHONE) {
          await screenshot(owner.page, picture, readmeScreenshot(picture), { fullPage: false });
        }
        await owner.context.close();
      }
      expect(problems, JSON.stringify(problems, null, 2)).toEqual([]);

      // One of the others closes: Try again brings the live updates back.
      const owner = await signedInUmar();
      await openInvites(owner.page, chatId, name);
      const notice = owner.page.getByTestId("live-notice");
      await expect.poll(() => text(notice), { timeout: 20_000 }).toContain(TOO_MANY);
      held.pop()?.abort();
      await expect
        .poll(
          async () => {
            if ((await text(notice)).includes(TOO_MANY)) await notice.getByRole("button", { name: "Try again" }).click();
            return text(notice);
          },
          { timeout: 30_000, interval: 1_000 },
        )
        .toBe("");
      const { code } = await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId }, "POST");
      await inviteRow(owner.page, code).waitFor();
      expectNoConsoleProblems(owner.problems);
    } finally {
      for (const controller of held) controller.abort();
      await Promise.all(open);
    }
  });
});
