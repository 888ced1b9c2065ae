import type { ActivityEvent, ActivityPage, ChatEvent, ChatPeople, Invite, InviteList, JoinRequestPage } from "@portal/contracts";
import type { Query, QueryClient, QueryKey } from "@tanstack/react-query";
import { isInviteActive } from "./invites";
import { trpc } from "./trpc";

/**
 * What a chat's live events change in the query cache (SPEC section 11). Each event is applied to
 * the cached answers it concerns, exactly, or, where the cache cannot know the answer (another
 * page of a paged list, a member count), that query is fetched anew instead of guessed at.
 *
 * Applying is idempotent (an invite is put in by its code, a use count is the count after the
 * join, a request by its user), so an event that an answer already contains does no harm. A query
 * whose fetch is under way when an event comes may be answered from before the event: it is
 * patched all the same, and fetched once more when that fetch ends.
 */

/** The queries of a chat's pages (partial keys: every page, filter and size of each). */
export function chatQueryKeys(chatId: number): QueryKey[] {
  return [
    trpc.invite.list.queryKey({ chat_id: chatId }),
    trpc.chat.people.queryKey({ chat_id: chatId }),
    trpc.chat.inviteSettings.queryKey({ chat_id: chatId }),
    trpc.chat.joinRequests.queryKey({ chat_id: chatId }),
    trpc.chat.activity.queryKey({ chat_id: chatId }),
    trpc.chat.manageable.queryKey(),
  ];
}

/**
 * Everything the chat's pages show, fetched anew (those on screen now, the others when next shown):
 * after the stream (re)connects, what happened while it was not there.
 */
export function refetchChat(queryClient: QueryClient, chatId: number): void {
  for (const queryKey of chatQueryKeys(chatId)) void queryClient.invalidateQueries({ queryKey });
}

/** How close in time a join in an answer and a member.joined event must be to be the same join. */
const SAME_JOIN_MS = 2_000;

const refetchAfterFetch = new WeakMap<QueryClient, Set<string>>();

/** Queries to fetch once more when the fetch under way ends (it may predate an event). */
function refetchLater(queryClient: QueryClient, query: Query): void {
  let pending = refetchAfterFetch.get(queryClient);
  if (!pending) {
    const set = new Set<string>();
    pending = set;
    refetchAfterFetch.set(queryClient, set);
    queryClient.getQueryCache().subscribe((event) => {
      if (event.type !== "updated") return;
      const { action } = event;
      const ended = (action.type === "success" && !action.manual) || action.type === "error";
      if (ended && set.delete(event.query.queryHash)) {
        void queryClient.invalidateQueries({ queryKey: event.query.queryKey, exact: true });
      }
    });
  }
  pending.add(query.queryHash);
}

type Patch<T> = (data: T, input: Record<string, unknown>) => T | "refetch";

/** Patches every cached answer under `queryKey` (each with its own input); see the module's note. */
function patch<T>(queryClient: QueryClient, queryKey: QueryKey, update: Patch<T>): void {
  for (const query of queryClient.getQueryCache().findAll({ queryKey })) {
    const data = query.state.data as T | undefined;
    if (query.state.fetchStatus === "fetching") refetchLater(queryClient, query);
    if (data === undefined) continue;
    const input = ((query.queryKey[1] as { input?: Record<string, unknown> } | undefined)?.input ?? {}) as Record<string, unknown>;
    const next = update(data, input);
    if (next === "refetch") void queryClient.invalidateQueries({ queryKey: query.queryKey, exact: true });
    else if (next !== data) queryClient.setQueryData(query.queryKey, next);
  }
}

const soon = new Map<string, ReturnType<typeof setTimeout>>();
/** How long invalidations of one query are gathered: a burst of joins refetches the chats once. */
const COALESCE_MS = 250;

/** Fetches a query anew shortly, once for many events in a row. */
function refetchSoon(queryClient: QueryClient, queryKey: QueryKey): void {
  const hash = JSON.stringify(queryKey);
  if (soon.has(hash)) return;
  soon.set(
    hash,
    setTimeout(() => {
      soon.delete(hash);
      void queryClient.invalidateQueries({ queryKey });
    }, COALESCE_MS),
  );
}

/** The list with `invite` in its place (newest first), or as it was when there is nothing to change. */
export function upsertInvite(invites: readonly Invite[], invite: Invite, nowMs: number): Invite[] {
  const at = invites.findIndex((i) => i.code === invite.code);
  if (at !== -1) return invites.map((i, index) => (index === at ? invite : i));
  // An invite the list never had, and that cannot be used: nothing to show.
  if (!isInviteActive(invite, nowMs)) return invites as Invite[];
  const created = Date.parse(invite.created_at);
  const before = invites.findIndex((i) => Date.parse(i.created_at) <= created);
  const next = [...invites];
  next.splice(before === -1 ? next.length : before, 0, invite);
  return next;
}

function withInvites(list: InviteList, invites: Invite[]): InviteList {
  return invites === list.invites ? list : { ...list, invites };
}

function offsetOf(input: Record<string, unknown>): number {
  return typeof input.offset === "number" ? input.offset : 0;
}

/** A join at the top of an activity page, unless the page has it already (it was fetched after). */
export function prependJoin(page: ActivityPage, join: ActivityEvent, limit: number): ActivityPage {
  const at = Date.parse(join.created_at);
  const known = page.events.some(
    (e) =>
      e.action === "join" &&
      e.user.id === join.user.id &&
      e.invite_code === join.invite_code &&
      Math.abs(Date.parse(e.created_at) - at) <= SAME_JOIN_MS,
  );
  if (known) return page;
  return { ...page, events: [join, ...page.events].slice(0, limit), total: page.total + 1 };
}

/** Applies one event of chat `event.chat_id` to the cache. */
export function applyChatEvent(queryClient: QueryClient, event: ChatEvent, nowMs = Date.now()): void {
  const chatId = event.chat_id;
  const listKey = trpc.invite.list.queryKey({ chat_id: chatId });
  const requestsKey = trpc.chat.joinRequests.queryKey({ chat_id: chatId });
  const markChatsStale = () => void queryClient.invalidateQueries({ queryKey: trpc.chat.manageable.queryKey(), refetchType: "none" });

  switch (event.type) {
    case "invite.created":
    case "invite.updated": {
      const invite = event.data;
      patch<InviteList>(queryClient, listKey, (list) => withInvites(list, upsertInvite(list.invites, invite, nowMs)));
      // The list names creators from chat.people: one it does not know yet is fetched.
      const people = queryClient.getQueryData<ChatPeople>(trpc.chat.people.queryKey({ chat_id: chatId }));
      if (invite.created_by_id !== null && people && !people.users.some((u) => u.id === invite.created_by_id)) {
        refetchSoon(queryClient, trpc.chat.people.queryKey({ chat_id: chatId }));
      }
      markChatsStale();
      return;
    }
    case "invite.revoked":
    case "invite.expired":
    case "invite.used_up": {
      const { code } = event.data;
      patch<InviteList>(queryClient, listKey, (list) => withInvites(list, removeWhere(list.invites, (i) => i.code === code)));
      markChatsStale();
      return;
    }
    case "member.joined": {
      const { user, method, invite_code: code, uses } = event.data;
      if (code !== null && uses !== null) {
        patch<InviteList>(queryClient, listKey, (list) =>
          withInvites(
            list,
            list.invites.some((i) => i.code === code && i.uses !== uses) ? list.invites.map((i) => (i.code === code ? { ...i, uses } : i)) : list.invites,
          ),
        );
      }
      // An approved request is a request no more.
      patch<JoinRequestPage>(queryClient, requestsKey, (page) => removeRequest(page, user.id));
      const join: ActivityEvent = { user, action: "join", method, invite_code: code, created_at: event.created_at };
      patch<ActivityPage>(queryClient, trpc.chat.activity.queryKey({ chat_id: chatId }), (page, input) => {
        const filter = typeof input.invite_code === "string" ? input.invite_code : null;
        if (filter !== null && filter !== code) return page;
        // Further pages shift by one: fetched anew rather than guessed.
        if (offsetOf(input) > 0) return "refetch";
        return prependJoin(page, join, page.limit);
      });
      // The member count in the chat's header.
      refetchSoon(queryClient, trpc.chat.manageable.queryKey());
      return;
    }
    case "join_request.created": {
      const request = event.data;
      patch<JoinRequestPage>(queryClient, requestsKey, (page) => {
        if (page.requests.some((r) => r.user.id === request.user.id)) return page;
        // Oldest first: a new request goes last, so no page before it moves; it shows on the last
        // page when that has room.
        const onThisPage = page.offset + page.requests.length === page.total && page.requests.length < page.limit;
        return { ...page, requests: onThisPage ? [...page.requests, request] : page.requests, total: page.total + 1 };
      });
      return;
    }
    case "join_request.declined": {
      patch<JoinRequestPage>(queryClient, requestsKey, (page) => removeRequest(page, event.data.user_id));
      return;
    }
    case "invite_settings.updated": {
      const settings = event.data;
      patch(queryClient, trpc.chat.inviteSettings.queryKey({ chat_id: chatId }), () => settings);
      return;
    }
  }
}

function removeWhere<T>(items: T[], matches: (item: T) => boolean): T[] {
  return items.some(matches) ? items.filter((item) => !matches(item)) : items;
}

/** The page without the request of `userId`; fetched anew when it may sit on another page. */
function removeRequest(page: JoinRequestPage, userId: number): JoinRequestPage | "refetch" {
  if (page.requests.some((r) => r.user.id === userId)) {
    return { ...page, requests: page.requests.filter((r) => r.user.id !== userId), total: Math.max(0, page.total - 1) };
  }
  const elsewhere = page.offset > 0 || page.total > page.requests.length;
  return elsewhere ? "refetch" : page;
}
