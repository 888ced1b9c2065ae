/**
 * Invite management beyond the documented routes (SPEC section 10): editing an invite, revoking
 * all of a chat's invites, pausing a chat's invites, join approval and join requests.
 */
import { z } from "zod";
import { boundedIntSchema, chatIdSchema, idSchema, inviteCodeSchema, timestampSchema } from "./common.js";
import { chatSummarySchema, expiresAtInputSchema, maxUsesSchema } from "./invite.js";
import { publicUserSchema } from "./chat.js";
import { ErrorMessage } from "./messages.js";
import { timestampInputSchema } from "./time.js";

const hasAKey = (value: object) => Object.keys(value).length > 0;

/** Body of `POST /v1/portal/chats/{chat_id}/invites/{code}/update`: only the keys given change. */
export const updateInviteBodySchema = z
  .strictObject({ max_uses: maxUsesSchema.optional(), expires_at: expiresAtInputSchema.optional() })
  .refine(hasAKey, { error: ErrorMessage.inviteUpdateEmpty });
export type UpdateInviteBody = z.infer<typeof updateInviteBodySchema>;

/** tRPC `invite.update`: the path's chat and code as fields beside the body's. */
export const updateInviteInputSchema = z
  .strictObject({
    chat_id: chatIdSchema,
    code: inviteCodeSchema,
    max_uses: maxUsesSchema.optional(),
    expires_at: expiresAtInputSchema.optional(),
  })
  .refine((v) => v.max_uses !== undefined || v.expires_at !== undefined, { error: ErrorMessage.inviteUpdateEmpty });
export type UpdateInviteInput = z.infer<typeof updateInviteInputSchema>;

export const revokeAllResultSchema = z
  .object({ revoked: z.int().min(0).meta({ description: "How many active invites were revoked." }) })
  .meta({ id: "RevokeAllResult" });
export type RevokeAllResult = z.infer<typeof revokeAllResultSchema>;

export const inviteSettingsSchema = z
  .object({
    paused_until: timestampSchema.nullable().meta({ description: "Joins and previews answer 403 until then; null when not paused." }),
    join_approval: z.boolean().meta({ description: "Whether a join becomes a request a manager approves." }),
  })
  .meta({ id: "InviteSettings" });
export type InviteSettings = z.infer<typeof inviteSettingsSchema>;

const PAUSED_UNTIL_FORMAT =
  "paused_until must be an ISO 8601 date-time with a UTC offset, such as 2026-05-01T00:00:00Z, or null to resume";

const pausedUntilSchema = timestampInputSchema("paused_until", PAUSED_UNTIL_FORMAT)
  .nullable()
  .meta({ description: "Pause invites until then (at most 30 days ahead); null resumes.", example: "2026-05-01T00:00:00Z" });

const joinApprovalSchema = z.boolean({ error: "join_approval must be true or false" });

export const updateInviteSettingsBodySchema = z
  .strictObject({ paused_until: pausedUntilSchema.optional(), join_approval: joinApprovalSchema.optional() })
  .refine(hasAKey, { error: ErrorMessage.inviteSettingsUpdateEmpty });
export type UpdateInviteSettingsBody = z.infer<typeof updateInviteSettingsBodySchema>;

export const updateInviteSettingsInputSchema = z
  .strictObject({ chat_id: chatIdSchema, paused_until: pausedUntilSchema.optional(), join_approval: joinApprovalSchema.optional() })
  .refine((v) => v.paused_until !== undefined || v.join_approval !== undefined, { error: ErrorMessage.inviteSettingsUpdateEmpty });
export type UpdateInviteSettingsInput = z.infer<typeof updateInviteSettingsInputSchema>;

export const JOIN_REQUESTS_DEFAULT_LIMIT = 50;
export const JOIN_REQUESTS_MAX_LIMIT = 100;

export const joinRequestsInputSchema = z.strictObject({
  chat_id: chatIdSchema,
  offset: boundedIntSchema("offset", 0, Number.MAX_SAFE_INTEGER, 0),
  limit: boundedIntSchema("limit", 1, JOIN_REQUESTS_MAX_LIMIT, JOIN_REQUESTS_DEFAULT_LIMIT),
});
export type JoinRequestsInput = z.input<typeof joinRequestsInputSchema>;
export type JoinRequestsQuery = z.output<typeof joinRequestsInputSchema>;

export const joinRequestSchema = z.object({
  user: publicUserSchema,
  invite_code: z.string(),
  created_at: timestampSchema,
});
export type JoinRequest = z.infer<typeof joinRequestSchema>;

export const joinRequestPageSchema = z
  .object({ requests: z.array(joinRequestSchema), total: z.int().min(0), offset: z.int().min(0), limit: z.int().min(1) })
  .meta({ id: "JoinRequestPage" });
export type JoinRequestPage = z.infer<typeof joinRequestPageSchema>;

export const joinRequestRefInputSchema = z.strictObject({ chat_id: chatIdSchema, user_id: idSchema("user_id") });
export type JoinRequestRefInput = z.infer<typeof joinRequestRefInputSchema>;

/** 202 of a join with join approval on: a request was recorded (or was already pending). */
export const pendingJoinSchema = z
  .object({ chat: chatSummarySchema, already_member: z.literal(false), pending: z.literal(true) })
  .meta({ id: "PendingJoin" });
export type PendingJoin = z.infer<typeof pendingJoinSchema>;
