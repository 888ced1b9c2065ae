import { describe, it, expect } from "vitest";
import {
  PERMISSION_LEVEL_NAMES,
  PermissionLevel,
  canActOn,
  canManageChat,
  canSeeChat,
  chatAccess,
  isPermissionLevel,
  permissionLevelFromName,
  type ActorRef,
  type ChatAccess,
  type ChatAccessFacts,
  type Visibility,
} from "./permissions.js";

/*
 * The expected values below are an independent restatement of SPEC section 2, written out
 * plainly; none of them is computed by calling the functions under test.
 *
 *   can act on:    actor.level > target.level, or both are Owners (level 3).
 *   can manage:    the chat's owner always; otherwise a private chat: nobody; a public/official
 *                  chat: whoever can act on its owner. Decision: a public/official chat with no
 *                  owner is managed by Admins (2) and Owners (3).
 *   can see:       it is public/official, or the actor owns it or is a member.
 *   chat access:   "manage" when the actor can manage it, "see" when they can only see it,
 *                  "none" (404, no existence leak) when they cannot see it.
 */

type Level = 0 | 1 | 2 | 3;
const LEVELS: readonly Level[] = [0, 1, 2, 3];
const LEVEL_LABEL: Record<Level, string> = { 0: "User", 1: "Mod", 2: "Admin", 3: "Owner" };
const VISIBILITIES: readonly Visibility[] = ["private", "public", "official"];

/**
 * "can act on" written out as a literal table: ACT_ON[actor][target].
 * Rows: actor User, Mod, Admin, Owner. Columns: target User, Mod, Admin, Owner.
 */
const ACT_ON: Record<Level, Record<Level, boolean>> = {
  0: { 0: false, 1: false, 2: false, 3: false },
  1: { 0: true, 1: false, 2: false, 3: false },
  2: { 0: true, 1: true, 2: false, 3: false },
  3: { 0: true, 1: true, 2: true, 3: true },
};

type Relation = "owner" | "member" | "stranger";
type OwnerSpec = Level | "none";

interface MatrixCase {
  name: string;
  actorLevel: Level;
  owner: OwnerSpec;
  visibility: Visibility;
  relation: Relation;
  manage: boolean;
  see: boolean;
  access: ChatAccess;
}

/** The SPEC oracle, in the SPEC's own words, on the literal tables above. */
function oracleManage(actorLevel: Level, owner: OwnerSpec, visibility: Visibility, relation: Relation): boolean {
  if (relation === "owner") return true; // "the chat's owner always"
  if (visibility === "private") return false; // "otherwise a private chat: nobody"
  if (owner === "none") return actorLevel === 2 || actorLevel === 3; // Decision: Admins and Owners
  return ACT_ON[actorLevel][owner]; // "whoever can act on its owner"
}

function oracleSee(visibility: Visibility, relation: Relation): boolean {
  if (visibility === "public" || visibility === "official") return true;
  return relation === "owner" || relation === "member";
}

const ACTOR_ID = 1;
const OTHER_OWNER_ID = 2;

function buildCases(): MatrixCase[] {
  const cases: MatrixCase[] = [];
  for (const actorLevel of LEVELS) {
    for (const owner of [...LEVELS, "none"] as const) {
      for (const visibility of VISIBILITIES) {
        for (const relation of ["owner", "member", "stranger"] as const) {
          // "owner" means the actor IS the owner, so the owner's level is the actor's own level;
          // a chat without an owner has nobody in the "owner" relation.
          if (relation === "owner" && owner !== actorLevel) continue;
          const manage = oracleManage(actorLevel, owner, visibility, relation);
          const see = oracleSee(visibility, relation);
          const access: ChatAccess = manage ? "manage" : see ? "see" : "none";
          const ownerLabel = owner === "none" ? "no owner" : `owner ${LEVEL_LABEL[owner]}(${owner})`;
          cases.push({
            name: `actor ${LEVEL_LABEL[actorLevel]}(${actorLevel}) · ${ownerLabel} · ${visibility} · ${relation} → ${access}`,
            actorLevel,
            owner,
            visibility,
            relation,
            manage,
            see,
            access,
          });
        }
      }
    }
  }
  return cases;
}

const MATRIX = buildCases();

function factsFor(c: Pick<MatrixCase, "actorLevel" | "owner" | "visibility" | "relation">): {
  actor: ActorRef;
  chat: ChatAccessFacts;
  isMember: boolean;
} {
  const actor: ActorRef = { id: ACTOR_ID, level: c.actorLevel };
  const chat: ChatAccessFacts =
    c.owner === "none"
      ? { ownerId: null, ownerLevel: null, visibility: c.visibility }
      : {
          ownerId: c.relation === "owner" ? ACTOR_ID : OTHER_OWNER_ID,
          ownerLevel: c.owner,
          visibility: c.visibility,
        };
  return { actor, chat, isMember: c.relation === "member" };
}

describe("PermissionLevel", () => {
  it("numbers the levels User 0 · Mod 1 · Admin 2 · Owner 3", () => {
    expect(PermissionLevel).toEqual({ User: 0, Mod: 1, Admin: 2, Owner: 3 });
    expect(PERMISSION_LEVEL_NAMES).toEqual(["user", "mod", "admin", "owner"]);
  });

  it.each([0, 1, 2, 3])("isPermissionLevel(%s) is true", (value) => {
    expect(isPermissionLevel(value)).toBe(true);
  });

  it.each([-1, 4, 1.5, Number.NaN, "1", "owner", null, undefined, true, {}])(
    "isPermissionLevel(%s) is false",
    (value) => {
      expect(isPermissionLevel(value)).toBe(false);
    },
  );
});

describe("permissionLevelFromName", () => {
  it.each([
    ["user", 0],
    ["mod", 1],
    ["admin", 2],
    ["owner", 3],
  ] as const)("%s → %i", (name, level) => {
    expect(permissionLevelFromName(name)).toBe(level);
  });

  it.each(LEVELS)("round trips level %i through its name", (level) => {
    const name = PERMISSION_LEVEL_NAMES[level];
    expect(name).toBeDefined();
    expect(permissionLevelFromName(name as string)).toBe(level);
  });

  it.each(["", "Owner", "ADMIN", " user", "user ", "moderator", "superuser", "0", "3", "toString", "length", "constructor"])(
    "unknown name %j → null",
    (name) => {
      expect(permissionLevelFromName(name)).toBeNull();
    },
  );
});

describe("canActOn: all 16 pairs", () => {
  const pairs = LEVELS.flatMap((actor) =>
    LEVELS.map((target) => ({
      actor,
      target,
      expected: ACT_ON[actor][target],
      name: `${LEVEL_LABEL[actor]}(${actor}) on ${LEVEL_LABEL[target]}(${target}) → ${ACT_ON[actor][target]}`,
    })),
  );

  it("covers exactly 16 pairs", () => {
    expect(pairs).toHaveLength(16);
  });

  it.each(pairs)("$name", ({ actor, target, expected }) => {
    expect(canActOn(actor, target)).toBe(expected);
  });

  it("Owner on Owner is the only equal-level pair that is allowed", () => {
    expect(canActOn(3, 3)).toBe(true);
    expect(canActOn(0, 0)).toBe(false);
    expect(canActOn(1, 1)).toBe(false);
    expect(canActOn(2, 2)).toBe(false);
  });

  it("nobody acts on someone above them", () => {
    expect(canActOn(2, 3)).toBe(false);
    expect(canActOn(0, 1)).toBe(false);
    expect(canActOn(1, 3)).toBe(false);
  });
});

describe("chat access matrix (4 actor levels × 4 owner levels + no owner × 3 visibilities × owner/member/stranger)", () => {
  it("has every combination: 12 owner cases + 4×5×3×2 member/stranger cases", () => {
    // owner relation: 4 actor levels × 3 visibilities (owner level = actor level)
    // member/stranger: 4 actor levels × 5 owner specs × 3 visibilities × 2 relations
    expect(MATRIX).toHaveLength(12 + 120);
    expect(new Set(MATRIX.map((c) => c.name)).size).toBe(MATRIX.length);
  });

  it.each(MATRIX)("$name", (c) => {
    const { actor, chat, isMember } = factsFor(c);
    expect(canManageChat(actor, chat)).toBe(c.manage);
    expect(canSeeChat(actor, chat, isMember)).toBe(c.see);
    expect(chatAccess(actor, chat, isMember)).toBe(c.access);
  });
});

describe("chat access: hand-written spot checks of the SPEC", () => {
  const publicOf = (ownerLevel: Level): ChatAccessFacts => ({ ownerId: 2, ownerLevel, visibility: "public" });
  const officialOf = (ownerLevel: Level): ChatAccessFacts => ({ ownerId: 2, ownerLevel, visibility: "official" });
  const privateOf = (ownerLevel: Level): ChatAccessFacts => ({ ownerId: 2, ownerLevel, visibility: "private" });
  const unowned = (visibility: Visibility): ChatAccessFacts => ({ ownerId: null, ownerLevel: null, visibility });
  const actor = (level: Level): ActorRef => ({ id: 1, level });

  it.each<[string, ActorRef, ChatAccessFacts, boolean, ChatAccess]>([
    ["a User owning a private chat manages it", { id: 2, level: 0 }, privateOf(0), false, "manage"],
    ["a User owning a public chat manages it", { id: 2, level: 0 }, publicOf(0), false, "manage"],
    ["an Owner does not manage someone else's private chat they are a member of", actor(3), privateOf(0), true, "see"],
    ["an Owner cannot see someone else's private chat they are not in", actor(3), privateOf(0), false, "none"],
    ["an Admin manages a public chat of a Mod", actor(2), publicOf(1), false, "manage"],
    ["an Admin manages an official chat of a User", actor(2), officialOf(0), false, "manage"],
    ["an Admin only sees a public chat of another Admin", actor(2), publicOf(2), false, "see"],
    ["an Admin only sees an official chat of an Owner", actor(2), officialOf(3), true, "see"],
    ["an Owner manages a public chat of another Owner", actor(3), publicOf(3), false, "manage"],
    ["a Mod only sees a public chat of another Mod", actor(1), publicOf(1), true, "see"],
    ["a Mod manages a public chat of a User", actor(1), publicOf(0), false, "manage"],
    ["a User only sees a public chat of another User", actor(0), publicOf(0), false, "see"],
    ["an Admin manages an unowned public chat", actor(2), unowned("public"), false, "manage"],
    ["an Owner manages an unowned official chat", actor(3), unowned("official"), false, "manage"],
    ["a Mod only sees an unowned public chat", actor(1), unowned("public"), true, "see"],
    ["a User only sees an unowned official chat", actor(0), unowned("official"), false, "see"],
    ["an Owner cannot see an unowned private chat they are not in", actor(3), unowned("private"), false, "none"],
    ["an Admin member of an unowned private chat only sees it", actor(2), unowned("private"), true, "see"],
  ])("%s", (_name, who, chat, isMember, expected) => {
    expect(chatAccess(who, chat, isMember)).toBe(expected);
    expect(canManageChat(who, chat)).toBe(expected === "manage");
    expect(canSeeChat(who, chat, isMember)).toBe(expected !== "none");
  });

  it("membership does not grant management", () => {
    for (const level of LEVELS) {
      expect(canManageChat(actor(level), privateOf(0))).toBe(false);
    }
  });

  it("the owner manages their chat whatever its visibility and their level", () => {
    for (const visibility of VISIBILITIES) {
      for (const level of LEVELS) {
        const chat: ChatAccessFacts = { ownerId: 7, ownerLevel: level, visibility };
        expect(canManageChat({ id: 7, level }, chat)).toBe(true);
        expect(chatAccess({ id: 7, level }, chat, false)).toBe("manage");
      }
    }
  });

  it("a chat without an owner is never treated as owned by anybody", () => {
    for (const visibility of VISIBILITIES) {
      const chat = unowned(visibility);
      expect(canSeeChat({ id: 1, level: 0 }, chat, false)).toBe(visibility !== "private");
    }
  });
});
