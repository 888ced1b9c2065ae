import {
  activityInputSchema,
  chatRefInputSchema,
  joinRequestRefInputSchema,
  joinRequestsInputSchema,
  updateInviteSettingsInputSchema,
} from "@portal/contracts";
import { chatActivity, chatPeople, manageableChats, myChats } from "../../services/chat.service.js";
import {
  approveJoinRequest,
  declineJoinRequest,
  inviteSettings,
  joinRequests,
  updateInviteSettings,
} from "../../services/invite-management.service.js";
import { authedProcedure, router } from "../trpc.js";

export const chatRouter = router({
  activity: authedProcedure.input(activityInputSchema).query(({ ctx, input }) => chatActivity(ctx.deps, ctx.user, input)),
  mine: authedProcedure.query(({ ctx }) => myChats(ctx.deps, ctx.user)),
  manageable: authedProcedure.query(({ ctx }) => manageableChats(ctx.deps, ctx.user)),
  /** tRPC only: the names of the people the chat's invites page shows (its invites' creators). */
  people: authedProcedure.input(chatRefInputSchema).query(({ ctx, input }) => chatPeople(ctx.deps, ctx.user, input.chat_id)),
  inviteSettings: authedProcedure.input(chatRefInputSchema).query(({ ctx, input }) => inviteSettings(ctx.deps, ctx.user, input.chat_id)),
  updateInviteSettings: authedProcedure
    .input(updateInviteSettingsInputSchema)
    .mutation(({ ctx, input }) => updateInviteSettings(ctx.deps, ctx.user, input)),
  joinRequests: authedProcedure.input(joinRequestsInputSchema).query(({ ctx, input }) => joinRequests(ctx.deps, ctx.user, input)),
  approveJoinRequest: authedProcedure
    .input(joinRequestRefInputSchema)
    .mutation(({ ctx, input }) => approveJoinRequest(ctx.deps, ctx.user, input)),
  declineJoinRequest: authedProcedure
    .input(joinRequestRefInputSchema)
    .mutation(({ ctx, input }) => declineJoinRequest(ctx.deps, ctx.user, input)),
});
