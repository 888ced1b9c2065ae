import { demoLoginInputSchema, verifyInputSchema } from "@portal/contracts";
import { accountRestriction, currentUser, demoLogin, endAnySession, logout, verifyLoginCode } from "../../services/auth.service.js";
import { demoAccounts } from "../../services/demo.service.js";
import { authedProcedure, publicProcedure, router } from "../trpc.js";

export const authRouter = router({
  verify: publicProcedure.input(verifyInputSchema).mutation(async ({ ctx, input }) => {
    const { user, session } = await verifyLoginCode(ctx.deps, input.code);
    ctx.session.set(session);
    return user;
  }),
  logout: authedProcedure.mutation(async ({ ctx }) => {
    const result = await logout(ctx.deps, ctx.session.token!);
    ctx.session.clear();
    return result;
  }),
  demoLogin: publicProcedure.input(demoLoginInputSchema).mutation(async ({ ctx, input }) => {
    const { user, session } = await demoLogin(ctx.deps, ctx.demo, input.username);
    ctx.session.set(session);
    return user;
  }),
  /** Who is signed in: the user, or null. */
  session: publicProcedure.query(({ ctx }) => currentUser(ctx.deps, ctx.session.token)),
  /** tRPC only: why the session's account is banned or in a timeout (and until when), or null. */
  restriction: publicProcedure.query(({ ctx }) => accountRestriction(ctx.deps, ctx.session.token)),
  /** tRPC only: signs out whatever the account's standing (a restricted account gets 403 from logout). */
  endSession: publicProcedure.mutation(async ({ ctx }) => {
    await endAnySession(ctx.deps, ctx.session.token);
    ctx.session.clear();
    return { message: "Logged out" };
  }),
  demoAccounts: publicProcedure.query(({ ctx }) => demoAccounts(ctx.deps, ctx.demo)),
});
