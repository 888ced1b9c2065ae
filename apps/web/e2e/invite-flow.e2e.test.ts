/// <reference types="node" />
// End to end in Debian's Chromium against the real server (REST + tRPC + the built web app) on a
// fresh SQLite database with the demo data. Builds nothing: turbo builds web and api before `test`.
import { describe, expect, it } from "vitest";
import { PHONE } from "./support/browser";
import {
  callTrpc,
  expectNoConsoleProblems,
  expectPage,
  heading,
  inviteRow,
  README_SCREENSHOT,
  screenshot,
  signInWithCode,
  signInWithDemo,
  text,
} from "./support/pages";
import { adminCli } from "./support/server";
import { skipE2E, useE2E } from "./support/suite";

const QUOTA_MESSAGE = "Invite limit reached: a chat can have at most 20 active invites";

describe.skipIf(skipE2E)("the web app, end to end in Chromium", { timeout: 180_000 }, () => {
  const e2e = useE2E();

  it("an owner shares an invite, a second person joins with it, the owner revokes it, a third finds it invalid", async () => {
    const { url, databaseUrl } = e2e.live();

    // The owner of Book Club (umar) signs in with one click on a demo account.
    const owner = await e2e.person();
    await owner.page.goto("/");
    await expectPage(owner.page, "Sign in");
    await screenshot(owner.page, "sign-in");
    await signInWithDemo(owner.page, "umar");
    await expectPage(owner.page, "My chats");

    const mine = owner.page.getByRole("region", { name: "Chats you own or joined" });
    const bookClubCard = mine.getByRole("listitem").filter({ has: owner.page.getByRole("heading", { name: "Book Club" }) });
    await expect.poll(() => text(bookClubCard)).toContain("2 active invites");
    expect(await text(bookClubCard)).toContain("Public");
    await screenshot(owner.page, "chats");

    // Creates an invite with max uses 2 that expires in a day.
    await owner.page.getByRole("link", { name: "Manage invites of Book Club" }).click();
    await expectPage(owner.page, "Book Club");
    const quota = owner.page.getByRole("meter", { name: "Active invites" });
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("2 of 20 active invites");
    await owner.page.getByRole("radio", { name: "Limited", exact: true }).check();
    await owner.page.getByLabel("Number of uses").fill("2");
    await owner.page.getByLabel("Expires after").selectOption({ label: "1 day" });
    await owner.page.getByRole("button", { name: "Create invite" }).click();

    const created = owner.page.locator("li.invite.invite-new");
    await created.waitFor();
    const code = (await created.getAttribute("data-code")) ?? "";
    expect(code).toMatch(/^[a-z0-9]{16}$/);
    const row = inviteRow(owner.page, code);
    expect(await text(row)).toContain("0 / 2");
    expect(await text(row)).toMatch(/(23h 5\dm|1d 0h) left/);
    expect(await text(row)).toContain("Created by umar (you)");
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("3 of 20 active invites");
    expect(await text(owner.page.locator(".quota-count"))).toBe("3 / 20");

    // Copies its link: the clipboard holds http://<host>/join/<code>, and the card says so too.
    const link = `${url}/join/${code}`;
    await row.getByRole("button", { name: `Copy link for invite ${code}` }).click();
    await expect.poll(() => text(row.getByRole("status"))).toBe(`Link copied: ${link}`);
    expect(await owner.page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    await screenshot(owner.page, "invites");
    // The README's picture changes only when asked for, so a test run leaves the work tree clean.
    if (process.env.UPDATE_README_SCREENSHOT === "1") await screenshot(owner.page, "invites", README_SCREENSHOT);

    // A second person, who is not signed in, opens the link, signs in with a login code and is
    // brought back to the same invite: the preview, then Join.
    await adminCli(databaseUrl, ["user", "create", "--username", "zoe"]);
    const guest = await e2e.person();
    await guest.page.goto(link);
    // Signed out, the page already shows where the link leads, above the sign-in.
    await expectPage(guest.page, "Book Club");
    await guest.page.getByRole("heading", { level: 2, name: "Sign in to open this invite" }).waitFor();
    await signInWithCode(guest.page, databaseUrl, "zoe");
    await guest.page.getByRole("button", { name: "Join Book Club" }).waitFor();
    expect(guest.page.url()).toBe(link);
    const preview = await text(guest.page.locator(".join-card"));
    // (Labels are upper-cased by CSS, which innerText reflects.)
    expect(preview).toMatch(/You are invited to join Book Club Public/i);
    expect(preview).toContain("One book a month, spoilers after the 20th.");
    expect(preview).toMatch(/Members 2 /i);
    expect(preview).toMatch(/Expires (23h 5\dm|1d 0h) left/i);
    expect(preview).toMatch(/Uses left 2 of 2 /i);
    await screenshot(guest.page, "join-preview");
    await guest.page.getByRole("button", { name: "Join Book Club" }).click();
    await expectPage(guest.page, "You joined Book Club");
    await screenshot(guest.page, "joined");
    await guest.page.getByRole("link", { name: "Go to my chats" }).click();
    await expectPage(guest.page, "My chats");
    await guest.page.getByRole("region", { name: "Chats you own or joined" }).getByRole("heading", { name: "Book Club" }).waitFor();

    // The owner sees 1 / 2 uses and the join in the activity, with the invite it came through.
    await owner.page.reload();
    await expectPage(owner.page, "Book Club");
    await expect.poll(() => text(inviteRow(owner.page, code).locator(".fact-value").first())).toBe("1 / 2");
    expect(await inviteRow(owner.page, code).getByRole("meter").getAttribute("aria-valuetext")).toBe("1 of 2 uses");
    await owner.page.getByRole("link", { name: "Activity", exact: true }).click();
    const firstEvent = owner.page.locator(".activity-table tbody tr").first();
    await firstEvent.waitFor();
    const event = await text(firstEvent);
    expect(event).toContain("zoe");
    expect(event).toContain("Joined");
    expect(event).toContain(`Invite ${code}`);
    expect(await text(owner.page.locator(".section-head .hint"))).toBe("Showing 1–3 of 3");
    await screenshot(owner.page, "activity");

    // The owner revokes it, after a confirmation.
    await owner.page.getByRole("link", { name: "Invites", exact: true }).click();
    await inviteRow(owner.page, code).waitFor();
    await inviteRow(owner.page, code).getByRole("button", { name: `Revoke invite ${code}` }).click();
    const dialog = owner.page.getByRole("dialog", { name: "Revoke this invite?" });
    await dialog.waitFor();
    expect(await text(dialog)).toContain(link);
    await screenshot(owner.page, "revoke-dialog", undefined, { fullPage: false });
    await dialog.getByRole("button", { name: "Revoke invite" }).click();
    await expect.poll(() => text(owner.page.locator(".status-line"))).toBe(`Invite '${code}' revoked`);
    await inviteRow(owner.page, code).waitFor({ state: "detached" });
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("2 of 20 active invites");

    // A third person opening the link gets the one friendly page for dead invites.
    const third = await e2e.person();
    await third.page.goto(link);
    await expectPage(third.page, "This invite is invalid or has expired");
    await signInWithDemo(third.page, "noah");
    await third.page.getByRole("heading", { level: 2, name: "Sign in to open this invite" }).waitFor({ state: "detached" });
    await expectPage(third.page, "This invite is invalid or has expired");
    await screenshot(third.page, "invalid-invite");

    expectNoConsoleProblems(owner.problems, guest.problems, third.problems);
  });

  it("a moderator manages a public chat owned by a user, but cannot see a private chat they are not in", async () => {
    const admin = await e2e.person();
    await admin.page.goto("/");
    await signInWithDemo(admin.page, "adam");
    await expectPage(admin.page, "My chats");
    const adminsChats = await callTrpc<{ id: number; name: string }[]>(admin.page, "chat.mine");
    const staffRoom = adminsChats.find((chat) => chat.name === "Staff Room");
    expect(staffRoom).toBeDefined();

    const moderator = await e2e.person();
    await moderator.page.goto("/");
    await signInWithDemo(moderator.page, "maya");
    await expectPage(moderator.page, "My chats");
    // Her own chats show once, among hers; below, the others she may manage.
    const mine = moderator.page.getByRole("region", { name: "Chats you own or joined" });
    await mine.getByRole("heading", { name: "Weekend Hikers" }).waitFor();
    expect((await mine.getByRole("heading", { level: 3 }).allTextContents()).sort()).toEqual(["Design Crew", "Weekend Hikers"]);
    const manageable = moderator.page.getByRole("region", { name: "Other chats you can manage" });
    await manageable.getByRole("heading", { name: "Book Club" }).waitFor();
    const names = await manageable.getByRole("heading", { level: 3 }).allTextContents();
    expect(names.sort()).toEqual(["Book Club"]);
    expect(await moderator.page.getByRole("heading", { level: 3, name: "Weekend Hikers" }).count()).toBe(1);
    expect(await text(manageable.getByRole("listitem").filter({ hasText: "Book Club" }))).toContain("Owner: umar");

    // She manages umar's public Book Club: sees its invites and creates one.
    await moderator.page.getByRole("link", { name: "Invites of Book Club" }).click();
    await expectPage(moderator.page, "Book Club");
    await moderator.page.getByRole("button", { name: "Create invite" }).click();
    const created = moderator.page.locator("li.invite.invite-new");
    await created.waitFor();
    expect(await text(created)).toContain("Created by maya (you)");
    expect(await text(created)).toContain("0 uses");
    expect(await moderator.page.locator("li.invite").count()).toBeGreaterThanOrEqual(3);

    // adam's private Staff Room: not listed, and its page answers in the server's words.
    expect(await moderator.page.getByText("Staff Room").count()).toBe(0);
    await moderator.page.goto(`/chats/${staffRoom?.id}/invites`);
    await expectPage(moderator.page, "Chat not found");
    await screenshot(moderator.page, "chat-not-found");

    expectNoConsoleProblems(admin.problems, moderator.problems);
  });

  it("the form says so when the quota is reached, and shows the server's 409 when it filled up meanwhile", async () => {
    const owner = await e2e.person();
    await owner.page.goto("/");
    await signInWithDemo(owner.page, "maya");
    await expectPage(owner.page, "My chats");
    const chats = await callTrpc<{ id: number; name: string; active_invites: number }[]>(owner.page, "chat.manageable");
    const hikers = chats.find((chat) => chat.name === "Weekend Hikers");
    if (!hikers) throw new Error("the demo data has no Weekend Hikers");

    // Fill the quota up to 19 from "another tab".
    for (let i = hikers.active_invites; i < 19; i++) {
      await callTrpc(owner.page, "invite.create", { chat_id: hikers.id, max_uses: 10 }, "POST");
    }
    // This page's live updates are cut (its event stream gets no connection), so it cannot know
    // of a create elsewhere (with them, the 20th shows at once and the form closes by itself:
    // live-updates.e2e.test.ts).
    await owner.page.route("**/trpc/chat.events**", (route) => route.abort("connectionrefused"));
    await owner.page.goto(`/chats/${hikers.id}/invites`);
    await expectPage(owner.page, "Weekend Hikers");
    const quota = owner.page.getByRole("meter", { name: "Active invites" });
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("19 of 20 active invites");
    expect(await text(owner.page.locator(".quota .hint"))).toBe("1 more invite can be created.");

    // The 20th arrives elsewhere; this page still shows 19 and lets the person submit.
    await callTrpc(owner.page, "invite.create", { chat_id: hikers.id }, "POST");
    const submit = owner.page.getByRole("button", { name: "Create invite" });
    expect(await submit.getAttribute("aria-disabled")).toBeNull();
    await submit.click();

    // The server's 409, in its words, next to the button; then the form knows the quota is full.
    const formError = owner.page.locator(".form-actions [role=alert]");
    await expect.poll(() => text(formError)).toBe(QUOTA_MESSAGE);
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("20 of 20 active invites");
    expect(await text(owner.page.locator(".invite-form .notice"))).toBe(
      "This chat has reached its limit of 20 active invites. Revoke one to create another.",
    );
    expect(await submit.getAttribute("aria-disabled")).toBe("true");
    await screenshot(owner.page, "quota-reached");

    // What the server would refuse is said before sending, next to the field, in a person's words.
    const someCode = (await owner.page.locator("li.invite").first().getAttribute("data-code")) ?? "";
    await callTrpc(owner.page, "invite.revoke", { chat_id: hikers.id, code: someCode }, "POST");
    await owner.page.reload();
    await expectPage(owner.page, "Weekend Hikers");
    await expect.poll(() => quota.getAttribute("aria-valuetext")).toBe("19 of 20 active invites");
    await owner.page.getByRole("radio", { name: "Limited", exact: true }).check();
    const maxUses = owner.page.getByLabel("Number of uses");
    const creates: string[] = [];
    owner.page.on("request", (request) => {
      if (request.url().includes("/trpc/invite.create")) creates.push(request.url());
    });
    for (const typed of ["0", "2.5", "1e3", "2147483648"]) {
      await maxUses.fill(typed);
      await owner.page.getByRole("button", { name: "Create invite" }).click();
      await expect.poll(() => maxUses.getAttribute("aria-invalid")).toBe("true");
      const describedBy = ((await maxUses.getAttribute("aria-describedby")) ?? "").split(" ").pop() ?? "";
      expect(await text(owner.page.locator(`[id="${describedBy}"]`))).toBe(
        "Enter a whole number of uses from 1 to 2,147,483,647, or choose Unlimited",
      );
      expect(await owner.page.evaluate(() => document.activeElement?.getAttribute("inputmode"))).toBe("numeric");
    }

    // A date and time in the past: said under the expiry field, before sending.
    await maxUses.fill("5");
    await owner.page.getByLabel("Expires after").selectOption({ label: "A date and time…" });
    const expiry = owner.page.getByLabel("Expiry date and time");
    await expiry.fill("2020-01-01T10:00");
    await owner.page.getByRole("button", { name: "Create invite" }).click();
    await expect.poll(() => expiry.getAttribute("aria-invalid")).toBe("true");
    const expiryError = ((await expiry.getAttribute("aria-describedby")) ?? "").split(" ").pop() ?? "";
    expect(await text(owner.page.locator(`[id="${expiryError}"]`))).toBe("Choose a date and time in the future: that moment has already passed");
    expect(await maxUses.getAttribute("aria-invalid")).toBeNull();
    expect(await text(owner.page.getByText("In your time zone"))).toMatch(/^In your time zone, Central European (Standard |Summer )?Time \(GMT\+0[12]:00\)\.$/);
    // None of these reached the server.
    expect(creates).toEqual([]);
    await screenshot(owner.page, "field-error");

    // (Chromium logs each refused stream; those are this test's doing.)
    expectNoConsoleProblems(owner.problems.filter((p) => !p.includes("net::ERR_CONNECTION_REFUSED")));
  });

  it("pages the activity: 20 events a page, newer and older, with the page in the address", async () => {
    const { url, databaseUrl } = e2e.live();
    const admin = await e2e.person();
    await admin.page.goto("/");
    await signInWithDemo(admin.page, "adam");
    await expectPage(admin.page, "My chats");
    const chats = await callTrpc<{ id: number; name: string }[]>(admin.page, "chat.manageable");
    const townSquare = chats.find((chat) => chat.name === "Town Square");
    if (!townSquare) throw new Error("the demo data has no Town Square");
    const invite = await callTrpc<{ code: string }>(admin.page, "invite.create", { chat_id: townSquare.id }, "POST");

    // 21 people (one more than a page) join through the invite, each with their own session.
    const usernames = Array.from({ length: 21 }, (_, i) => `walker${String(i + 1).padStart(2, "0")}`);
    for (let i = 0; i < usernames.length; i += 7) {
      await Promise.all(
        usernames.slice(i, i + 7).map(async (username) => {
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

    await admin.page.goto(`/chats/${townSquare.id}/activity`);
    await expectPage(admin.page, "Town Square");
    const summary = admin.page.locator(".section-head .hint");
    await expect.poll(() => text(summary)).toBe("Showing 1–20 of 21");
    expect(await admin.page.locator(".activity-table tbody tr").count()).toBe(20);
    expect(await text(admin.page.getByText("Page 1 of 2"))).toBe("Page 1 of 2");

    await admin.page.getByRole("link", { name: "Older →" }).click();
    await expect.poll(() => text(summary)).toBe("Showing 21 of 21");
    expect(new URL(admin.page.url()).search).toBe("?page=2");
    await expect.poll(() => admin.page.locator(".activity-table tbody tr").count()).toBe(1);
    expect(await text(admin.page.locator(".activity-table tbody"))).toMatch(/^W walker\d\d Joined Invite [a-z0-9]{16} /);
    expect(await admin.page.getByRole("link", { name: "Older →" }).count()).toBe(0);

    await admin.page.goBack();
    await expect.poll(() => text(summary)).toBe("Showing 1–20 of 21");

    expectNoConsoleProblems(admin.problems);
  });

  it("works with the keyboard alone and reads well on a phone-sized screen", async () => {
    const { databaseUrl } = e2e.live();
    const phone = await e2e.person(PHONE);
    const page = phone.page;
    await page.goto("/");
    await expectPage(page, "Sign in");

    // Tab order: skip link, home, the login code, its button, then the demo accounts.
    const focusOrder: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press("Tab");
      focusOrder.push(
        await page.evaluate(() => {
          const el = document.activeElement as HTMLElement | null;
          if (!el) return "";
          const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
          const visible = el.cloneNode(true) as HTMLElement;
          visible.querySelectorAll("[aria-hidden=true]").forEach((hidden) => hidden.remove());
          return (label ?? el.getAttribute("aria-label") ?? visible.textContent ?? "").trim();
        }),
      );
    }
    expect(focusOrder).toEqual(["Skip to content", "Portal", "Login code", "Sign in", "Sign in as olivia, Owner"]);
    await screenshot(page, "sign-in-phone");

    // Sign in by typing the code and pressing Enter.
    const { code } = await adminCli<{ code: string }>(databaseUrl, ["login-code", "--user", "olivia"]);
    await page.getByLabel("Login code", { exact: true }).focus();
    await page.keyboard.type(code);
    await page.keyboard.press("Enter");
    await expectPage(page, "My chats");
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe("H1");
    await screenshot(page, "chats-phone");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // Open Announcements' invites with Enter, create one with Space and Enter.
    await page.getByRole("link", { name: "Manage invites of Announcements" }).focus();
    await page.keyboard.press("Enter");
    await expectPage(page, "Announcements");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Announcements");
    await page.getByRole("radio", { name: "Unlimited" }).focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.getByRole("radio", { name: "Limited", exact: true }).isChecked()).toBe(true);
    await page.keyboard.press("Tab");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("3");
    await page.keyboard.press("Enter");
    const created = page.locator("li.invite.invite-new");
    await created.waitFor();
    expect(await text(created)).toContain("0 / 3");
    const newCode = (await created.getAttribute("data-code")) ?? "";
    await screenshot(page, "invites-phone");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // The revoke dialog opens on Cancel, closes on Escape and gives focus back.
    const revoke = inviteRow(page, newCode).getByRole("button", { name: `Revoke invite ${newCode}` });
    await revoke.focus();
    await page.keyboard.press("Enter");
    const dialog = page.getByRole("dialog", { name: "Revoke this invite?" });
    await dialog.waitFor();
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe(`Revoke invite ${newCode}`);
    await inviteRow(page, newCode).waitFor();

    await page.getByRole("link", { name: "Activity", exact: true }).click();
    await expectPage(page, "Announcements");
    await page.getByRole("heading", { name: "Activity", level: 2 }).waitFor();
    await screenshot(page, "activity-phone");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // The join page on a phone (olivia owns Announcements: already a member).
    await page.goto(`/join/${newCode}`);
    await expectPage(page, "Announcements");
    expect(await text(page.locator(".join-card"))).toContain("You are already a member");
    await screenshot(page, "join-phone");
    await page.goto("/join/no-such-invite");
    await expectPage(page, "This invite is invalid or has expired");
    expect(await heading(page, "This invite is invalid or has expired").count()).toBe(1);

    // Sign out: back to the sign-in page, and the session is gone for good (a reload agrees).
    await page.getByRole("button", { name: "Sign out" }).click();
    await expectPage(page, "Sign in");
    await page.reload();
    await expectPage(page, "Sign in");
    expect(await page.getByRole("button", { name: "Sign out" }).count()).toBe(0);

    expectNoConsoleProblems(phone.problems);
  });
});
