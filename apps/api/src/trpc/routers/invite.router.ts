import {
  chatRefInputSchema,
  createInviteInputSchema,
  inviteCodeInputSchema,
  inviteRefInputSchema,
} from "@portal/contracts";
import { createInvite, listInvites, previewInvite, redeemInvite, revokeInvite } from "../../services/invite.service.js";
import { authedProcedure, router } from "../trpc.js";

export const inviteRouter = router({
  create: authedProcedure
    .input(createInviteInputSchema)
    .mutation(({ ctx, input }) => createInvite(ctx.deps, ctx.user, input)),
  list: authedProcedure.input(chatRefInputSchema).query(({ ctx, input }) => listInvites(ctx.deps, ctx.user, input.chat_id)),
  revoke: authedProcedure.input(inviteRefInputSchema).mutation(({ ctx, input }) => revokeInvite(ctx.deps, ctx.user, input)),
  preview: authedProcedure.input(inviteCodeInputSchema).query(({ ctx, input }) => previewInvite(ctx.deps, ctx.user, input.code)),
  redeem: authedProcedure.input(inviteCodeInputSchema).mutation(({ ctx, input }) => redeemInvite(ctx.deps, ctx.user, input.code)),
});
