/** The create requests every create scenario sends, shared by run.ts and ab.ts. */
import type { SeedInfo } from "./seed.js";

export const EXPIRES_AT = "2099-05-01T00:00:00Z";

export const json = { "Content-Type": "application/json" };
/** What a create needs of a seeded database: the owner's session and the chats to pick from. */
type CreateSeed = Pick<SeedInfo, "ownerToken" | "poolChats">;

export const cookie = (seed: Pick<SeedInfo, "ownerToken">) => ({ Cookie: `psession=${seed.ownerToken}` });
export const createBody = `{"max_uses":10,"expires_at":"${EXPIRES_AT}"}`;

/** A create on a random chat of the pool, over REST and over tRPC: the same request for the floor and the project. */
export const restCreate = (seed: CreateSeed, url: string) => ({
  url,
  method: "POST" as const,
  path: "/v1/portal/chats/{chat}/invites",
  body: createBody,
  headers: { ...json, ...cookie(seed) },
  chats: seed.poolChats,
});
export const trpcCreate = (seed: CreateSeed, url: string) => ({
  url,
  method: "POST" as const,
  path: "/trpc/invite.create",
  body: `{"chat_id":{chat},"max_uses":10,"expires_at":"${EXPIRES_AT}"}`,
  headers: { ...json, ...cookie(seed) },
  chats: seed.poolChats,
});
