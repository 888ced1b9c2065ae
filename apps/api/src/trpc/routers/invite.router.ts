import {
  ErrorMessage,
  chatRefInputSchema,
  createInviteInputSchema,
  inviteCodeInputSchema,
  inviteRefInputSchema,
  updateInviteInputSchema,
} from "@portal/contracts";
import { authenticate, optionalUser } from "../../services/auth.service.js";
import { badRequest } from "../../services/errors.js";
import { revokeAllInvites, updateInvite } from "../../services/invite-management.service.js";
import { createInvite, createInviteOnce, listInvites, previewInvite, redeemInvite, revokeInvite } from "../../services/invite.service.js";
import { authedProcedure, publicProcedure, router } from "../trpc.js";

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
  update: authedProcedure.input(updateInviteInputSchema).mutation(({ ctx, input }) => updateInvite(ctx.deps, ctx.user, input)),
  revokeAll: authedProcedure.input(chatRefInputSchema).mutation(({ ctx, input }) => revokeAllInvites(ctx.deps, ctx.user, input.chat_id)),
  // Signed out too (SPEC section 10): a join page shows where a link leads before the sign-in step.
  preview: publicProcedure.input(inviteCodeInputSchema).query(async ({ ctx, input }) => {
    const user = await optionalUser(ctx.authenticate ? ctx.authenticate() : authenticate(ctx.deps, ctx.session.token));
    if (user) ctx.onUser?.(user.id);
    return previewInvite(ctx.deps, user, input.code);
  }),
  redeem: authedProcedure.input(inviteCodeInputSchema).mutation(({ ctx, input }) => redeemInvite(ctx.deps, ctx.user, input.code)),
});
