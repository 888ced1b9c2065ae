import type { ActivityPage, ChatEvent, ChatEventData, ChatEventType, Invite, InviteList, InviteSettings, JoinRequestPage } from "@portal/contracts";
import { QueryClient, QueryObserver } from "@tanstack/react-query";
import { afterEach, describe, expect, it } from "vitest";
import { applyChatEvent, prependJoin, upsertInvite } from "./live-events";
import { trpc } from "./trpc";

const CHAT = 7;
const NOW = Date.parse("2026-03-16T12:00:00Z");

function invite(code: string, createdAt: string, extra: Partial<Invite> = {}): Invite {
  return { code, chat_id: CHAT, created_by_id: 1, created_at: createdAt, expires_at: null, uses: 0, max_uses: null, ...extra };
}

let nextId = 1;
function event<T extends ChatEventType>(type: T, data: ChatEventData[T], createdAt = "2026-03-16T12:00:00Z"): ChatEvent {
  return { id: String(nextId++), type, chat_id: CHAT, created_at: createdAt, data } as ChatEvent;
}

const user = (id: number, username = `user${id}`) => ({ id, username, avatar_url: null });

const listKey = trpc.invite.list.queryKey({ chat_id: CHAT });
const requestsKey = trpc.chat.joinRequests.queryKey({ chat_id: CHAT });
const settingsKey = trpc.chat.inviteSettings.queryKey({ chat_id: CHAT });
const activityKey = (input: { offset?: number; limit?: number; invite_code?: string }) =>
  trpc.chat.activity.queryKey({ chat_id: CHAT, ...input });

const clients: QueryClient[] = [];
function client(): QueryClient {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  clients.push(queryClient);
  return queryClient;
}
afterEach(() => {
  for (const queryClient of clients.splice(0)) queryClient.clear();
});

const codes = (queryClient: QueryClient) => queryClient.getQueryData<InviteList>(listKey)?.invites.map((i) => i.code);

describe("invite events on the invites page's list", () => {
  const older = invite("older", "2026-03-16T10:00:00Z");
  const newer = invite("newer", "2026-03-16T11:00:00Z");

  it("invite.created puts the new invite first, once however often it comes", () => {
    const queryClient = client();
    queryClient.setQueryData(listKey, { invites: [newer, older] });
    const created = invite("fresh", "2026-03-16T12:00:00Z");
    applyChatEvent(queryClient, event("invite.created", created), NOW);
    applyChatEvent(queryClient, event("invite.created", created), NOW);
    expect(codes(queryClient)).toEqual(["fresh", "newer", "older"]);
  });

  it("invite.updated replaces the invite where it is; one the list lacked goes in by its age", () => {
    const queryClient = client();
    queryClient.setQueryData(listKey, { invites: [newer, older] });
    applyChatEvent(queryClient, event("invite.updated", { ...older, max_uses: 9 }), NOW);
    expect(queryClient.getQueryData<InviteList>(listKey)?.invites[1]?.max_uses).toBe(9);
    // A used-up invite made usable again by an edit: it comes back, between the two.
    applyChatEvent(queryClient, event("invite.updated", invite("revived", "2026-03-16T10:30:00Z", { uses: 2, max_uses: 5 })), NOW);
    expect(codes(queryClient)).toEqual(["newer", "revived", "older"]);
    // One edited into a state it cannot be used in, that the list did not have: nothing to show.
    applyChatEvent(queryClient, event("invite.updated", invite("spent", "2026-03-16T10:45:00Z", { uses: 2, max_uses: 2 })), NOW);
    expect(codes(queryClient)).toEqual(["newer", "revived", "older"]);
  });

  it("invite.revoked, invite.expired and invite.used_up take it out", () => {
    const queryClient = client();
    const third = invite("third", "2026-03-16T09:00:00Z");
    queryClient.setQueryData(listKey, { invites: [newer, older, third] });
    applyChatEvent(queryClient, event("invite.revoked", { code: "newer" }), NOW);
    expect(codes(queryClient)).toEqual(["older", "third"]);
    applyChatEvent(queryClient, event("invite.expired", { code: "older" }), NOW);
    applyChatEvent(queryClient, event("invite.used_up", { code: "third" }), NOW);
    applyChatEvent(queryClient, event("invite.revoked", { code: "no-such" }), NOW);
    expect(codes(queryClient)).toEqual([]);
  });

  it("events of another chat leave this one alone", () => {
    const queryClient = client();
    queryClient.setQueryData(listKey, { invites: [newer] });
    applyChatEvent(queryClient, { ...event("invite.revoked", { code: "newer" }), chat_id: CHAT + 1 }, NOW);
    expect(codes(queryClient)).toEqual(["newer"]);
  });

  it("upsertInvite keeps the same list when nothing changes (no re-render)", () => {
    const list = [newer];
    expect(upsertInvite(list, invite("spent", "2026-03-16T12:00:00Z", { uses: 1, max_uses: 1 }), NOW)).toBe(list);
  });
});

describe("member.joined", () => {
  const joined = (userId: number, code: string | null, uses: number | null, at = "2026-03-16T12:00:00Z") =>
    event("member.joined", { user: user(userId), method: code ? "invite" : "direct", invite_code: code, uses }, at);

  it("sets the invite's use count to the count after the join (two joins at once count two)", () => {
    const queryClient = client();
    queryClient.setQueryData(listKey, { invites: [invite("abc", "2026-03-16T10:00:00Z", { uses: 1, max_uses: 5 })] });
    applyChatEvent(queryClient, joined(2, "abc", 2), NOW);
    applyChatEvent(queryClient, joined(3, "abc", 3), NOW);
    // Repeated (a reconnect that resent it): still 3.
    applyChatEvent(queryClient, joined(3, "abc", 3), NOW);
    expect(queryClient.getQueryData<InviteList>(listKey)?.invites[0]?.uses).toBe(3);
  });

  it("takes an approved request out of the join requests", () => {
    const queryClient = client();
    const request = (id: number) => ({ user: user(id), invite_code: "abc", created_at: "2026-03-16T11:00:00Z" });
    queryClient.setQueryData<JoinRequestPage>(requestsKey, { requests: [request(2), request(3)], total: 2, offset: 0, limit: 50 });
    applyChatEvent(queryClient, joined(2, "abc", 1), NOW);
    expect(queryClient.getQueryData<JoinRequestPage>(requestsKey)).toEqual({ requests: [request(3)], total: 1, offset: 0, limit: 50 });
  });

  it("puts the join at the top of the activity's first page, once; a filter of another invite is left alone", () => {
    const queryClient = client();
    const earlier = { user: user(9), action: "leave" as const, method: null, invite_code: null, created_at: "2026-03-16T11:00:00Z" };
    const first = activityKey({ offset: 0, limit: 2 });
    const otherInvite = activityKey({ invite_code: "zzz", limit: 100 });
    const sameInvite = activityKey({ invite_code: "abc", limit: 100 });
    queryClient.setQueryData<ActivityPage>(first, { events: [earlier, earlier], total: 5, offset: 0, limit: 2 });
    queryClient.setQueryData<ActivityPage>(otherInvite, { events: [], total: 0, offset: 0, limit: 100 });
    queryClient.setQueryData<ActivityPage>(sameInvite, { events: [], total: 0, offset: 0, limit: 100 });

    applyChatEvent(queryClient, joined(4, "abc", 1, "2026-03-16T12:00:05Z"), NOW);
    applyChatEvent(queryClient, joined(4, "abc", 1, "2026-03-16T12:00:05Z"), NOW);
    const page = queryClient.getQueryData<ActivityPage>(first);
    expect(page?.total).toBe(6);
    expect(page?.events.map((e) => `${e.action} ${e.user.id}`)).toEqual(["join 4", "leave 9"]);
    expect(page?.events[0]).toEqual({ user: user(4), action: "join", method: "invite", invite_code: "abc", created_at: "2026-03-16T12:00:05Z" });
    expect(queryClient.getQueryData<ActivityPage>(otherInvite)?.events).toEqual([]);
    expect(queryClient.getQueryData<ActivityPage>(sameInvite)?.events).toHaveLength(1);
  });

  it("fetches later activity pages anew instead of shifting them by guess", () => {
    const queryClient = client();
    const second = activityKey({ offset: 20, limit: 20 });
    queryClient.setQueryData<ActivityPage>(second, { events: [], total: 20, offset: 20, limit: 20 });
    applyChatEvent(queryClient, joined(4, "abc", 1), NOW);
    expect(queryClient.getQueryState(second)?.isInvalidated).toBe(true);
    expect(queryClient.getQueryData<ActivityPage>(second)?.total).toBe(20);
  });

  it("prependJoin knows a join the page already has (fetched after it happened)", () => {
    const join = { user: user(4), action: "join" as const, method: "invite" as const, invite_code: "abc", created_at: "2026-03-16T12:00:05Z" };
    const page: ActivityPage = { events: [{ ...join, created_at: "2026-03-16T12:00:04Z" }], total: 1, offset: 0, limit: 20 };
    expect(prependJoin(page, join, 20)).toBe(page);
    // The same person joining again a minute later is a new row.
    expect(prependJoin(page, { ...join, created_at: "2026-03-16T12:01:05Z" }, 20).total).toBe(2);
  });
});

describe("join requests and settings", () => {
  const request = (id: number) => ({ user: user(id), invite_code: "abc", created_at: "2026-03-16T11:00:00Z" });

  it("join_request.created goes last, on the last page when it has room; elsewhere the total grows", () => {
    const queryClient = client();
    queryClient.setQueryData<JoinRequestPage>(requestsKey, { requests: [request(2)], total: 1, offset: 0, limit: 2 });
    applyChatEvent(queryClient, event("join_request.created", request(3)), NOW);
    applyChatEvent(queryClient, event("join_request.created", request(3)), NOW);
    expect(queryClient.getQueryData<JoinRequestPage>(requestsKey)).toEqual({ requests: [request(2), request(3)], total: 2, offset: 0, limit: 2 });
    // The page is full: the next one is on page 2.
    applyChatEvent(queryClient, event("join_request.created", request(4)), NOW);
    expect(queryClient.getQueryData<JoinRequestPage>(requestsKey)).toEqual({ requests: [request(2), request(3)], total: 3, offset: 0, limit: 2 });
  });

  it("join_request.declined takes it out; one not on this page of several is fetched anew", () => {
    const queryClient = client();
    queryClient.setQueryData<JoinRequestPage>(requestsKey, { requests: [request(2), request(3)], total: 3, offset: 0, limit: 2 });
    applyChatEvent(queryClient, event("join_request.declined", { user_id: 3 }), NOW);
    expect(queryClient.getQueryData<JoinRequestPage>(requestsKey)).toEqual({ requests: [request(2)], total: 2, offset: 0, limit: 2 });
    applyChatEvent(queryClient, event("join_request.declined", { user_id: 99 }), NOW);
    expect(queryClient.getQueryState(requestsKey)?.isInvalidated).toBe(true);
  });

  it("invite_settings.updated is the settings", () => {
    const queryClient = client();
    queryClient.setQueryData<InviteSettings>(settingsKey, { paused_until: null, join_approval: false });
    const settings = { paused_until: "2026-03-16T20:00:00Z", join_approval: true };
    applyChatEvent(queryClient, event("invite_settings.updated", settings), NOW);
    expect(queryClient.getQueryData(settingsKey)).toEqual(settings);
  });
});

describe("an event while the list is being fetched", () => {
  it("patches what is shown, and fetches once more after that fetch (its answer may be from before the event)", async () => {
    const queryClient = client();
    const answers: InviteList[] = [{ invites: [] }, { invites: [invite("fresh", "2026-03-16T12:00:00Z")] }];
    let release: () => void = () => {};
    let calls = 0;
    const observer = new QueryObserver(queryClient, {
      queryKey: listKey,
      queryFn: async () => {
        const answer = answers[Math.min(calls, answers.length - 1)]!;
        calls++;
        if (calls === 1) await new Promise<void>((resolve) => (release = resolve));
        return answer;
      },
    });
    const stop = observer.subscribe(() => {});
    try {
      // The first fetch is under way (its snapshot predates the create); the event comes.
      await expect.poll(() => calls).toBe(1);
      queryClient.setQueryData(listKey, { invites: [] });
      applyChatEvent(queryClient, event("invite.created", invite("fresh", "2026-03-16T12:00:00Z")), NOW);
      release();
      await expect.poll(() => calls).toBe(2);
      await expect.poll(() => codes(queryClient)).toEqual(["fresh"]);
    } finally {
      stop();
    }
  });
});
