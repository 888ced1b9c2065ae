import { useSyncExternalStore } from "react";

/**
 * Whether the server answers. A call that gets no answer at all marks it unreachable; from then
 * on /health is asked with a growing pause (1 s, 2 s, 4 s … at most 15 s) until it answers, and
 * then `onBack` refetches what the pages show. Any answer from the server marks it reachable again.
 */
export interface ConnectionState {
  reachable: boolean;
  /** When the next /health check runs (epoch ms), while unreachable. */
  nextCheckAt: number | null;
}

const FIRST_PAUSE_MS = 1_000;
const MAX_PAUSE_MS = 15_000;
/** A /health check gives up after this long: a server that hangs is as good as down. */
const HEALTH_TIMEOUT_MS = 5_000;

let state: ConnectionState = { reachable: true, nextCheckAt: null };
let pause = FIRST_PAUSE_MS;
let timer: ReturnType<typeof setTimeout> | null = null;
let onBack: () => void = () => {};
const listeners = new Set<() => void>();

function set(next: ConnectionState): void {
  if (next.reachable === state.reachable && next.nextCheckAt === state.nextCheckAt) return;
  state = next;
  for (const listener of listeners) listener();
}

/** What to do once the server answers again (the query client's refetch; see trpc.ts). */
export function whenServerIsBack(callback: () => void): void {
  onBack = callback;
}

function schedule(delayMs: number): void {
  if (timer !== null) clearTimeout(timer);
  timer = setTimeout(() => void check(), delayMs);
  set({ reachable: false, nextCheckAt: Date.now() + delayMs });
}

async function check(): Promise<void> {
  timer = null;
  let ok: boolean;
  try {
    const response = await fetch("/health", { cache: "no-store", signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
    ok = response.ok;
  } catch {
    ok = false;
  }
  if (ok) return markReachable();
  pause = Math.min(pause * 2, MAX_PAUSE_MS);
  schedule(pause);
}

/** A call got no answer: say so, and start asking /health. */
export function markUnreachable(): void {
  if (!state.reachable) return;
  pause = FIRST_PAUSE_MS;
  schedule(pause);
}

/** The server answered (any answer: a 4xx is the server speaking). */
export function markReachable(): void {
  if (state.reachable) return;
  if (timer !== null) clearTimeout(timer);
  timer = null;
  pause = FIRST_PAUSE_MS;
  set({ reachable: true, nextCheckAt: null });
  onBack();
}

/** Checks now instead of waiting for the next pause to end (the banner's "Retry now"). */
export function checkNow(): void {
  if (state.reachable) return;
  if (timer !== null) clearTimeout(timer);
  void check();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useConnection(): ConnectionState {
  return useSyncExternalStore(subscribe, () => state, () => state);
}
