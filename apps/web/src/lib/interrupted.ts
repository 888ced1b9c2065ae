import { useSyncExternalStore } from "react";

/**
 * An action a person had asked for when their session ended (signed out in another tab, or
 * expired): kept while they sign in again, then offered to finish, or said not to have been done.
 * It lives in memory only: signing in keeps the page (no reload), and a reload starts afresh.
 */
export interface InterruptedAction {
  /** Completes "Sign in again to finish …" and "… was not done": `revoking invite abc`. */
  doing: string;
  /** The button that finishes it: `Revoke invite abc`. */
  finishLabel: string;
  /** Who asked for it: after another person signs in, it is not done for them. */
  userId: number;
  /** Does it; resolves what to tell the person (`Invite 'abc' revoked`). */
  run: () => Promise<string>;
}

export interface SessionEndState {
  /** The session ended during this visit: the sign-in page says so. */
  ended: boolean;
  action: InterruptedAction | null;
}

let state: SessionEndState = { ended: false, action: null };
const listeners = new Set<() => void>();

function set(next: SessionEndState): void {
  state = next;
  for (const listener of listeners) listener();
}

/** The session ended during the visit (an UNAUTHORIZED answer to a call). */
export function noteSessionEnded(): void {
  if (!state.ended) set({ ...state, ended: true });
}

/** The session ended while doing `action`: keep it for after signing in. */
export function interrupt(action: InterruptedAction): void {
  set({ ended: true, action });
}

/** Signed in again (or out on purpose): the notice is over; the action, if any, stays to be offered. */
export function clearSessionEnded(): void {
  if (state.ended) set({ ...state, ended: false });
}

/** The action was finished, declined or dropped. */
export function takeInterruptedAction(): InterruptedAction | null {
  const action = state.action;
  if (action) set({ ...state, action: null });
  return action;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSessionEnd(): SessionEndState {
  return useSyncExternalStore(subscribe, () => state, () => state);
}
