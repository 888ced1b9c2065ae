import { z } from "zod";
import { boundedIntSchema, chatIdSchema, inviteCodeFieldSchema, timestampSchema, visibilitySchema } from "./common.js";
import { chatSummarySchema } from "./invite.js";

export const ACTIVITY_DEFAULT_LIMIT = 50;
export const ACTIVITY_MAX_LIMIT = 100;

export const activityInputSchema = z.strictObject({
  chat_id: chatIdSchema,
  offset: boundedIntSchema("offset", 0, Number.MAX_SAFE_INTEGER, 0),
  limit: boundedIntSchema("limit", 1, ACTIVITY_MAX_LIMIT, ACTIVITY_DEFAULT_LIMIT),
  /** Only the events of this invite: who joined through it (SPEC section 10). */
  invite_code: inviteCodeFieldSchema("invite_code").optional(),
});
export type ActivityInput = z.input<typeof activityInputSchema>;
export type ActivityQuery = z.output<typeof activityInputSchema>;

export const activityActionSchema = z.enum(["join", "leave", "kick", "ban"]);
export const activityMethodSchema = z.enum(["direct", "vanity", "invite"]);

export const publicUserSchema = z.object({
  id: z.int(),
  username: z.string(),
  avatar_url: z.string().nullable(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

export const activityEventSchema = z.object({
  user: publicUserSchema,
  action: activityActionSchema,
  method: activityMethodSchema.nullable(),
  invite_code: z.string().nullable(),
  created_at: timestampSchema,
});
export type ActivityEvent = z.infer<typeof activityEventSchema>;

export const activityPageSchema = z
  .object({
    events: z.array(activityEventSchema),
    total: z.int().min(0),
    offset: z.int().min(0),
    limit: z.int().min(1),
  })
  .meta({ id: "ActivityPage" });
export type ActivityPage = z.infer<typeof activityPageSchema>;

export const myChatsSchema = z.array(chatSummarySchema).meta({ id: "MyChats" });
export type MyChats = z.infer<typeof myChatsSchema>;

/** A chat the actor may manage, with what the web app shows next to it. */
export const manageableChatSchema = z.object({
  id: z.int(),
  name: z.string(),
  description: z.string().nullable(),
  visibility: visibilitySchema,
  is_public: z.boolean(),
  archived: z.boolean(),
  owner: publicUserSchema.nullable(),
  member_count: z.int().min(0),
  active_invites: z.int().min(0),
  created_at: timestampSchema,
});
export type ManageableChat = z.infer<typeof manageableChatSchema>;
export const manageableChatsSchema = z.array(manageableChatSchema);

/**
 * The people a chat's invites page names (tRPC only, `chat.people`): the creators of its active
 * invites. The invite object stays as documented (`created_by_id`); the names go beside it.
 */
export const chatPeopleSchema = z.object({ users: z.array(publicUserSchema) });
export type ChatPeople = z.infer<typeof chatPeopleSchema>;
