import { z } from "zod";
import { ErrorMessage } from "./messages.js";

/** The request header that makes a create safe to retry (SPEC section 9). */
export const IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";
/** The response header of an answer given again for a retry: `Idempotent-Replayed: true`. */
export const IDEMPOTENT_REPLAYED_HEADER = "Idempotent-Replayed";

/** 1–255 visible ASCII characters (`!` to `~`: no spaces, no control characters). */
export const idempotencyKeySchema = z
  .string({ error: ErrorMessage.idempotencyKeyInvalid })
  .regex(/^[\x21-\x7e]{1,255}$/, { error: ErrorMessage.idempotencyKeyInvalid })
  .meta({
    description:
      "Makes the request safe to retry: 1–255 visible ASCII characters, such as a UUID. The same key with the same request " +
      "within 24 hours gets the first answer again and creates nothing.",
    example: "5f0c7a8e-6a57-4d6b-9d55-3a1f0e2b9c41",
  });
