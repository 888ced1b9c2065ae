import {
  activityInputSchema,
  chatEventsInputSchema,
  chatRefInputSchema,
  ErrorMessage,
  EVENT_ID_PATTERN,
  joinRequestRefInputSchema,
  joinRequestsInputSchema,
  updateInviteSettingsInputSchema,
} from "@portal/contracts";
import { tracked, TRPCError } from "@trpc/server";
import { PullSink, STREAM_ENDS } from "../../live/stream.js";
import { chatActivity, chatPeople, manageableChats, myChats } from "../../services/chat.service.js";
import { badRequest } from "../../services/errors.js";
import { openEventStream, runEventStream } from "../../services/event-stream.service.js";
import {
  approveJoinRequest,
  declineJoinRequest,
  inviteSettings,
  joinRequests,
  updateInviteSettings,
} from "../../services/invite-management.service.js";
import { authedProcedure, router } from "../trpc.js";

export const chatRouter = router({
  /**
   * The chat's live events (SPEC section 11), each tracked by its id: httpSubscriptionLink resumes
   * after the last one by itself. Ends with UNAUTHORIZED or FORBIDDEN when the session or the
   * access ends; SERVICE_UNAVAILABLE (the client reconnects) when the server stops.
   */
  events: authedProcedure
    .input(chatEventsInputSchema)
    // The stream is opened (access, lease, where it starts) before tRPC answers `connected`, so a
    // client whose subscription has started gets every event committed from then on.
    .use(async ({ ctx, input, signal, next }) => {
      // Newest first: the header of an EventSource's own reconnect, then tRPC's lastEventId, then the caller's.
      const header = ctx.lastEventId === "" ? undefined : ctx.lastEventId;
      if (header !== undefined && !EVENT_ID_PATTERN.test(header)) throw badRequest(ErrorMessage.lastEventIdHeaderInvalid);
      const lastEventId = header ?? input.lastEventId ?? input.last_event_id ?? null;
      const stream = await openEventStream(ctx.deps, ctx.user, ctx.session.token!, { chat_id: input.chat_id, last_event_id: lastEventId });
      const leave = () => stream.end(STREAM_ENDS.client);
      if (signal?.aborted) leave();
      signal?.addEventListener("abort", leave, { once: true });
      stream.onEnd(() => signal?.removeEventListener("abort", leave));
      const result = await next({ ctx: { stream } });
      if (!result.ok) leave();
      return result;
    })
    .subscription(async function* ({ ctx }) {
      const sink = new PullSink();
      void runEventStream(ctx.deps, ctx.stream, sink);
      try {
        for await (const event of sink.events()) yield tracked(String(event.id), event.event);
        const error = sink.ended?.error;
        if (error) throw new TRPCError({ code: error.code, message: error.message });
      } finally {
        ctx.stream.end(STREAM_ENDS.client);
      }
    }),
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
