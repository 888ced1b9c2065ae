/// <reference types="node" />
// Invite management (SPEC section 10) in Debian's Chromium against the real server: edit in the
// prefilled dialog, pause and resume, the request → approve → join flow between two people, revoke
// all after a confirmation that says how many, who joined through a link, and the QR code.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { DESKTOP, PHONE } from "./support/browser";
import {
  callTrpc,
  expectNoConsoleProblems,
  expectPage,
  inviteRow,
  readmeScreenshot,
  screenshot,
  signInWithCode,
  signInWithDemo,
  text,
} from "./support/pages";
import { adminCli, chatOfUmar } from "./support/server";
import { skipE2E, useE2E } from "./support/suite";

interface CreatedInvite {
  code: string;
}

describe.skipIf(skipE2E)("invite management, end to end in Chromium", { timeout: 240_000 }, () => {
  const e2e = useE2E();

  /** A chat of umar's own for one test, so the tests of this file never share invites or settings. */
  const chatOf = (name: string, description?: string) => chatOfUmar(e2e.live().databaseUrl, name, description);

  async function signedInUmar(viewport = DESKTOP, colorScheme: "light" | "dark" = "light") {
    const owner = await e2e.person(viewport, { colorScheme });
    await owner.page.goto("/");
    await signInWithDemo(owner.page, "umar");
    await expectPage(owner.page, "My chats");
    return owner;
  }

  /** A new person with an account, signed in with a login code. */
  async function signedInGuest(username: string) {
    const { databaseUrl } = e2e.live();
    await adminCli(databaseUrl, ["user", "create", "--username", username]);
    const guest = await e2e.person();
    await guest.page.goto("/");
    await signInWithCode(guest.page, databaseUrl, username);
    await expectPage(guest.page, "My chats");
    return guest;
  }

  async function openInvites(page: Page, chatId: number, name: string): Promise<void> {
    await page.goto(`/chats/${chatId}/invites`);
    await expectPage(page, name);
  }

  it("edits an invite in its prefilled dialog; a limit below the uses is refused in a person's words; who joined; the QR code", async () => {
    const name = "Edit Club";
    const chatId = await chatOf(name);
    const owner = await signedInUmar();
    const { code } = await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId, max_uses: 5 }, "POST");
    // Two people join through it, so it has 2 uses.
    const joiners = [await signedInGuest("edit-ann"), await signedInGuest("edit-ben")];
    for (const joiner of joiners) await callTrpc(joiner.page, "invite.redeem", { code }, "POST");

    await openInvites(owner.page, chatId, name);
    const row = inviteRow(owner.page, code);
    await expect.poll(() => text(row.locator(".fact-value").first())).toBe("2 / 5");
    await row.getByRole("button", { name: `Edit invite ${code}` }).click();
    const dialog = owner.page.getByRole("dialog", { name: `Edit invite ${code}` });
    await dialog.waitFor();
    // Prefilled with the invite's own: limited to 5, expiring never.
    expect(await dialog.getByRole("radio", { name: "Limited", exact: true }).isChecked()).toBe(true);
    const uses = dialog.getByLabel("Number of uses");
    expect(await uses.inputValue()).toBe("5");
    expect(await dialog.getByLabel("Expires").locator("option:checked").innerText()).toBe("As now: never");
    expect(await text(dialog)).toContain("Used 2 times so far");
    await screenshot(owner.page, "edit-dialog", undefined, { fullPage: false });

    // Below the uses already counted: refused before sending, next to the field.
    await uses.fill("1");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    const usesError = dialog.locator(".field [role=alert]").first();
    await expect.poll(() => text(usesError)).toBe(
      "The limit cannot be lower than the 2 uses already counted: enter 2 or more, or choose Unlimited",
    );
    expect(await uses.getAttribute("aria-invalid")).toBe("true");
    expect(await owner.page.evaluate(() => document.activeElement?.getAttribute("inputmode"))).toBe("numeric");
    // Not a whole number: refused in the same words as on create.
    await uses.fill("2.5");
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await expect.poll(() => text(usesError)).toBe("Enter a whole number of uses from 1 to 2,147,483,647, or choose Unlimited");

    // A new limit and an expiry: the list shows both.
    await uses.fill("10");
    await dialog.getByLabel("Expires").selectOption({ label: "1 day from now" });
    await dialog.getByRole("button", { name: "Save changes" }).click();
    await dialog.waitFor({ state: "hidden" });
    await expect.poll(() => text(owner.page.locator(".invites-column .status-line"))).toBe(`Invite ${code} saved.`);
    await expect.poll(() => text(row.locator(".fact-value").first())).toBe("2 / 10");
    await expect.poll(() => text(row.locator(".fact-value").nth(1))).toMatch(/^(23h 5\dm|1d 0h) left$/);
    const saved = await callTrpc<{ invites: { code: string; max_uses: number | null; expires_at: string | null }[] }>(
      owner.page,
      "invite.list",
      { chat_id: chatId },
    );
    const stored = saved.invites.find((invite) => invite.code === code);
    expect(stored?.max_uses).toBe(10);
    expect(Date.parse(stored?.expires_at ?? "") - Date.now()).toBeGreaterThan(23 * 3600_000);

    // Who joined through this link: both, by name.
    await row.getByRole("button", { name: `Who joined through invite ${code}` }).click();
    const joined = owner.page.getByRole("region", { name: `Who joined through invite ${code}` });
    await expect.poll(() => text(joined)).toMatch(/^2 people joined through this link/);
    expect(await joined.getByRole("listitem").allInnerTexts()).toEqual([expect.stringContaining("edit-ben"), expect.stringContaining("edit-ann")]);
    expect(await row.getByRole("button", { name: `Who joined through invite ${code}` }).getAttribute("aria-expanded")).toBe("true");

    // The QR code of its link: an image that was drawn, with a size.
    const qrButton = row.getByRole("button", { name: `QR code of invite ${code}` });
    await qrButton.click();
    const qr = owner.page.getByRole("dialog", { name: "Scan to join" });
    await qr.waitFor();
    const image = qr.getByRole("img", { name: `QR code of the invite link ${new URL(`/join/${code}`, e2e.live().url).href}` });
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    const box = await image.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(box?.height).toBeGreaterThan(100);
    await screenshot(owner.page, "qr-dialog", undefined, { fullPage: false });
    await owner.page.keyboard.press("Escape");
    await qr.waitFor({ state: "hidden" });
    // Focus is back on the button that opened it.
    expect(await qrButton.evaluate((button) => button === document.activeElement)).toBe(true);

    expectNoConsoleProblems(owner.problems, ...joiners.map((j) => j.problems));
  });

  it("pauses invites for a duration: the paused-until banner, a second person's join page says so, resume, then the join works", async () => {
    const name = "Pause Club";
    const chatId = await chatOf(name);
    const owner = await signedInUmar();
    const { code } = await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId }, "POST");
    await openInvites(owner.page, chatId, name);

    await owner.page.getByLabel("Pause all invites for").selectOption({ label: "8 hours" });
    await owner.page.getByRole("button", { name: "Pause invites" }).click();
    const banner = owner.page.getByRole("region", { name: /^Invites are paused until / });
    await banner.waitFor();
    expect(await text(banner)).toMatch(/Nobody can join or open an invite of this chat until then \((7h 59m|8h 0m) left\)/);
    const settings = await callTrpc<{ paused_until: string | null }>(owner.page, "chat.inviteSettings", { chat_id: chatId });
    const pausedFor = Date.parse(settings.paused_until ?? "") - Date.now();
    expect(pausedFor).toBeGreaterThan(7.9 * 3600_000);
    expect(pausedFor).toBeLessThanOrEqual(8 * 3600_000);
    await screenshot(owner.page, "paused");

    // A second person holding the link: the join page says invites are paused, and no Join button.
    const guest = await signedInGuest("pause-guest");
    await guest.page.goto(`/join/${code}`);
    await expectPage(guest.page, "Invites to this chat are paused");
    expect(await text(guest.page.locator(".problem"))).toContain("Try again later, or ask the person who sent it.");
    expect(await guest.page.getByRole("button", { name: `Join ${name}` }).count()).toBe(0);

    // Resumed: the banner goes, and the same link lets the person in.
    await banner.getByRole("button", { name: "Resume invites" }).click();
    await banner.waitFor({ state: "detached" });
    await owner.page.getByRole("status").filter({ hasText: "Invites work again" }).waitFor();
    await guest.page.reload();
    await guest.page.getByRole("button", { name: `Join ${name}` }).click();
    await expectPage(guest.page, `You joined ${name}`);

    expectNoConsoleProblems(owner.problems, guest.problems);
  });

  it("join approval between two people: the preview before sign-in, ask to join, request sent, the badge, approve, a member", async () => {
    const { databaseUrl } = e2e.live();
    const name = "Approval Club";
    const chatId = await chatOf(name, "We read slowly and argue kindly.");
    // Person A, the owner, turns approval on.
    const owner = await signedInUmar();
    const { code } = await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId, max_uses: 3 }, "POST");
    await openInvites(owner.page, chatId, name);
    const approval = owner.page.getByRole("checkbox", { name: "Approve each person who joins" });
    await approval.check();
    await owner.page.getByRole("status").filter({ hasText: "Join approval is on" }).waitFor();
    const badge = owner.page.getByTestId("requests-badge");
    expect(await text(badge)).toBe("0");

    // Person B opens the link signed out: the preview says where it leads and that a manager approves.
    await adminCli(databaseUrl, ["user", "create", "--username", "bea"]);
    const guest = await e2e.person();
    await guest.page.goto(`/join/${code}`);
    await expectPage(guest.page, name);
    const preview = await text(guest.page.locator(".join-card"));
    expect(preview).toContain("We read slowly and argue kindly.");
    expect(preview).toMatch(/Members 0 /i);
    expect(preview).toMatch(/Uses left 3 of 3 /i);
    expect(preview).toContain(`A manager of ${name} approves each person who joins`);
    expect(preview).toContain("Sign in below to ask to join.");
    await screenshot(guest.page, "join-preview-signed-out");

    // B signs in, asks to join, and sees that the request was sent.
    await signInWithCode(guest.page, databaseUrl, "bea");
    await guest.page.getByRole("button", { name: `Ask to join ${name}` }).click();
    await expectPage(guest.page, "Your request was sent");
    expect(await text(guest.page.locator(".join-card"))).toContain(`A manager of ${name} will look at it.`);
    await screenshot(guest.page, "request-sent");

    // A sees the badge count and the request, and approves it.
    await owner.page.reload();
    await expect.poll(() => text(badge)).toBe("1");
    const request = owner.page.locator('li.request[data-user="bea"]');
    expect(await text(request)).toMatch(new RegExp(`bea asked .+ through ${code}`));
    await screenshot(owner.page, "join-requests");
    // The invite's use counts at approval, not before.
    await expect.poll(() => text(inviteRow(owner.page, code).locator(".fact-value").first())).toBe("0 / 3");
    await request.getByRole("button", { name: "Approve bea" }).click();
    await owner.page.getByRole("status").filter({ hasText: `bea joined ${name}.` }).waitFor();
    await expect.poll(() => text(badge)).toBe("0");
    await request.waitFor({ state: "detached" });
    await expect.poll(() => text(inviteRow(owner.page, code).locator(".fact-value").first())).toBe("1 / 3");

    // B is a member: the chat is among B's chats, and A's activity shows the join through the invite.
    await guest.page.getByRole("link", { name: "Go to my chats" }).click();
    await expectPage(guest.page, "My chats");
    await guest.page.getByRole("region", { name: "Chats you own or joined" }).getByRole("heading", { name }).waitFor();
    await owner.page.getByRole("link", { name: "Activity", exact: true }).click();
    const firstEvent = owner.page.locator(".activity-table tbody tr").first();
    await firstEvent.waitFor();
    const event = await text(firstEvent);
    expect(event).toContain("bea");
    expect(event).toContain("Joined");
    expect(event).toContain(`Invite ${code}`);

    expectNoConsoleProblems(owner.problems, guest.problems);
  });

  it("revokes all active invites after a confirmation that says how many", async () => {
    const name = "Revoke All Club";
    const chatId = await chatOf(name);
    const owner = await signedInUmar();
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) codes.push((await callTrpc<CreatedInvite>(owner.page, "invite.create", { chat_id: chatId }, "POST")).code);
    await openInvites(owner.page, chatId, name);
    await inviteRow(owner.page, codes[2] ?? "").waitFor();

    await owner.page.getByRole("button", { name: "Revoke all 3 invites" }).click();
    const dialog = owner.page.getByRole("dialog", { name: "Revoke all 3 active invites?" });
    await dialog.waitFor();
    expect(await text(dialog)).toContain("All 3 links to this chat stop working at once");
    await screenshot(owner.page, "revoke-all-dialog", undefined, { fullPage: false });
    // Cancel first: nothing happens.
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await owner.page.locator("li.invite").count()).toBe(3);

    await owner.page.getByRole("button", { name: "Revoke all 3 invites" }).click();
    await dialog.getByRole("button", { name: "Revoke 3 invites" }).click();
    await expect.poll(() => text(owner.page.locator(".invites-column .status-line"))).toBe("3 invites revoked: their links no longer work.");
    await owner.page.locator("li.invite").first().waitFor({ state: "detached" });
    await expect.poll(() => owner.page.getByRole("meter", { name: "Active invites" }).getAttribute("aria-valuetext")).toBe("0 of 20 active invites");
    // Focus went to the list's heading (the rows it came from are gone), not to <body>.
    expect(await owner.page.evaluate(() => document.activeElement?.id)).toBe("list-title");
    const left = await callTrpc<{ invites: unknown[] }>(owner.page, "invite.list", { chat_id: chatId });
    expect(left.invites).toEqual([]);

    expectNoConsoleProblems(owner.problems);
  });

  it("pictures of the new panels for the README: light and dark on a desktop, and a phone", async () => {
    const name = "Screenshot Club";
    const chatId = await chatOf(name, "Where the pictures are taken.");
    const setup = await signedInUmar();
    const { code } = await callTrpc<CreatedInvite>(setup.page, "invite.create", { chat_id: chatId, max_uses: 10 }, "POST");
    await callTrpc(setup.page, "invite.create", { chat_id: chatId }, "POST");
    await callTrpc(setup.page, "chat.updateInviteSettings", { chat_id: chatId, join_approval: true }, "POST");
    const asker = await signedInGuest("shot-cyd");
    await callTrpc(asker.page, "invite.redeem", { code }, "POST");
    const until = new Date(Date.now() + 8 * 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
    await callTrpc(setup.page, "chat.updateInviteSettings", { chat_id: chatId, paused_until: until }, "POST");

    for (const [viewport, scheme, picture] of [
      [DESKTOP, "light", "manage-light"],
      [DESKTOP, "dark", "manage-dark"],
      [PHONE, "light", "manage-phone-light"],
      [PHONE, "dark", "manage-phone-dark"],
    ] as const) {
      const owner = await signedInUmar(viewport, scheme);
      await openInvites(owner.page, chatId, name);
      await owner.page.locator('li.request[data-user="shot-cyd"]').waitFor();
      await owner.page.getByRole("region", { name: /^Invites are paused until / }).waitFor();
      await inviteRow(owner.page, code).getByRole("button", { name: `Who joined through invite ${code}` }).click();
      await owner.page.getByRole("region", { name: `Who joined through invite ${code}` }).getByText("Nobody has joined").waitFor();
      // Nothing wider than the screen.
      expect(await owner.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      // The pending request comes first on a phone, for the eye and the keyboard alike (it is first in
      // the document); on a desktop it tops the second column, beside the create form.
      const requestsBox = await owner.page.getByRole("region", { name: /^Join requests/ }).boundingBox();
      const formBox = await owner.page.getByRole("form", { name: "Create an invite" }).boundingBox();
      if (!requestsBox || !formBox) throw new Error("the join requests or the create form are not on the page");
      if (viewport === PHONE) expect(requestsBox.y + requestsBox.height).toBeLessThan(formBox.y);
      else expect(requestsBox.x).toBeGreaterThan(formBox.x + formBox.width);
      const approveFirst = await owner.page.evaluate(() => {
        const approve = document.querySelector("li.request button");
        const unlimited = document.querySelector(".invite-form input[type=radio]");
        return Boolean(approve && unlimited && approve.compareDocumentPosition(unlimited) & Node.DOCUMENT_POSITION_FOLLOWING);
      });
      expect(approveFirst).toBe(true);
      await screenshot(owner.page, picture);
      if (process.env.UPDATE_README_SCREENSHOT === "1") await screenshot(owner.page, picture, readmeScreenshot(picture));
      await inviteRow(owner.page, code).getByRole("button", { name: `Edit invite ${code}` }).click();
      await owner.page.getByRole("dialog", { name: `Edit invite ${code}` }).waitFor();
      await screenshot(owner.page, `${picture}-edit`, undefined, { fullPage: false });
      if (process.env.UPDATE_README_SCREENSHOT === "1") {
        await screenshot(owner.page, `${picture}-edit`, readmeScreenshot(`${picture}-edit`), { fullPage: false });
      }
      expectNoConsoleProblems(owner.problems);
      await owner.context.close();
    }
  });
});
