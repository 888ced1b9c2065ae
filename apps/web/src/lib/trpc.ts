import type { AppRouter } from "@portal/api";
import { MAX_TRPC_BATCH } from "@portal/contracts/wire";
import { QueryCache, QueryClient } from "@tanstack/react-query";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { createTRPCOptionsProxy } from "@trpc/tanstack-react-query";
import { isRetryable, isUnauthorized } from "./errors";

/** Who is signed in: the user, or null when nobody is (see session.ts). */
export const SESSION_KEY = ["session"] as const;

export const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({
    // A session that ended mid-visit (expired, or signed out in another tab): ask who we are again,
    // which shows the sign-in page instead of a page of errors.
    onError: (error) => {
      if (isUnauthorized(error)) void queryClient.invalidateQueries({ queryKey: SESSION_KEY });
    },
  }),
  defaultOptions: {
    queries: {
      retry: (failures, error) => failures < 2 && isRetryable(error),
      refetchOnWindowFocus: true,
      staleTime: 5_000,
    },
    mutations: { retry: false },
  },
});

/** Same origin: the session cookie (`psession`, HttpOnly) goes along by itself. */
export const trpcClient = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: "/trpc", maxItems: MAX_TRPC_BATCH })],
});

export const trpc = createTRPCOptionsProxy<AppRouter>({ client: trpcClient, queryClient });
