/** The create requests every create scenario sends, shared by run.ts and ab.ts. */
import type { SeedInfo } from "./seed.js";

export const EXPIRES_AT = "2099-05-01T00:00:00Z";

export const json = { "Content-Type": "application/json" };
export const cookie = (seed: SeedInfo) => ({ Cookie: `psession=${seed.ownerToken}` });
export const createBody = `{"max_uses":10,"expires_at":"${EXPIRES_AT}"}`;

/** A create on a random chat of the pool, over REST and over tRPC: the same request for the floor and the project. */
export const restCreate = (seed: SeedInfo, url: string) => ({
  url,
  method: "POST" as const,
  path: "/v1/portal/chats/{chat}/invites",
  body: createBody,
  headers: { ...json, ...cookie(seed) },
  chats: seed.poolChats,
});
export const trpcCreate = (seed: SeedInfo, url: string) => ({
  url,
  method: "POST" as const,
  path: "/trpc/invite.create",
  body: `{"chat_id":{chat},"max_uses":10,"expires_at":"${EXPIRES_AT}"}`,
  headers: { ...json, ...cookie(seed) },
  chats: seed.poolChats,
});
