/// <reference types="node" />
// The web app when things change under it, end to end in Debian's Chromium against the real
// server: the server stops (and hangs) mid-flow, the session ends in another tab, an invite expires
// while the page is open, two people revoke the same invite, a chat is archived; and the smaller
// things of issue 15 (who created an invite, a page past the end, a restricted account, a chat ban,
// the time zone's name, a chat listed once).
import { describe, expect, it } from "vitest";
import {
  callTrpc,
  expectNoConsoleProblems,
  expectPage,
  inSeconds,
  inviteRow,
  screenshot,
  signInWithDemo,
  text,
  withoutOfflineErrors,
} from "./support/pages";
import { adminCli } from "./support/server";
import { skipE2E, useE2E } from "./support/suite";



describe.skipIf(skipE2E)("the web app when things change under it", { timeout: 240_000 }, () => {
  const e2e = useE2E();

  it("keeps the page when the server hangs and then stops, ends every pending action, and comes back by itself", async () => {
    const server = await e2e.ownServer();
    const { page, problems } = await e2e.personAt(server);
    await page.goto("/");
    await signInWithDemo(page, "umar");
    await expectPage(page, "My chats");
    await page.getByRole("link", { name: "Manage invites of Book Club" }).click();
    await expectPage(page, "Book Club");
    const quota = page.getByRole("meter", { name: "Active invites" });
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("2 of 20 active invites");
    const codes = await page.locator("li.invite").evaluateAll((rows) => rows.map((row) => row.getAttribute("data-code") ?? ""));
    expect(codes).toHaveLength(2);
    const banner = page.getByRole("status").filter({ hasText: "Cannot reach the server." });
    const create = page.getByRole("button", { name: /^(Create invite|Creating…)$/ });
    const formError = page.locator(".form-actions [role=alert]");

    // 1. The server hangs (frozen, so connections open but nothing answers): the create gives up
    // waiting, says it may not have been done, and the button is back.
    server.pause();
    await create.click();
    await expect.poll(() => text(create)).toBe("Creating…");
    await expect
      .poll(() => text(formError), { timeout: 30_000 })
      .toBe("The server did not answer in time, so the invite may not have been created. Check once it is back, then try again.");
    expect(await text(create)).toBe("Create invite");
    await banner.waitFor({ timeout: 20_000 });
    expect(await text(banner)).toContain("What you see stays, but may be out of date");
    // What was on screen stays: the chat, its form and its invites.
    await expectPage(page, "Book Club");
    for (const code of codes) await inviteRow(page, code).waitFor();
    await screenshot(page, "server-unreachable");

    // 2. It wakes up: the banner goes by itself, and the list is fetched anew, showing whether the
    // create it may have received went through (as the form said, it may have).
    server.resume();
    await banner.waitFor({ state: "detached", timeout: 40_000 });
    const chatId = Number(/\/chats\/(\d+)\//.exec(page.url())?.[1]);
    const onServer = (await callTrpc<{ invites: unknown[] }>(page, "invite.list", { chat_id: chatId })).invites.length;
    expect([2, 3]).toContain(onServer);
    await expect.poll(() => page.locator("li.invite").count()).toBe(onServer);
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe(`${onServer} of 20 active invites`);

    // 3. The server stops: a revoke fails at once, says it was not done, can be tried again, and
    // the dialog closes on Cancel and on Escape.
    await server.stop({ keepData: true });
    await inviteRow(page, codes[0]!).getByRole("button", { name: `Revoke invite ${codes[0]}` }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke this invite?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Revoke invite" }).click();
    await expect
      .poll(() => text(dialog.getByRole("alert")))
      .toBe("Could not reach the server, so the invite was not revoked. Try again once it is back.");
    expect(await dialog.getByRole("button", { name: "Try again" }).isEnabled()).toBe(true);
    expect(await dialog.getByRole("button", { name: "Cancel" }).isEnabled()).toBe(true);
    await screenshot(page, "revoke-unreachable", undefined, { fullPage: false });
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    await banner.waitFor();

    // A refetch while it is down (the window regains focus) keeps the page as it was.
    const failed = page.waitForEvent("requestfailed", { predicate: (r) => r.url().includes("/trpc/"), timeout: 20_000 });
    await page.evaluate(() => {
      window.dispatchEvent(new Event("visibilitychange"));
      window.dispatchEvent(new Event("focus"));
    });
    await failed;
    await expectPage(page, "Book Club");
    expect(await page.locator("li.invite").count()).toBe(onServer);
    expect(await page.getByText("Could not reach the server", { exact: false }).count()).toBe(0);

    // 4. It starts again where it was: the banner goes by itself, and the revoke works.
    await e2e.ownServer({ dir: server.dir, port: server.port });
    await banner.waitFor({ state: "detached", timeout: 40_000 });
    await inviteRow(page, codes[0]!).getByRole("button", { name: `Revoke invite ${codes[0]}` }).click();
    await dialog.getByRole("button", { name: "Revoke invite" }).click();
    await expect.poll(() => text(page.locator(".status-line"))).toBe(`Invite '${codes[0]}' revoked`);
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe(`${onServer - 1} of 20 active invites`);

    expectNoConsoleProblems(withoutOfflineErrors(problems));
  });

  it("says the session ended in another tab, and after signing in again finishes the revoke or leaves the create undone", async () => {
    const { context, page, problems } = await e2e.person();
    await page.goto("/");
    await signInWithDemo(page, "umar");
    await expectPage(page, "My chats");
    const chats = await callTrpc<{ id: number; name: string }[]>(page, "chat.manageable");
    const bookClub = chats.find((chat) => chat.name === "Book Club");
    if (!bookClub) throw new Error("the demo data has no Book Club");
    const { code } = await callTrpc<{ code: string }>(page, "invite.create", { chat_id: bookClub.id }, "POST");
    // This page's live updates are cut (its event stream gets no connection), so it learns of the
    // sign-out only from its next call, as a page on an instance that has not noticed yet would.
    // (With them, it goes to the sign-in page by itself: live-updates.e2e.test.ts.)
    await page.route("**/trpc/chat.events**", (route) => route.abort("connectionrefused"));
    await page.goto(`/chats/${bookClub.id}/invites`);
    await expectPage(page, "Book Club");
    await inviteRow(page, code).getByRole("button", { name: `Revoke invite ${code}` }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke this invite?" });
    await dialog.waitFor();

    // Another tab of the same browser signs out.
    const signOutTab = async () => {
      const other = await context.newPage();
      await other.goto("/");
      await expectPage(other, "My chats");
      await other.getByRole("button", { name: "Sign out" }).click();
      await expectPage(other, "Sign in");
      await other.close();
    };
    await signOutTab();

    // The confirmed revoke: the sign-in page says why, and that it was not done.
    await dialog.getByRole("button", { name: "Revoke invite" }).click();
    await expectPage(page, "Sign in");
    expect(new URL(page.url()).pathname).toBe(`/chats/${bookClub.id}/invites`);
    const ended = page.getByRole("alert").filter({ hasText: "Your session ended" });
    expect(await text(ended)).toBe(
      `Your session ended (signed out in another tab, or it expired). Sign in again to finish revoking invite ${code}: it has not been done.`,
    );
    await screenshot(page, "session-ended");

    // Signed in again: the page, and the revoke offered; finishing it revokes the invite.
    await signInWithDemo(page, "umar");
    await expectPage(page, "Book Club");
    const resume = page.getByRole("alert").filter({ hasText: "Your session ended while you were" });
    expect(await text(resume)).toContain(`Your session ended while you were revoking invite ${code} It has not been done.`);
    await inviteRow(page, code).waitFor();
    await screenshot(page, "session-resume");
    await resume.getByRole("button", { name: `Revoke invite ${code}` }).click();
    await expect.poll(() => text(page.locator(".session-notice"))).toContain(`Invite '${code}' revoked`);
    await inviteRow(page, code).waitFor({ state: "detached" });

    // A create interrupted the same way, then left: it says so, and nothing was created.
    const quota = page.getByRole("meter", { name: "Active invites" });
    const before = await quota.getAttribute("aria-valuetext");
    await signOutTab();
    await page.getByRole("button", { name: "Create invite" }).click();
    await expectPage(page, "Sign in");
    expect(await text(page.getByRole("alert").filter({ hasText: "Your session ended" }))).toContain(
      "Sign in again to finish creating an invite for Book Club: it has not been done.",
    );
    await signInWithDemo(page, "umar");
    await expectPage(page, "Book Club");
    await page.getByRole("button", { name: "Leave it" }).click();
    await expect.poll(() => text(page.locator(".session-notice"))).toContain("Left as it was: creating an invite for Book Club was not done.");
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe(before);

    // (Chromium logs each refused stream; those are this test's doing.)
    expectNoConsoleProblems(problems.filter((p) => !p.includes("net::ERR_CONNECTION_REFUSED")));
  });

  it("takes an invite out of the list and the quota the moment it expires, with the page open", async () => {
    const { page, problems } = await e2e.person();
    await page.goto("/");
    await signInWithDemo(page, "maya");
    await expectPage(page, "My chats");
    const chats = await callTrpc<{ id: number; name: string }[]>(page, "chat.manageable");
    const design = chats.find((chat) => chat.name === "Design Crew");
    if (!design) throw new Error("the demo data has no Design Crew");
    const { code } = await callTrpc<{ code: string }>(page, "invite.create", { chat_id: design.id, expires_at: inSeconds(15) }, "POST");
    await page.goto(`/chats/${design.id}/invites`);
    await expectPage(page, "Design Crew");
    const quota = page.getByRole("meter", { name: "Active invites" });
    await inviteRow(page, code).waitFor();
    const counted = Number(/^(\d+) of/.exec((await quota.getAttribute("aria-valuetext")) ?? "")?.[1]);
    expect(counted).toBeGreaterThanOrEqual(1);
    expect(await text(inviteRow(page, code))).toMatch(/\d+s left/);

    // No reload, no refetch needed: it leaves the list, its Copy link with it, and the quota agrees.
    await inviteRow(page, code).waitFor({ state: "detached", timeout: 30_000 });
    expect(await quota.getAttribute("aria-valuetext")).toBe(`${counted - 1} of 20 active invites`);
    expect(await text(page.locator("#list-title"))).toBe(`Active invites (${counted - 1})`);
    expect(await page.getByRole("button", { name: `Copy link for invite ${code}` }).count()).toBe(0);

    expectNoConsoleProblems(problems);
  });

  it("two people revoke the same invite: the second learns it is already gone; the creator is named", async () => {
    const owner = await e2e.person();
    await owner.page.goto("/");
    await signInWithDemo(owner.page, "maya");
    await expectPage(owner.page, "My chats");
    const admin = await e2e.person();
    await admin.page.goto("/");
    await signInWithDemo(admin.page, "adam");
    await expectPage(admin.page, "My chats");
    const chats = await callTrpc<{ id: number; name: string }[]>(admin.page, "chat.manageable");
    const hikers = chats.find((chat) => chat.name === "Weekend Hikers");
    if (!hikers) throw new Error("the demo data has no Weekend Hikers");
    // The admin creates it: the owner's page names him, not "user #2".
    const { code } = await callTrpc<{ code: string }>(admin.page, "invite.create", { chat_id: hikers.id }, "POST");

    for (const { page } of [owner, admin]) {
      await page.goto(`/chats/${hikers.id}/invites`);
      await expectPage(page, "Weekend Hikers");
      await inviteRow(page, code).waitFor();
    }
    await expect.poll(() => text(inviteRow(owner.page, code).locator(".invite-creator"))).toMatch(/^Created by adam · /);
    expect(await text(inviteRow(admin.page, code).locator(".invite-creator"))).toMatch(/^Created by adam \(you\) · /);

    const dialogOf = (page: typeof owner.page) => page.getByRole("dialog", { name: "Revoke this invite?" });
    for (const { page } of [owner, admin]) {
      await inviteRow(page, code).getByRole("button", { name: `Revoke invite ${code}` }).click();
      await dialogOf(page).waitFor();
    }

    // The owner confirms first; focus lands on the list's heading (the row is gone), not on <body>.
    await dialogOf(owner.page).getByRole("button", { name: "Revoke invite" }).click();
    await expect.poll(() => text(owner.page.locator(".status-line"))).toBe(`Invite '${code}' revoked`);
    await inviteRow(owner.page, code).waitFor({ state: "detached" });
    expect(await owner.page.evaluate(() => document.activeElement?.id)).toBe("list-title");

    // The admin confirms second: the dialog closes and says why; no "Revoke invite" left to press.
    await dialogOf(admin.page).getByRole("button", { name: "Revoke invite" }).click();
    await dialogOf(admin.page).waitFor({ state: "hidden" });
    await expect
      .poll(() => text(admin.page.locator(".status-line")))
      .toBe(`Invite ${code} no longer works: it was revoked meanwhile, or it expired or was used up.`);
    await inviteRow(admin.page, code).waitFor({ state: "detached" });
    expect(await admin.page.evaluate(() => document.activeElement?.id)).toBe("list-title");
    await screenshot(admin.page, "revoked-meanwhile");

    expectNoConsoleProblems(owner.problems, admin.problems);
  });

  it("shows an archived chat's invites as not working, with no link to copy and no quota left to use", async () => {
    const { databaseUrl } = e2e.live();
    const chat = await adminCli<{ id: number }>(databaseUrl, ["chat", "create", "--name", "Old Book Club", "--visibility", "public", "--owner", "umar"]);
    const { page, problems } = await e2e.person();
    await page.goto("/");
    await signInWithDemo(page, "umar");
    await expectPage(page, "My chats");
    const { code } = await callTrpc<{ code: string }>(page, "invite.create", { chat_id: chat.id }, "POST");
    await adminCli(databaseUrl, ["chat", "archive", "--chat", String(chat.id)]);

    await page.goto(`/chats/${chat.id}/invites`);
    await expectPage(page, "Old Book Club");
    await inviteRow(page, code).waitFor();
    expect(await text(page.locator(".archived-notice"))).toBe(
      "This chat is archived. Its invites do not work, and it takes no new ones. Revoking them still tidies the list.",
    );
    expect(await text(page.locator("#list-title"))).toBe("Invites, not working (1)");
    expect(await page.getByRole("button", { name: /^Copy link/ }).count()).toBe(0);
    expect(await text(page.locator(".quota .hint"))).toBe("Archived: no invites can be created.");
    expect(await page.getByText("more invites can be created").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Create invite" }).getAttribute("aria-disabled")).toBe("true");
    await screenshot(page, "archived-chat");

    expectNoConsoleProblems(problems);
  });

  it("the smaller things: a page past the end, a timeout's end and Sign out, a chat ban, the zone's name, each chat once", async () => {
    const { databaseUrl } = e2e.live();

    // ?page=99 of the activity goes to the last page, and says one thing.
    const admin = await e2e.person();
    await admin.page.goto("/");
    await signInWithDemo(admin.page, "adam");
    await expectPage(admin.page, "My chats");
    const chats = await callTrpc<{ id: number; name: string }[]>(admin.page, "chat.manageable");
    const bookClub = chats.find((chat) => chat.name === "Book Club");
    if (!bookClub) throw new Error("the demo data has no Book Club");
    await admin.page.goto(`/chats/${bookClub.id}/activity?page=99`);
    await expectPage(admin.page, "Book Club");
    await expect.poll(() => new URL(admin.page.url()).search).toBe("");
    await expect.poll(() => text(admin.page.locator(".section-head .hint"))).toMatch(/^Showing 1–\d+ of \d+$/);
    expect(await admin.page.getByText("This page is empty").count()).toBe(0);

    // A chat ban, in words: not a bare "Access denied".
    const { code } = await callTrpc<{ code: string }>(admin.page, "invite.create", { chat_id: bookClub.id }, "POST");
    await adminCli(databaseUrl, ["user", "create", "--username", "banned-bea"]);
    await adminCli(databaseUrl, ["chat", "ban", "--chat", String(bookClub.id), "--user", "banned-bea"]);
    const { token } = await adminCli<{ token: string }>(databaseUrl, ["session", "create", "--user", "banned-bea"]);
    const bea = await e2e.person();
    const { url } = e2e.live();
    await bea.context.addCookies([{ name: "psession", value: token, url }]);
    await bea.page.goto(`/join/${code}`);
    await expectPage(bea.page, "You are banned from this chat");
    expect(await text(bea.page.locator(".problem p"))).toContain("banned you from it, so this invite cannot let you in");

    // A timeout says when it ends, and Sign out is there.
    const until = new Date(Date.now() + 2 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    await adminCli(databaseUrl, ["user", "create", "--username", "timed-tom"]);
    const tom = await adminCli<{ token: string }>(databaseUrl, ["session", "create", "--user", "timed-tom"]);
    await adminCli(databaseUrl, ["user", "set-state", "--user", "timed-tom", "--state", "timeout", "--until", until]);
    const timedOut = await e2e.person();
    await timedOut.context.addCookies([{ name: "psession", value: tom.token, url }]);
    await timedOut.page.goto("/");
    await expectPage(timedOut.page, "Your account is in a timeout");
    await expect.poll(() => text(timedOut.page.locator(".problem p"))).toMatch(/until the timeout ends on .+ \((1h 5\dm|2h 0m) from now\)/);
    await screenshot(timedOut.page, "timeout");
    await timedOut.page.getByRole("button", { name: "Sign out" }).click();
    await expectPage(timedOut.page, "Sign in");

    // The sign-in page speaks to people, not to operators.
    expect(await timedOut.page.getByText("pnpm").count()).toBe(0);

    // The time zone by its name, not a raw id such as Asia/Calcutta.
    const kolkata = await e2e.person(undefined, { timezoneId: "Asia/Calcutta", locale: "en-IN" });
    await kolkata.page.goto(`/chats/${bookClub.id}/invites`);
    await signInWithDemo(kolkata.page, "umar");
    await expectPage(kolkata.page, "Book Club");
    await kolkata.page.getByLabel("Expires after").selectOption({ label: "A date and time…" });
    expect(await text(kolkata.page.getByText("In your time zone"))).toBe("In your time zone, India Standard Time (GMT+05:30).");

    // Each chat once on My chats, for an owner who is also a member of what she manages.
    const owner = await e2e.person();
    await owner.page.goto("/");
    await signInWithDemo(owner.page, "maya");
    await expectPage(owner.page, "My chats");
    await owner.page.getByRole("heading", { level: 3, name: "Book Club", exact: true }).waitFor();
    const names = await owner.page.getByRole("heading", { level: 3 }).allTextContents();
    expect(names.length).toBe(new Set(names).size);

    expectNoConsoleProblems(admin.problems, timedOut.problems, kolkata.problems, owner.problems);
  });
});
