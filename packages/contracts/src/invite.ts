import { z } from "zod";
import { chatIdSchema, inviteCodeSchema, MAX_INT32, messageSchema, timestampSchema, visibilitySchema } from "./common.js";
import { timestampInputSchema } from "./time.js";

const EXPIRES_AT_FORMAT =
  "expires_at must be an ISO 8601 date-time with a UTC offset, such as 2026-05-01T00:00:00Z, or null";

export const maxUsesSchema = z
  .int({ error: "max_uses must be a whole number from 1 to 2147483647, or null for unlimited" })
  .min(1, { error: "max_uses must be at least 1" })
  .max(MAX_INT32, { error: `max_uses must be at most ${MAX_INT32}` })
  .nullable()
  .meta({ description: "Maximum number of times the invite can be used. null for unlimited." });

export const expiresAtInputSchema = timestampInputSchema("expires_at", EXPIRES_AT_FORMAT)
  .nullable()
  .meta({
    description: "ISO 8601 expiry timestamp with a UTC offset (Z or ±hh:mm). null for no expiry.",
    example: "2026-05-01T00:00:00Z",
  });

/** Body of `POST /v1/portal/chats/{chat_id}/invites`. An empty body means both null. */
export const createInviteBodySchema = z.strictObject({
  max_uses: maxUsesSchema.optional(),
  expires_at: expiresAtInputSchema.optional(),
});
export type CreateInviteBody = z.infer<typeof createInviteBodySchema>;

/** tRPC `invite.create`: the same body, with the chat from the path as a field. */
export const createInviteInputSchema = z.strictObject({
  chat_id: chatIdSchema,
  max_uses: maxUsesSchema.optional(),
  expires_at: expiresAtInputSchema.optional(),
});
export type CreateInviteInput = z.infer<typeof createInviteInputSchema>;

export const chatRefInputSchema = z.strictObject({ chat_id: chatIdSchema });
export type ChatRefInput = z.infer<typeof chatRefInputSchema>;

export const inviteRefInputSchema = z.strictObject({ chat_id: chatIdSchema, code: inviteCodeSchema });
export type InviteRefInput = z.infer<typeof inviteRefInputSchema>;

export const inviteCodeInputSchema = z.strictObject({ code: inviteCodeSchema });
export type InviteCodeInput = z.infer<typeof inviteCodeInputSchema>;

export const inviteSchema = z
  .object({
    code: z.string().meta({ description: "The generated invite code.", example: "abc123def456ghi7" }),
    chat_id: z.int().meta({ description: "Chat the invite belongs to." }),
    created_by_id: z.int().nullable().meta({ description: "User ID who created the invite. null if that user has since been deleted." }),
    created_at: timestampSchema,
    expires_at: timestampSchema.nullable(),
    uses: z.int().min(0).meta({ description: "Current use count (starts at 0)." }),
    max_uses: z.int().min(1).nullable().meta({ description: "Max uses, or null for unlimited." }),
  })
  .meta({ id: "Invite" });
export type Invite = z.infer<typeof inviteSchema>;

export const inviteListSchema = z.object({ invites: z.array(inviteSchema) }).meta({ id: "InviteList" });
export type InviteList = z.infer<typeof inviteListSchema>;

export const revokeInviteResultSchema = messageSchema;
export type RevokeInviteResult = z.infer<typeof revokeInviteResultSchema>;

export const invitePreviewSchema = z
  .object({
    chat: z.object({
      id: z.int(),
      name: z.string(),
      description: z.string().nullable(),
      visibility: visibilitySchema,
      member_count: z.int().min(0),
    }),
    expires_at: timestampSchema.nullable(),
    uses: z.int().min(0),
    max_uses: z.int().min(1).nullable(),
    already_member: z.boolean(),
    join_approval: z.boolean().meta({ description: "Whether a join becomes a request a manager approves (SPEC section 10)." }),
  })
  .meta({ id: "InvitePreview" });
export type InvitePreview = z.infer<typeof invitePreviewSchema>;

export const chatSummarySchema = z
  .object({
    id: z.int(),
    name: z.string(),
    is_public: z.boolean(),
    visibility: visibilitySchema,
    created_at: timestampSchema,
  })
  .meta({ id: "ChatSummary" });
export type ChatSummary = z.infer<typeof chatSummarySchema>;

export const redeemResultSchema = z
  .object({ chat: chatSummarySchema, already_member: z.boolean() })
  .meta({ id: "RedeemResult" });
export type RedeemResult = z.infer<typeof redeemResultSchema>;
