/**
 * Floor 2: `invite.create` as a bare tRPC mutation on the Express adapter (floor-create's raw SQL,
 * the input taken as it comes, the cookie read in createContext). No middleware, no zod, no Kysely:
 * no project code can be faster on tRPC than this. Needs BENCH_DB; listens on PORT.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express from "express";
import { floorDatabasePath } from "./config.js";
import { floorCreate } from "./floor-create.js";
import { listenForBench } from "./listen.js";

interface CreateInput {
  chat_id: number;
  max_uses?: number | null;
  expires_at?: string | null;
}

const create = await floorCreate(floorDatabasePath());
const t = initTRPC.context<{ cookie: string | undefined }>().create();
const router = t.router({
  invite: t.router({
    create: t.procedure
      .input((value: unknown) => value as CreateInput)
      .mutation(({ ctx, input }) => {
        const { status, body } = create(ctx.cookie, input.chat_id, input);
        if (status !== 201) throw new TRPCError({ code: status === 401 ? "UNAUTHORIZED" : status === 409 ? "CONFLICT" : "NOT_FOUND" });
        return body;
      }),
  }),
});

const app = express();
app.use("/trpc", createExpressMiddleware({ router, createContext: ({ req }) => ({ cookie: req.headers.cookie }) }));

listenForBench(app);
