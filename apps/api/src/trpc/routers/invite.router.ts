import {
  ErrorMessage,
  chatRefInputSchema,
  createInviteInputSchema,
  inviteCodeInputSchema,
  inviteRefInputSchema,
} from "@portal/contracts";
import { badRequest } from "../../services/errors.js";
import { createInvite, createInviteOnce, listInvites, previewInvite, redeemInvite, revokeInvite } from "../../services/invite.service.js";
import { authedProcedure, router } from "../trpc.js";

export const inviteRouter = router({
  create: authedProcedure
    .input(createInviteInputSchema)
    .mutation(({ ctx, input }) => {
      const idempotency = ctx.idempotency;
      if (idempotency?.key === undefined) return createInvite(ctx.deps, ctx.user, input);
      // One HTTP response carries one Idempotent-Replayed header, and a retried batch is not one request.
      if (idempotency.calls > 1) throw badRequest(ErrorMessage.idempotencyKeyInBatch);
      return createInviteOnce(ctx.deps, ctx.user, input, idempotency.key, idempotency.markReplayed);
    }),
  list: authedProcedure.input(chatRefInputSchema).query(({ ctx, input }) => listInvites(ctx.deps, ctx.user, input.chat_id)),
  revoke: authedProcedure.input(inviteRefInputSchema).mutation(({ ctx, input }) => revokeInvite(ctx.deps, ctx.user, input)),
  preview: authedProcedure.input(inviteCodeInputSchema).query(({ ctx, input }) => previewInvite(ctx.deps, ctx.user, input.code)),
  redeem: authedProcedure.input(inviteCodeInputSchema).mutation(({ ctx, input }) => redeemInvite(ctx.deps, ctx.user, input.code)),
});
