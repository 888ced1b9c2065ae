/// <reference types="node" />
// axe-core on every page and state of the web app, at desktop and phone size, in light and dark,
// in Debian's Chromium against the real server: any violation of impact serious or critical fails.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { axeProblems, type AxeProblem } from "./support/axe";
import { DESKTOP, PHONE } from "./support/browser";
import { callTrpc, expectPage, inviteRow, readmeScreenshot, screenshot, signInWithCode, signInWithDemo } from "./support/pages";
import { adminCli } from "./support/server";
import { skipE2E, useE2E } from "./support/suite";

const SIZES = [
  { name: "desktop", viewport: DESKTOP },
  { name: "phone", viewport: PHONE },
] as const;
const SCHEMES = ["light", "dark"] as const;

describe.skipIf(skipE2E)("accessibility (axe-core) of every page", { timeout: 600_000 }, () => {
  const e2e = useE2E();

  for (const scheme of SCHEMES) {
    for (const size of SIZES) {
      it(`has no serious or critical axe violations: ${size.name}, ${scheme}`, async () => {
        const { url, databaseUrl } = e2e.live();
        const problems: AxeProblem[] = [];
        const states: string[] = [];
        const tag = `${size.name}-${scheme}`;
        const check = async (page: Page, state: string, picture = false) => {
          states.push(state);
          problems.push(...(await axeProblems(page, `${state} (${tag})`)));
          if (picture) await screenshot(page, `${state}-${tag}`);
        };
        const person = () => e2e.person(size.viewport, { colorScheme: scheme, bypassCSP: true });

        // Signed out.
        const owner = await person();
        const page = owner.page;
        await page.goto("/");
        await expectPage(page, "Sign in");
        await check(page, "sign-in", true);
        await page.getByRole("button", { name: "Sign in", exact: true }).click();
        await page.getByRole("alert").waitFor();
        await check(page, "sign-in-error");

        // The owner of Book Club: chats, invites, a field error, the dialog, activity.
        await signInWithDemo(page, "umar");
        await expectPage(page, "My chats");
        await check(page, "chats", true);
        const chats = await callTrpc<{ id: number; name: string }[]>(page, "chat.manageable");
        const bookClub = chats.find((chat) => chat.name === "Book Club");
        if (!bookClub) throw new Error("the demo data has no Book Club");
        await page.getByRole("link", { name: "Manage invites of Book Club" }).click();
        await expectPage(page, "Book Club");
        await page.locator("li.invite").first().waitFor();
        await check(page, "invites", true);
        // The README's pictures in dark and on a phone change only when asked for (a test run leaves the tree clean).
        const readmeName = { "desktop-dark": "invites-dark", "phone-light": "invites-phone-light" }[tag as string];
        if (process.env.UPDATE_README_SCREENSHOT === "1" && readmeName) await screenshot(page, "invites", readmeScreenshot(readmeName));
        await page.getByRole("radio", { name: "Limited", exact: true }).check();
        await page.getByLabel("Number of uses").fill("2.5");
        await page.getByRole("button", { name: "Create invite" }).click();
        await page.locator(".invite-form [role=alert]").waitFor();
        await check(page, "field-error");
        await page.getByLabel("Number of uses").fill("3");
        await page.getByRole("button", { name: "Create invite" }).click();
        const created = page.locator("li.invite.invite-new");
        await created.waitFor();
        const code = (await created.getAttribute("data-code")) ?? "";
        await created.getByRole("button", { name: `Copy link for invite ${code}` }).click();
        await created.getByRole("status").filter({ hasText: "Link copied" }).waitFor();
        await check(page, "invite-created");
        await inviteRow(page, code).getByRole("button", { name: `Revoke invite ${code}` }).click();
        await page.getByRole("dialog", { name: "Revoke this invite?" }).waitFor();
        await check(page, "revoke-dialog");
        await page.keyboard.press("Escape");
        await page.getByRole("link", { name: "Activity", exact: true }).click();
        await page.locator(".activity-table tbody tr").first().waitFor();
        await check(page, "activity", true);

        // The server unreachable (the browser offline): the banner and a failed create.
        await page.getByRole("link", { name: "Invites", exact: true }).click();
        await inviteRow(page, code).waitFor();
        await owner.context.setOffline(true);
        await page.getByRole("button", { name: "Create invite" }).click();
        await page.getByRole("status").filter({ hasText: "Cannot reach the server." }).waitFor();
        await page.locator(".form-actions [role=alert]").waitFor();
        await check(page, "server-unreachable", true);
        // Back online: the banner's next check finds the server and it goes by itself.
        await owner.context.setOffline(false);
        await page.getByRole("status").filter({ hasText: "Cannot reach the server." }).waitFor({ state: "detached", timeout: 40_000 });

        // Live updates paused: the chat's event stream gets no connection (the notice, after its
        // grace); let through again, the notice goes by itself.
        await page.route("**/trpc/chat.events**", (route) => route.abort("connectionrefused"));
        await page.reload();
        await expectPage(page, "Book Club");
        const liveNotice = page.getByTestId("live-notice");
        await liveNotice.getByText("Live updates paused — reconnecting…").waitFor({ timeout: 20_000 });
        await inviteRow(page, code).waitFor();
        await check(page, "live-updates-paused", true);
        await page.unroute("**/trpc/chat.events**");
        await liveNotice.getByText("Live updates paused — reconnecting…").waitFor({ state: "detached", timeout: 40_000 });

        // Not found, a chat not found, an invalid invite.
        await page.goto("/no-such-page");
        await expectPage(page, "Page not found");
        await check(page, "not-found");
        await page.goto("/chats/999999/invites");
        await expectPage(page, "Chat not found");
        await check(page, "chat-not-found");
        await page.goto("/join/no-such-invite");
        await expectPage(page, "This invite is invalid or has expired");
        await check(page, "invalid-invite");

        // An archived chat's invites.
        const archived = await adminCli<{ id: number }>(databaseUrl, [
          "chat",
          "create",
          "--name",
          `Archive ${tag}`,
          "--visibility",
          "public",
          "--owner",
          "umar",
        ]);
        await callTrpc(page, "invite.create", { chat_id: archived.id }, "POST");
        await adminCli(databaseUrl, ["chat", "archive", "--chat", String(archived.id)]);
        await page.goto(`/chats/${archived.id}/invites`);
        await page.locator(".archived-notice").waitFor();
        await check(page, "archived-chat");

        // Invite management: join approval on, a pending request, who joined, the edit, revoke-all
        // and QR dialogs, the pause banner; the signed-out preview and the "request sent" state.
        const managed = await adminCli<{ id: number }>(databaseUrl, [
          "chat",
          "create",
          "--name",
          `Manage ${tag}`,
          "--visibility",
          "public",
          "--owner",
          "umar",
          "--description",
          "Invite management under axe.",
        ]);
        const managedName = `Manage ${tag}`;
        const { code: managedCode } = await callTrpc<{ code: string }>(page, "invite.create", { chat_id: managed.id, max_uses: 4 }, "POST");
        await callTrpc(page, "invite.create", { chat_id: managed.id }, "POST");
        await callTrpc(page, "chat.updateInviteSettings", { chat_id: managed.id, join_approval: true }, "POST");
        const askerName = `asker-${tag}`;
        await adminCli(databaseUrl, ["user", "create", "--username", askerName]);
        const asker = await person();
        await asker.page.goto(`/join/${managedCode}`);
        await expectPage(asker.page, managedName);
        await check(asker.page, "join-preview-signed-out", true);
        await signInWithCode(asker.page, databaseUrl, askerName);
        await asker.page.getByRole("button", { name: `Ask to join ${managedName}` }).click();
        await expectPage(asker.page, "Your request was sent");
        await check(asker.page, "request-sent", true);
        await page.goto(`/chats/${managed.id}/invites`);
        await page.locator(`li.request[data-user="${askerName}"]`).waitFor();
        const managedRow = inviteRow(page, managedCode);
        await managedRow.getByRole("button", { name: `Who joined through invite ${managedCode}` }).click();
        await page.getByRole("region", { name: `Who joined through invite ${managedCode}` }).getByText("Nobody has joined").waitFor();
        await check(page, "join-requests-and-who-joined", true);
        await managedRow.getByRole("button", { name: `Edit invite ${managedCode}` }).click();
        const editDialog = page.getByRole("dialog", { name: `Edit invite ${managedCode}` });
        await editDialog.getByLabel("Number of uses").fill("0");
        await editDialog.getByRole("button", { name: "Save changes" }).click();
        await editDialog.locator("[role=alert]").waitFor();
        await check(page, "edit-dialog-error");
        await page.keyboard.press("Escape");
        await editDialog.waitFor({ state: "hidden" });
        await page.getByRole("button", { name: "Revoke all 2 invites" }).click();
        await page.getByRole("dialog", { name: "Revoke all 2 active invites?" }).waitFor();
        await check(page, "revoke-all-dialog");
        await page.keyboard.press("Escape");
        await managedRow.getByRole("button", { name: `QR code of invite ${managedCode}` }).click();
        await page.getByRole("dialog", { name: "Scan to join" }).getByRole("img").waitFor();
        await check(page, "qr-dialog");
        await page.keyboard.press("Escape");
        await page.getByLabel("Pause all invites for").selectOption({ label: "1 day" });
        await page.getByRole("button", { name: "Pause invites" }).click();
        await page.getByRole("region", { name: /^Invites are paused until / }).waitFor();
        await check(page, "paused-banner", true);

        // A guest: the join preview, then joined.
        const guestName = `guest-${tag}`;
        await adminCli(databaseUrl, ["user", "create", "--username", guestName]);
        const guest = await person();
        await guest.page.goto(`/join/${code}`);
        await expectPage(guest.page, "Book Club");
        await guest.page.getByRole("heading", { level: 2, name: "Sign in to open this invite" }).waitFor();
        await check(guest.page, "sign-in-for-invite");
        await signInWithCode(guest.page, databaseUrl, guestName);
        await guest.page.getByRole("button", { name: "Join Book Club" }).waitFor();
        await check(guest.page, "join-preview", true);
        await guest.page.getByRole("button", { name: "Join Book Club" }).click();
        await expectPage(guest.page, "You joined Book Club");
        await check(guest.page, "joined");

        // A session that ended in another tab: the sign-in page says so; after it, the offer.
        const other = await guest.context.newPage();
        await other.goto("/");
        await expectPage(other, "My chats");
        await other.getByRole("button", { name: "Sign out" }).click();
        await expectPage(other, "Sign in");
        await other.close();
        await guest.page.getByRole("link", { name: "Go to my chats" }).click();
        await guest.page.getByRole("alert").filter({ hasText: "Your session ended" }).waitFor();
        await check(guest.page, "session-ended");

        // A restricted account (a timeout).
        const username = `timeout-${tag}`;
        await adminCli(databaseUrl, ["user", "create", "--username", username]);
        const { token } = await adminCli<{ token: string }>(databaseUrl, ["session", "create", "--user", username]);
        const until = new Date(Date.now() + 3600_000).toISOString().replace(/\.\d{3}Z$/, "Z");
        await adminCli(databaseUrl, ["user", "set-state", "--user", username, "--state", "timeout", "--until", until]);
        const restricted = await person();
        await restricted.context.addCookies([{ name: "psession", value: token, url }]);
        await restricted.page.goto("/");
        await expectPage(restricted.page, "Your account is in a timeout");
        await check(restricted.page, "restricted");

        expect(states.length).toBeGreaterThanOrEqual(24);
        // Every violation, with where and why, in one message.
        expect(problems, JSON.stringify(problems, null, 2)).toEqual([]);
      });
    }
  }
});
