import { describeValidationError } from "@portal/contracts";
import type { z } from "zod";
import { badRequest } from "../services/errors.js";

/** Parses with a contract schema; a failure is a 400 that names the first invalid field. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest(describeValidationError(result.error));
  return result.data;
}

/**
 * Path and query values arrive as strings; a string of digits becomes the number the shared schema
 * expects, anything else is passed on unchanged so the schema rejects it with its own message.
 */
export function numberFromString(value: unknown): unknown {
  return typeof value === "string" && /^\d{1,16}$/.test(value) ? Number(value) : value;
}

/** An absent body (no Content-Length) means `{}`; REST bodies are otherwise whatever JSON was sent. */
export function bodyOf(body: unknown): unknown {
  return body === undefined ? {} : body;
}
