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

  it("takes a whole number from 1 to 2,147,483,647", () => {
    expect(resolveMaxUses("limited", " 2 ")).toEqual({ ok: true, maxUses: 2 });
    expect(resolveMaxUses("limited", "1")).toEqual({ ok: true, maxUses: 1 });
    expect(resolveMaxUses("limited", "2147483647")).toEqual({ ok: true, maxUses: 2147483647 });
  });

  it.each(["0", "2.5", "1e3", "-1", "+5", "0x10", "2147483648", "two", "1 000"])(
    "refuses %s before sending, in a person's words",
    (text) => {
      expect(resolveMaxUses("limited", text)).toEqual({
        ok: false,
        error: "Enter a whole number of uses from 1 to 2,147,483,647, or choose Unlimited",
      });
    },
  );

  it("asks for a number when the field is empty", () => {
    expect(resolveMaxUses("limited", "")).toEqual({ ok: false, error: "Enter how many times the invite can be used, or choose Unlimited" });
  });
});

describe("creatorName", () => {
  const me = { id: 7, username: "maya" };
  const people = new Map([
    [4, "umar"],
    [3, "maya"],
  ]);

  it("names the person, or whom chat.people named", () => {
    expect(creatorName(7, me, people)).toBe("maya (you)");
    expect(creatorName(4, me, people)).toBe("umar");
    expect(creatorName(9, me, people)).toBe("…");
  });

  it("says when the creator's account was deleted", () => {
    expect(creatorName(null, me, people)).toBe("a deleted user");
  });
});
