import type { AppRouter } from "@portal/api";
import { MAX_TRPC_BATCH } from "@portal/contracts/wire";
import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { markReachable, markUnreachable, whenServerIsBack } from "./connection";
import { isRetryable, isUnauthorized, TIMEOUT_MARK } from "./errors";
import { noteSessionEnded } from "./interrupted";

/** Who is signed in: the user, or null when nobody is (see session.ts). */
export const SESSION_KEY = ["session"] as const;

/**
 * How long a call may wait for its answer. Past it the call fails (and says so), so no button
 * stays on "Creating…" or "Revoking…" when the server hangs instead of refusing.
 */
export const CALL_TIMEOUT_MS = 12_000;

/** A session that ended mid-visit (expired, or signed out in another tab; also a live stream's end). */
export function onUnauthorized(): void {
  noteSessionEnded();
  // Ask who we are again, which shows the sign-in page (with why) instead of a page of errors.
  void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
}

export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({
    onError: (error) => {
      if (isUnauthorized(error)) onUnauthorized();
    },
  }),
  mutationCache: new MutationCache({
    onError: (error) => {
      if (isUnauthorized(error)) onUnauthorized();
    },
  }),
  defaultOptions: {
    queries: {
      retry: (failures, error) => failures < 2 && isRetryable(error),
      refetchOnWindowFocus: true,
      staleTime: 5_000,
      // The server's state, not the browser's idea of being online, decides (see connection.ts).
      networkMode: "always",
    },
    mutations: { retry: false, networkMode: "always" },
  },
});

// Once the server answers again, everything on screen is fetched anew.
whenServerIsBack(() => void queryClient.invalidateQueries());

/**
 * fetch, given up after CALL_TIMEOUT_MS, and telling connection.ts whether the server answered.
 * (An answer of any status is the server speaking; only no answer at all marks it unreachable.)
 */
async function fetchWithTimeout(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const timeout = AbortSignal.timeout(CALL_TIMEOUT_MS);
  const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    const response = await fetch(input, { ...init, signal });
    markReachable();
    return response;
  } catch (error) {
    if (init?.signal?.aborted) throw error;
    markUnreachable();
    if (timeout.aborted) throw new Error(TIMEOUT_MARK, { cause: error });
    throw error;
  }
}

/**
 * Same origin: the session cookie (`psession`, HttpOnly) goes along by itself, with the batched
 * calls and with the live event streams alike. Subscriptions (`chat.events`) go over Server-Sent
 * Events (an EventSource, which reconnects by itself and resumes after the last tracked id; see
 * chat-events.ts); everything else in batches.
 */
export const trpcClient = createTRPCClient<AppRouter>({
  links: [
    splitLink({
      condition: (op) => op.type === "subscription",
      true: httpSubscriptionLink({ url: "/trpc" }),
      false: httpBatchLink({ url: "/trpc", maxItems: MAX_TRPC_BATCH, fetch: fetchWithTimeout }),
    }),
  ],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
