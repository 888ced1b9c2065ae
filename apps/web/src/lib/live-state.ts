/**
 * Where a chat page's live stream stands, and what the page says about it: the rules of
 * chat-events.ts without the stream, so they can be tested on their own.
 */
export type LiveStatus =
  /** Opening the stream the first time: nothing to say yet. */
  | "connecting"
  /** Open: what happens elsewhere shows as it happens. */
  | "live"
  /** It dropped (server down, network) and reconnects by itself. */
  | "reconnecting"
  /** The server refused another stream of this person (too many open): off, refetch on focus. */
  | "too-many"
  /** The session ended or access to the chat was lost: the page's own handling takes over. */
  | "ended";

export interface LiveState {
  status: LiveStatus;
  /** The notice shows: a drop lasts past a short grace (a blip says nothing). */
  notice: boolean;
  /** Just back after a drop the notice showed: said once to screen readers, then cleared. */
  resumed: boolean;
}

export const INITIAL_LIVE_STATE: LiveState = { status: "connecting", notice: false, resumed: false };

/** How long a drop lasts before the page says so: a reconnect within it is not worth a word. */
export const NOTICE_GRACE_MS = 1_500;

/** The pause before re-subscribing after the stream ended with an error: 1 s, 2 s, 4 s … at most 15 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempt), 15_000);
}

/** What ends a stream, by its tRPC code (null: no answer at all, or one that was not the server's). */
export type StreamEnd = "session" | "access" | "too-many" | "retry";

export function streamEndOf(code: string | null): StreamEnd {
  if (code === "UNAUTHORIZED") return "session";
  // Access lost: no longer a manager (FORBIDDEN), or no longer let see the chat (NOT_FOUND).
  if (code === "FORBIDDEN" || code === "NOT_FOUND") return "access";
  if (code === "TOO_MANY_REQUESTS") return "too-many";
  return "retry";
}

/** The words of the notice for a state; null when there is nothing to say. */
export function liveNoticeText(state: LiveState): { title: string; detail: string } | null {
  if (state.status === "too-many") {
    return {
      title: "Live updates are off: too many open tabs.",
      detail: "Close a few Portal tabs, then try again. Until then this page refreshes when you come back to it.",
    };
  }
  if (state.status === "reconnecting" && state.notice) {
    return {
      title: "Live updates paused — reconnecting…",
      detail: "What you see may be out of date. Changes made elsewhere show up once the connection is back.",
    };
  }
  return null;
}
