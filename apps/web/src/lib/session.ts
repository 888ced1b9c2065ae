import type { UserMe } from "@portal/contracts";
import { queryOptions, useQuery } from "@tanstack/react-query";
import { clearSessionEnded, takeInterruptedAction } from "./interrupted";
import { queryClient, SESSION_KEY, trpcClient } from "./trpc";

/**
 * The signed-in user, or null. The session cookie is HttpOnly, so asking the server is the only
 * way to know; `auth.session` answers null for nobody.
 */
export const sessionQuery = queryOptions({
  queryKey: SESSION_KEY,
  queryFn: (): Promise<UserMe | null> => trpcClient.auth.session.query(),
  staleTime: 60_000,
});

export function useSession() {
  return useQuery(sessionQuery);
}

/**
 * After signing in or out nothing cached belongs to the new person: start from the session alone.
 * The session query itself is updated in place, so the app (which observes it) re-renders at once.
 */
export function startSession(user: UserMe | null): void {
  // Signing in again ends the "session ended" notice (an interrupted action is offered next);
  // signing out on purpose drops the action too.
  if (user === null) takeInterruptedAction();
  clearSessionEnded();
  queryClient.setQueryData(SESSION_KEY, user);
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== SESSION_KEY[0] });
}
