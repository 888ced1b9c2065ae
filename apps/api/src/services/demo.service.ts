import type { DemoAccount } from "@portal/contracts";
import { PermissionLevel } from "@portal/core";
import { insertActivityEvent } from "../db/repositories/activity.repository.js";
import { addMember, insertChat } from "../db/repositories/chat.repository.js";
import { consumeInviteUse, insertInviteUnlessCodeTaken, markExpiryRecorded } from "../db/repositories/invite.repository.js";
import { hasAnyUser, insertUser, listUsersByUsername } from "../db/repositories/user.repository.js";
import type { ServiceDeps } from "./context.js";
import { readSteps, writeTransaction, type Steps } from "../db/steps.js";
import type { ChatRow, InviteRow } from "../db/schema.js";
import { levelOf } from "./mappers.js";

/** The demo's people, one or more at each permission level. */
export const DEMO_USERS = [
  { username: "olivia", level: PermissionLevel.Owner },
  { username: "adam", level: PermissionLevel.Admin },
  { username: "maya", level: PermissionLevel.Mod },
  { username: "umar", level: PermissionLevel.User },
  { username: "uma", level: PermissionLevel.User },
  { username: "noah", level: PermissionLevel.User },
] as const;

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/**
 * Seeds a small believable world into an empty database: users at every level; private, public and
 * official chats; a few invites (one expired, one used up) and the joins they led to. Does nothing
 * when the database already has users. Returns whether it seeded.
 */
export async function seedDemoData(deps: ServiceDeps): Promise<boolean> {
  const seeded = await writeTransaction(deps.db, seedSteps(deps, deps.now()));
  if (seeded) deps.log.info("demo data seeded", { users: DEMO_USERS.length });
  return seeded;
}

function* seedSteps(deps: ServiceDeps, now: number): Steps<boolean> {
  if (yield* hasAnyUser()) return false;

  const users = new Map<string, number>();
  for (const [i, u] of DEMO_USERS.entries()) {
    const row = yield* insertUser({
      username: u.username,
      avatar_url: null,
      permission_level: u.level,
      state: 0,
      timeout_until: null,
      created_at: now - (30 - i) * DAY,
    });
    users.set(u.username, row.id);
  }
  const id = (username: string) => users.get(username) ?? null;

  const chat = (name: string, visibility: "private" | "public" | "official", owner: string | null, description: string, ageDays: number): Steps<ChatRow> =>
    insertChat({
      name,
      description,
      visibility,
      owner_id: owner === null ? null : id(owner),
      slug: null,
      archived: 0,
      created_at: now - ageDays * DAY,
    });
  const bookClub = yield* chat("Book Club", "public", "umar", "One book a month, spoilers after the 20th.", 20);
  const hikers = yield* chat("Weekend Hikers", "public", "maya", "Trails, weather and carpools for Saturday walks.", 18);
  yield* chat("Announcements", "official", "olivia", "News from the platform team.", 25);
  yield* chat("Design Crew", "private", "maya", "Mock-ups and critique for the design team.", 15);
  yield* chat("Staff Room", "private", "adam", "Where admins coordinate.", 12);
  yield* chat("Town Square", "public", null, "A chat whose owner left; admins keep it tidy.", 28);

  const invite = (chatId: number, creator: string, opts: { ageHours: number; expiresInHours?: number; maxUses?: number }): Steps<InviteRow | undefined> =>
    insertInviteUnlessCodeTaken({
      code: deps.newInviteCode(),
      chat_id: chatId,
      created_by_id: id(creator),
      created_at: now - opts.ageHours * HOUR,
      expires_at: opts.expiresInHours === undefined ? null : Math.floor((now + opts.expiresInHours * HOUR) / 1000) * 1000,
      max_uses: opts.maxUses ?? null,
    });
  yield* invite(bookClub.id, "umar", { ageHours: 72 });
  const limited = yield* invite(bookClub.id, "umar", { ageHours: 48, expiresInHours: 24 * 6, maxUses: 5 });
  const expired = yield* invite(bookClub.id, "umar", { ageHours: 24 * 9, expiresInHours: -24 });
  // It expired yesterday, in the demo's past: no `invite.expired` at the first start.
  if (expired) yield* markExpiryRecorded(expired.id, now);
  const single = yield* invite(hikers.id, "maya", { ageHours: 30, maxUses: 1 });

  function* join(chatId: number, username: string, code: string, agoHours: number): Steps<void> {
    const userId = id(username);
    if (userId === null) return;
    yield* addMember({ chat_id: chatId, user_id: userId, joined_at: now - agoHours * HOUR, invite_code: code });
    yield* consumeInviteUse(code, now);
    yield* insertActivityEvent({
      chat_id: chatId,
      user_id: userId,
      action: "join",
      method: "invite",
      invite_code: code,
      created_at: now - agoHours * HOUR,
    });
  }
  if (limited) {
    yield* join(bookClub.id, "uma", limited.code, 40);
    yield* join(bookClub.id, "noah", limited.code, 20);
  }
  if (single) yield* join(hikers.id, "umar", single.code, 26);
  return true;
}

/** The demo accounts a person can sign in as with one click; none when demo mode is off. */
export async function demoAccounts(deps: ServiceDeps, demoEnabled: boolean): Promise<DemoAccount[]> {
  if (!demoEnabled) return [];
  const rows = await readSteps(deps.db, listUsersByUsername(DEMO_USERS.map((u) => u.username)));
  const order = new Map<string, number>(DEMO_USERS.map((u, i) => [u.username, i]));
  return rows
    .sort((a, b) => (order.get(a.username) ?? 0) - (order.get(b.username) ?? 0))
    .map((row) => ({ username: row.username, permission_level: levelOf(row) }));
}
