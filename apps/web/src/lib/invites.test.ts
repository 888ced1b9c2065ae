import { describe, expect, it } from "vitest";
import { countActiveInvites, creatorName, isInviteActive, joinLink, resolveMaxUses, usageState } from "./invites";

const NOW = Date.parse("2026-03-16T12:00:00Z");

describe("usageState (uses against max)", () => {
  it("limited: label, fill and what is left", () => {
    expect(usageState(0, 2)).toEqual({ label: "0 / 2", percent: 0, left: "2 uses left", remaining: 2, usedUp: false });
    expect(usageState(1, 2)).toEqual({ label: "1 / 2", percent: 50, left: "1 use left", remaining: 1, usedUp: false });
    expect(usageState(2, 2)).toEqual({ label: "2 / 2", percent: 100, left: "No uses left", remaining: 0, usedUp: true });
  });

  it("unlimited: a count without a bar", () => {
    expect(usageState(0, null)).toEqual({ label: "0 uses", percent: null, left: "Unlimited uses", remaining: null, usedUp: false });
    expect(usageState(1, null).label).toBe("1 use");
  });

  it("rounds the fill", () => {
    expect(usageState(1, 3).percent).toBe(33);
  });
});

describe("isInviteActive / countActiveInvites", () => {
  const invites = [
    { uses: 0, max_uses: null, expires_at: null },
    { uses: 1, max_uses: 2, expires_at: "2026-03-17T00:00:00Z" },
    { uses: 2, max_uses: 2, expires_at: null },
    { uses: 0, max_uses: null, expires_at: "2026-03-16T11:59:59Z" },
  ];

  it("counts unexpired invites with uses left", () => {
    expect(invites.map((i) => isInviteActive(i, NOW))).toEqual([true, true, false, false]);
    expect(countActiveInvites(invites, NOW)).toBe(2);
  });

  it("an invite stops counting the moment it expires", () => {
    expect(countActiveInvites(invites, Date.parse("2026-03-17T00:00:00Z"))).toBe(1);
  });
});

describe("joinLink", () => {
  it("is http://<host>/join/<code>", () => {
    expect(joinLink("abc123def456ghi7", "http://localhost:3000")).toBe("http://localhost:3000/join/abc123def456ghi7");
    expect(joinLink("abc", "https://portal.example/")).toBe("https://portal.example/join/abc");
  });
});

describe("resolveMaxUses", () => {
  it("unlimited is null whatever the field holds", () => {
    expect(resolveMaxUses("unlimited", "")).toEqual({ ok: true, maxUses: null });
  });

  it("a number is sent as is, for the server to judge", () => {
    expect(resolveMaxUses("limited", " 2 ")).toEqual({ ok: true, maxUses: 2 });
    expect(resolveMaxUses("limited", "0")).toEqual({ ok: true, maxUses: 0 });
    expect(resolveMaxUses("limited", "1.5")).toEqual({ ok: true, maxUses: 1.5 });
  });

  it("an empty or non-numeric field asks for a number", () => {
    expect(resolveMaxUses("limited", "")).toMatchObject({ ok: false });
    expect(resolveMaxUses("limited", "two")).toMatchObject({ ok: false });
  });
});

describe("creatorName", () => {
  const me = { id: 7, username: "maya" };
  const owner = { id: 4, username: "umar" };

  it("names the person, the owner, or the id", () => {
    expect(creatorName(7, me, owner)).toBe("maya (you)");
    expect(creatorName(4, me, owner)).toBe("umar");
    expect(creatorName(9, me, owner)).toBe("user #9");
    expect(creatorName(9, me, null)).toBe("user #9");
  });

  it("says when the creator's account was deleted", () => {
    expect(creatorName(null, me, owner)).toBe("a deleted user");
  });
});
