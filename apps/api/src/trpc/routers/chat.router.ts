import { activityInputSchema } from "@portal/contracts";
import { chatActivity, manageableChats, myChats } from "../../services/chat.service.js";
import { authedProcedure, router } from "../trpc.js";

export const chatRouter = router({
  activity: authedProcedure.input(activityInputSchema).query(({ ctx, input }) => chatActivity(ctx.deps, ctx.user, input)),
  mine: authedProcedure.query(({ ctx }) => myChats(ctx.deps, ctx.user)),
  manageable: authedProcedure.query(({ ctx }) => manageableChats(ctx.deps, ctx.user)),
});
