import { z } from "zod";
import { timestampSchema } from "./common.js";

export const permissionLevelSchema = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]);
export const userStateSchema = z.union([z.literal(0), z.literal(1), z.literal(2)]);

export const userMeSchema = z
  .object({
    id: z.int(),
    username: z.string(),
    avatar_url: z.string().nullable(),
    permission_level: permissionLevelSchema,
    state: userStateSchema,
    created_at: timestampSchema,
  })
  .meta({ id: "User" });
export type UserMe = z.infer<typeof userMeSchema>;

/** Login codes are 8 case-sensitive characters; anything else cannot be one. */
export const verifyInputSchema = z.strictObject({
  code: z
    .string({ error: "code must be the 8-character login code, as a string" })
    .min(1, { error: "code must be the 8-character login code" })
    .max(64, { error: "code must be the 8-character login code" }),
});
export type VerifyInput = z.infer<typeof verifyInputSchema>;

export const USERNAME_PATTERN = /^[A-Za-z0-9._-]{3,32}$/;
export const usernameSchema = z
  .string({ error: "username must be a string" })
  .regex(USERNAME_PATTERN, { error: "username must be 3 to 32 of A-Z a-z 0-9 . _ -" });

export const demoLoginInputSchema = z.strictObject({ username: usernameSchema });
export type DemoLoginInput = z.infer<typeof demoLoginInputSchema>;

export const demoAccountSchema = z.object({
  username: z.string(),
  permission_level: permissionLevelSchema,
});
export const demoAccountsSchema = z.array(demoAccountSchema);
export type DemoAccount = z.infer<typeof demoAccountSchema>;

export const healthSchema = z.object({ status: z.literal("ok") }).meta({ id: "Health" });

/**
 * Why the signed-in account is restricted (tRPC only, `auth.restriction`), so the web app can say
 * when a timeout ends: null when the session's account is not restricted or there is no session.
 */
export const accountRestrictionSchema = z
  .object({ state: z.enum(["banned", "timeout"]), until: timestampSchema.nullable() })
  .nullable();
export type AccountRestriction = z.infer<typeof accountRestrictionSchema>;
