import { request as httpRequest } from "node:http";
import { createTRPCClient, httpLink, TRPCClientError } from "@trpc/client";
import type { AppRouter } from "../../src/trpc/app-router.js";

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

/**
 * A request from a chosen loopback address (127.0.0.2, …), which the server sees as another
 * client IP; for rate-limit tests. The body is sent as JSON when given.
 */
export function httpFrom<T = unknown>(
  localAddress: string,
  baseUrl: string,
  method: string,
  path: string,
  options: { session?: string; json?: unknown } = {},
): Promise<HttpResult<T>> {
  const url = new URL(path, baseUrl);
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = {};
  if (options.session) headers.cookie = `psession=${options.session}`;
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    headers["content-length"] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method, headers, localAddress },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const responseHeaders = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
          }
          const isJson = (res.headers["content-type"] ?? "").includes("application/json") && text !== "";
          resolve({ status: res.statusCode ?? 0, headers: responseHeaders, body: (isJson ? JSON.parse(text) : text) as T });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
