import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  MAX_INVITE_PAUSE_MS,
  applyInviteEdit,
  editRevivesInvite,
  inviteEditOutcome,
  isMaxUsesAllowed,
  isPaused,
  pauseProblem,
} from "./invite-management.js";
import { isInviteActive, type InviteFacts } from "./invite.js";

const NOW = Date.UTC(2026, 2, 16, 12, 0, 0);
const DAY = 24 * 60 * 60 * 1000;
const invite = (overrides: Partial<InviteFacts> = {}): InviteFacts => ({ revokedAt: null, expiresAt: null, uses: 0, maxUses: null, ...overrides });

describe("isPaused", () => {
  it.each<[string, number | null, boolean]>([
    ["not paused", null, false],
    ["paused until tomorrow", NOW + DAY, true],
    ["paused until 1 ms from now", NOW + 1, true],
    ["a pause ending exactly now is over", NOW, false],
    ["a pause that ended yesterday", NOW - DAY, false],
  ])("%s", (_name, pausedUntil, paused) => {
    expect(isPaused({ pausedUntil }, NOW)).toBe(paused);
  });
});

describe("pauseProblem (after now, at most 30 days ahead, or null)", () => {
  it.each<[string, number | null, ReturnType<typeof pauseProblem>]>([
    ["null resumes", null, null],
    ["one hour", NOW + 3_600_000, null],
    ["exactly 30 days", NOW + MAX_INVITE_PAUSE_MS, null],
    ["30 days and 1 ms", NOW + MAX_INVITE_PAUSE_MS + 1, "too far ahead"],
    ["now", NOW, "in the past"],
    ["yesterday", NOW - DAY, "in the past"],
  ])("%s", (_name, until, problem) => {
    expect(pauseProblem(until, NOW)).toBe(problem);
  });
  it("30 days is 30 × 24 hours", () => {
    expect(MAX_INVITE_PAUSE_MS).toBe(30 * DAY);
  });
});

describe("applyInviteEdit: only the keys given change", () => {
  const before = invite({ uses: 2, maxUses: 5, expiresAt: NOW + DAY });
  it.each<[string, Parameters<typeof applyInviteEdit>[1], Partial<InviteFacts>]>([
    ["nothing", {}, {}],
    ["max_uses only", { maxUses: 9 }, { maxUses: 9 }],
    ["max_uses to unlimited", { maxUses: null }, { maxUses: null }],
    ["expires_at only", { expiresAt: NOW + 2 * DAY }, { expiresAt: NOW + 2 * DAY }],
    ["expires_at to never", { expiresAt: null }, { expiresAt: null }],
    ["both", { maxUses: 3, expiresAt: null }, { maxUses: 3, expiresAt: null }],
  ])("%s", (_name, edit, changed) => {
    expect(applyInviteEdit(before, edit)).toEqual({ ...before, ...changed });
  });
});

describe("isMaxUsesAllowed", () => {
  it.each<[number | null, number, boolean]>([
    [null, 100, true],
    [3, 2, true],
    [3, 3, true],
    [2, 3, false],
    [1, 0, true],
  ])("max_uses %s with %s uses: %s", (maxUses, uses, allowed) => {
    expect(isMaxUsesAllowed(maxUses, uses)).toBe(allowed);
  });
});

describe("editRevivesInvite and inviteEditOutcome", () => {
  it.each<[string, InviteFacts, Parameters<typeof applyInviteEdit>[1], boolean]>([
    ["raising max_uses of a used-up invite", invite({ uses: 3, maxUses: 3 }), { maxUses: 4 }, true],
    ["unlimited uses for a used-up invite", invite({ uses: 3, maxUses: 3 }), { maxUses: null }, true],
    ["a future expiry for an expired invite", invite({ expiresAt: NOW - DAY }), { expiresAt: NOW + DAY }, true],
    ["never for an expired invite", invite({ expiresAt: NOW - DAY }), { expiresAt: null }, true],
    ["raising max_uses of an active invite", invite({ uses: 1, maxUses: 3 }), { maxUses: 5 }, false],
    ["raising max_uses of an expired invite", invite({ uses: 3, maxUses: 3, expiresAt: NOW - DAY }), { maxUses: 5 }, false],
    ["lowering max_uses to the uses (used up now)", invite({ uses: 2, maxUses: 5 }), { maxUses: 2 }, false],
    ["any edit of a revoked invite", invite({ revokedAt: NOW - 1, uses: 3, maxUses: 3 }), { maxUses: 10 }, false],
  ])("%s revives it: %s", (_name, before, edit, revives) => {
    expect(editRevivesInvite(before, applyInviteEdit(before, edit), NOW)).toBe(revives);
    expect(inviteEditOutcome(before, edit, 19, NOW)).toBe("ok");
    expect(inviteEditOutcome(before, edit, 20, NOW)).toBe(revives ? "quota reached" : "ok");
  });

  it("refuses max_uses below the uses, before the quota", () => {
    expect(inviteEditOutcome(invite({ uses: 4, maxUses: 4 }), { maxUses: 3 }, 20, NOW)).toBe("max uses below uses");
    expect(inviteEditOutcome(invite({ uses: 4, maxUses: null }), { maxUses: 3 }, 0, NOW)).toBe("max uses below uses");
  });

  it("an allowed edit never leaves uses above max_uses, and never adds an active invite to a full chat", () => {
    fc.assert(
      fc.property(
        fc.record({
          uses: fc.integer({ min: 0, max: 10 }),
          maxUses: fc.option(fc.integer({ min: 1, max: 10 })),
          expiresAt: fc.option(fc.integer({ min: NOW - 2 * DAY, max: NOW + 2 * DAY })),
          revoked: fc.boolean(),
        }),
        fc.record({ maxUses: fc.option(fc.integer({ min: 1, max: 12 })), expiresAt: fc.option(fc.integer({ min: NOW - DAY, max: NOW + DAY })) }, { requiredKeys: [] }),
        fc.integer({ min: 0, max: 20 }),
        (raw, edit, active) => {
          const maxUses = raw.maxUses === null ? null : Math.max(raw.maxUses, raw.uses === 0 ? 1 : raw.uses);
          const before = invite({ uses: raw.uses, maxUses, expiresAt: raw.expiresAt, revokedAt: raw.revoked ? NOW - 1 : null });
          const outcome = inviteEditOutcome(before, edit, active, NOW);
          if (outcome !== "ok") return;
          const after = applyInviteEdit(before, edit);
          expect(after.maxUses === null || after.uses <= after.maxUses).toBe(true);
          const added = !isInviteActive(before, NOW) && isInviteActive(after, NOW) ? 1 : 0;
          expect(active + added).toBeLessThanOrEqual(Math.max(active, 20));
        },
      ),
    );
  });
});
