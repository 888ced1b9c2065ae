import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../trpc/app-router.js";

export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** A plain HTTP call with an optional session cookie; the body is parsed when it is JSON. */
export async function http<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { session?: string; json?: unknown; body?: string | Uint8Array; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.session) headers.cookie = `psession=${options.session}`;
  let body: string | Uint8Array | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get("content-type") ?? "").includes("application/json") && text !== "") parsed = JSON.parse(text);
  return { status: response.status, headers: response.headers, body: parsed as T };
}

/** A real tRPC client over HTTP, signed in with `session` when given. */
export function trpcClient(baseUrl: string, session?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${baseUrl}/trpc`,
        headers: () => (session ? { cookie: `psession=${session}` } : {}),
      }),
    ],
  });
}

export type TrpcClient = ReturnType<typeof trpcClient>;

/**
 * A procedure call as an HTTP-like outcome: status 200 and the data, or the error's HTTP status and
 * message, so one table of cases can be checked against REST and tRPC alike.
 */
export async function trpcOutcome<T>(call: () => Promise<T>): Promise<{ status: number; body: T | { error: string; correlation_id: unknown; code: string } }> {
  try {
    return { status: 200, body: await call() };
  } catch (error) {
    if (error instanceof TRPCClientError) {
      const data = error.data as { httpStatus?: number; code?: string; correlation_id?: unknown } | undefined;
      return {
        status: data?.httpStatus ?? 0,
        body: { error: error.message, correlation_id: data?.correlation_id, code: data?.code ?? "" },
      };
    }
    throw error;
  }
}
