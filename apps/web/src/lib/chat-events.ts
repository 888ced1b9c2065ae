import type { QueryClient } from "@tanstack/react-query";
import { useCallback, useEffect, useSyncExternalStore } from "react";
import { markReachable } from "./connection";
import { toApiError } from "./errors";
import { applyChatEvent, refetchChat } from "./live-events";
import { INITIAL_LIVE_STATE, NOTICE_GRACE_MS, retryDelayMs, streamEndOf, type LiveState } from "./live-state";
import { onUnauthorized, queryClient, SESSION_KEY, trpcClient } from "./trpc";

/**
 * One live stream (`chat.events`) per open chat, shared by everything on its pages: the invites
 * page with its panels and the activity page (ChatFrame, which both render, calls
 * `useChatEvents(chatId)`; anything else may too). The first caller opens the stream, the last
 * closes it (a moment later, so going from one tab of the chat to the other keeps it). Each event
 * goes into the query cache (live-events.ts), where every panel reads it.
 *
 * The EventSource under tRPC's httpSubscriptionLink reconnects by itself after a drop and resumes
 * after the last tracked id, so nothing is missed or repeated; when the stream ends with an error
 * instead, this re-subscribes from that id, with a growing pause. Every (re)connect also fetches
 * the chat's lists once: what happened before the stream was there. A stream ended by the session
 * (UNAUTHORIZED) or by lost access (FORBIDDEN, NOT_FOUND) is not reopened: the app's sign-in and
 * no-access pages take over. One refused for too many open streams (TOO_MANY_REQUESTS) is tried
 * again when the person comes back to the window, or presses Try again.
 */

/** How long a stream stays open after its last page went: a switch between the chat's tabs keeps it. */
const LINGER_MS = 3_000;
/** A stream reopened within this long resumes after its last event; later ones start afresh. */
const RESUME_WITHIN_MS = 5 * 60_000;
/** How long "Live updates are back" stays for screen readers. */
const RESUMED_MS = 5_000;
/** Coming back to the window retries a refused stream at most this often. */
const FOCUS_RETRY_MS = 10_000;

interface Stream {
  chatId: number;
  users: number;
  state: LiveState;
  listeners: Set<() => void>;
  lastEventId: string | null;
  closedAt: number | null;
  /** Which subscription the callbacks belong to: those of one stopped are ignored. */
  generation: number;
  unsubscribe: (() => void) | null;
  attempt: number;
  lastTry: number;
  timers: Partial<Record<"retry" | "linger" | "grace" | "resumed", ReturnType<typeof setTimeout>>>;
}

const streams = new Map<number, Stream>();

function setState(stream: Stream, next: Partial<LiveState>): void {
  const state = { ...stream.state, ...next };
  if (state.status === stream.state.status && state.notice === stream.state.notice && state.resumed === stream.state.resumed) return;
  stream.state = state;
  for (const listener of stream.listeners) listener();
}

function clearTimer(stream: Stream, name: keyof Stream["timers"]): void {
  const timer = stream.timers[name];
  if (timer !== undefined) clearTimeout(timer);
  delete stream.timers[name];
}

function streamOf(chatId: number): Stream {
  let stream = streams.get(chatId);
  if (!stream) {
    stream = {
      chatId,
      users: 0,
      state: INITIAL_LIVE_STATE,
      listeners: new Set(),
      lastEventId: null,
      closedAt: null,
      generation: 0,
      unsubscribe: null,
      attempt: 0,
      lastTry: 0,
      timers: {},
    };
    streams.set(chatId, stream);
  }
  return stream;
}

/** The stream dropped: say so once it has been gone past the grace. */
function dropped(stream: Stream): void {
  clearTimer(stream, "resumed");
  setState(stream, { status: "reconnecting", resumed: false });
  if (stream.state.notice || stream.timers.grace !== undefined) return;
  stream.timers.grace = setTimeout(() => {
    delete stream.timers.grace;
    if (stream.state.status === "reconnecting") setState(stream, { notice: true });
  }, NOTICE_GRACE_MS);
}

function connected(stream: Stream, client: QueryClient): void {
  const wasNoticed = stream.state.notice;
  clearTimer(stream, "grace");
  stream.attempt = 0;
  setState(stream, { status: "live", notice: false, resumed: wasNoticed });
  if (wasNoticed) {
    clearTimer(stream, "resumed");
    stream.timers.resumed = setTimeout(() => {
      delete stream.timers.resumed;
      setState(stream, { resumed: false });
    }, RESUMED_MS);
  }
  // The stream answers: so does the server (the unreachable banner, if up, can go).
  markReachable();
  // What happened before the stream was there (or while it was away), from the lists themselves.
  // The server fixes the stream's start before it answers "connected", so a list read from now on
  // and the stream together miss nothing.
  refetchChat(client, stream.chatId);
}

function ended(stream: Stream, error: unknown, client: QueryClient): void {
  stream.unsubscribe = null;
  const { code } = toApiError(error);
  switch (streamEndOf(code)) {
    case "session":
      setState(stream, { status: "ended", notice: false, resumed: false });
      onUnauthorized();
      return;
    case "access":
      setState(stream, { status: "ended", notice: false, resumed: false });
      // The pages fetch anew and show the no-access page (or the restricted-account one).
      void client.invalidateQueries({ queryKey: SESSION_KEY });
      refetchChat(client, stream.chatId);
      return;
    case "too-many":
      clearTimer(stream, "grace");
      setState(stream, { status: "too-many", notice: true, resumed: false });
      return;
    case "retry":
      // A cursor the server would not take (say, from before its retention) is dropped: the
      // lists are fetched anew on connect all the same.
      if (code === "BAD_REQUEST") stream.lastEventId = null;
      dropped(stream);
      clearTimer(stream, "retry");
      stream.timers.retry = setTimeout(() => {
        delete stream.timers.retry;
        if (stream.users > 0 && !stream.unsubscribe) open(stream, client);
      }, retryDelayMs(stream.attempt++));
      return;
  }
}

function open(stream: Stream, client: QueryClient): void {
  const generation = ++stream.generation;
  const mine = () => generation === stream.generation;
  stream.lastTry = Date.now();
  if (stream.closedAt !== null && Date.now() - stream.closedAt > RESUME_WITHIN_MS) stream.lastEventId = null;
  stream.closedAt = null;
  const subscription = trpcClient.chat.events.subscribe(
    { chat_id: stream.chatId, ...(stream.lastEventId ? { last_event_id: stream.lastEventId } : {}) },
    {
      onConnectionStateChange: (state) => {
        if (!mine()) return;
        if (state.state === "pending") connected(stream, client);
        else if (state.state === "connecting" && state.error) dropped(stream);
      },
      onData: (tracked) => {
        if (!mine()) return;
        stream.lastEventId = tracked.id;
        applyChatEvent(client, tracked.data);
      },
      onError: (error) => {
        if (mine()) ended(stream, error, client);
      },
      // The server closed it without an error (it is shutting down, say): reconnect.
      onComplete: () => {
        if (mine() && stream.unsubscribe) ended(stream, null, client);
      },
    },
  );
  stream.unsubscribe = () => subscription.unsubscribe();
}

function close(stream: Stream): void {
  stream.generation++;
  stream.unsubscribe?.();
  stream.unsubscribe = null;
  for (const name of Object.keys(stream.timers) as (keyof Stream["timers"])[]) clearTimer(stream, name);
  stream.closedAt = Date.now();
  stream.attempt = 0;
  setState(stream, INITIAL_LIVE_STATE);
}

function acquire(chatId: number, client: QueryClient): () => void {
  const stream = streamOf(chatId);
  stream.users++;
  clearTimer(stream, "linger");
  // A page (re)opened is a fresh start, also after a stream the session, access or the limit ended.
  if (!stream.unsubscribe && stream.timers.retry === undefined) {
    if (stream.state.status === "ended" || stream.state.status === "too-many") setState(stream, INITIAL_LIVE_STATE);
    open(stream, client);
  }
  return () => {
    stream.users--;
    if (stream.users > 0) return;
    clearTimer(stream, "linger");
    stream.timers.linger = setTimeout(() => {
      delete stream.timers.linger;
      if (stream.users === 0) close(stream);
    }, LINGER_MS);
  };
}

/** Tries a stream the server refused again (Try again, or the window coming back into view). */
export function retryChatEvents(chatId: number, client: QueryClient = queryClient): void {
  const stream = streams.get(chatId);
  if (!stream || stream.users === 0 || stream.unsubscribe || stream.state.status !== "too-many") return;
  setState(stream, { status: "connecting", notice: false });
  open(stream, client);
}

if (typeof window !== "undefined") {
  const onBack = () => {
    if (document.visibilityState === "hidden") return;
    for (const stream of streams.values()) {
      if (stream.state.status === "too-many" && Date.now() - stream.lastTry >= FOCUS_RETRY_MS) retryChatEvents(stream.chatId);
    }
  };
  window.addEventListener("focus", onBack);
  document.addEventListener("visibilitychange", onBack);
}

/**
 * The live stream of a chat, opened while a page of it is shown; its state for the notice. The
 * state is per chat: every caller of one chat reads the same.
 */
export function useChatEvents(chatId: number): LiveState {
  useEffect(() => acquire(chatId, queryClient), [chatId]);
  const subscribe = useCallback(
    (listener: () => void) => {
      const stream = streamOf(chatId);
      stream.listeners.add(listener);
      return () => stream.listeners.delete(listener);
    },
    [chatId],
  );
  const snapshot = () => streamOf(chatId).state;
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}
