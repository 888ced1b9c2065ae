import type { z } from "zod";
import { ErrorMessage } from "./messages.js";

/**
 * The one line a person reads for an invalid request: the first invalid field and why.
 * Schemas carry their own messages (`max_uses must be at least 1`); this adds the cases zod
 * words on its own (unknown keys, a body that is not an object).
 */
export function describeValidationError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "Invalid request";
  if (issue.code === "unrecognized_keys") {
    const key = issue.keys[0] ?? "";
    const where = issue.path.length > 0 ? `${issue.path.join(".")}.` : "";
    return `unknown field: ${where}${key}`;
  }
  if (issue.path.length === 0 && issue.code === "invalid_type" && issue.expected === "object") return ErrorMessage.bodyNotObject;
  if (issue.message && !issue.message.startsWith("Invalid input")) return issue.message;
  const field = issue.path.join(".");
  return field ? `${field} is invalid` : "Invalid request";
}
