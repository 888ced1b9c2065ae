import { request as httpRequest, type IncomingHttpHeaders, type ClientRequest } from "node:http";
import type { ChatEvent } from "@portal/contracts";
import { createTRPCClient, httpSubscriptionLink } from "@trpc/client";
import { EventSource, type EventSourceFetchInit } from "eventsource";
import type { AppRouter } from "../../src/trpc/app-router.js";

/**
 * A raw Server-Sent Events client over node:http, for tests: it parses the stream as the HTML
 * spec says (fields, comments, a blank line ends a frame) and keeps everything it read, so a test
 * can look at frames, comments and the `retry:` hint, not only at what EventSource would show.
 */

export interface SseFrame {
  id: string | undefined;
  event: string | undefined;
  data: string;
}

export interface SseStream {
  status: number;
  headers: IncomingHttpHeaders;
  /** A refused stream's body (JSON parsed when it is JSON); undefined for a 200. */
  body: unknown;
  frames: SseFrame[];
  comments: string[];
  retry: number | null;
  /** The events of the frames, parsed (`data:` of each frame that has an `event:`). */
  events(): ChatEvent[];
  /** Event ids in the order received. */
  ids(): string[];
  /** Resolves once `done()` holds (checked on every chunk), rejects after `timeoutMs` or when the stream closes first. */
  waitFor(done: (stream: SseStream) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Resolves when the server (or `close()`) ended the stream. */
  closed: Promise<void>;
  readonly isClosed: boolean;
  close(): void;
}

export interface OpenSseOptions {
  session?: string;
  lastEventId?: string;
  headers?: Record<string, string>;
}

/** Waits for events with a generous deadline: the machine is busy; this bounds a hang, it measures nothing. */
export const SSE_WAIT_MS = 20_000;

export function openSse(baseUrl: string, path: string, options: OpenSseOptions = {}): Promise<SseStream> {
  const url = new URL(path, baseUrl);
  const headers: Record<string, string> = { accept: "text/event-stream", ...options.headers };
  if (options.session) headers.cookie = `psession=${options.session}`;
  if (options.lastEventId !== undefined) headers["last-event-id"] = options.lastEventId;
  return new Promise((resolve, reject) => {
    const frames: SseFrame[] = [];
    const comments: string[] = [];
    const waiters = new Set<{ check: () => void }>();
    let closed = false;
    let closedResolve: () => void = () => undefined;
    const closedPromise = new Promise<void>((r) => (closedResolve = r));
    const stream: SseStream = {
      status: 0,
      headers: {},
      body: undefined,
      frames,
      comments,
      retry: null,
      events: () => frames.filter((f) => f.event !== undefined).map((f) => JSON.parse(f.data) as ChatEvent),
      ids: () => frames.filter((f) => f.id !== undefined && f.id !== "").map((f) => f.id!),
      waitFor(done, what, timeoutMs = SSE_WAIT_MS) {
        if (done(stream)) return Promise.resolve();
        return new Promise<void>((ok, fail) => {
          const waiter = {
            check: () => {
              if (done(stream)) finish();
              else if (closed) finish(new Error(`stream closed before ${what} (got ${frames.length} frames: ${stream.ids().join(",")})`));
            },
          };
          const timer = setTimeout(
            () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (got ${frames.length} frames: ${stream.ids().join(",")})`)),
            timeoutMs,
          );
          const finish = (error?: Error) => {
            clearTimeout(timer);
            waiters.delete(waiter);
            if (error) fail(error);
            else ok();
          };
          waiters.add(waiter);
        });
      },
      closed: closedPromise,
      get isClosed() {
        return closed;
      },
      close() {
        req.destroy();
      },
    };
    const markClosed = () => {
      if (closed) return;
      closed = true;
      closedResolve();
      for (const waiter of [...waiters]) waiter.check();
    };

    const req: ClientRequest = httpRequest({ host: url.hostname, port: url.port, path: url.pathname + url.search, method: "GET", headers, agent: false }, (res) => {
      stream.status = res.statusCode ?? 0;
      stream.headers = res.headers;
      res.setEncoding("utf8");
      if (stream.status !== 200) {
        let text = "";
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => {
          stream.body = (res.headers["content-type"] ?? "").includes("json") && text ? JSON.parse(text) : text;
          markClosed();
          resolve(stream);
        });
        return;
      }
      let buffer = "";
      let frame: SseFrame = { id: undefined, event: undefined, data: "" };
      let hasData = false;
      res.on("data", (chunk: string) => {
        buffer += chunk;
        let newline: number;
        while ((newline = buffer.search(/\r\n|\r|\n/)) !== -1) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
          if (line === "") {
            if (hasData || frame.id !== undefined) frames.push(frame);
            frame = { id: undefined, event: undefined, data: "" };
            hasData = false;
            continue;
          }
          if (line.startsWith(":")) {
            comments.push(line.slice(1).trim());
            continue;
          }
          const colon = line.indexOf(":");
          const field = colon === -1 ? line : line.slice(0, colon);
          let value = colon === -1 ? "" : line.slice(colon + 1);
          if (value.startsWith(" ")) value = value.slice(1);
          if (field === "data") {
            frame.data = hasData ? `${frame.data}\n${value}` : value;
            hasData = true;
          } else if (field === "id") frame.id = value;
          else if (field === "event") frame.event = value;
          else if (field === "retry" && /^\d+$/.test(value)) stream.retry = Number(value);
        }
        for (const waiter of [...waiters]) waiter.check();
      });
      res.on("end", markClosed);
      res.on("close", markClosed);
      res.on("error", markClosed);
      resolve(stream);
    });
    req.on("error", (error) => {
      if (stream.status === 0) reject(error);
      markClosed();
    });
    req.end();
  });
}

/**
 * A real tRPC client for subscriptions: @trpc/client's httpSubscriptionLink over the `eventsource`
 * package (the WhatWG EventSource for Node), signed in with `session` (a browser sends the cookie
 * by itself; here the EventSource's fetch adds it).
 */
export function trpcSubscriptionClient(baseUrl: string, session?: string) {
  return createTRPCClient<AppRouter>({
    links: [
      httpSubscriptionLink({
        url: `${baseUrl}/trpc`,
        EventSource,
        eventSourceOptions: () => ({
          fetch: (input: string | URL, init?: EventSourceFetchInit) =>
            fetch(input, { ...init, headers: { ...init?.headers, ...(session ? { cookie: `psession=${session}` } : {}) } }),
        }),
      }),
    ],
  });
}

export interface TrpcEventSubscriber {
  /** Tracked ids in the order received. */
  ids: string[];
  events: ChatEvent[];
  /** The error the subscription ended with, once it has. */
  error: unknown;
  /** Resolves when the server has accepted the subscription. */
  started: Promise<void>;
  /** Resolves with the error the subscription ends with. */
  failed: Promise<unknown>;
  waitFor(done: (subscriber: TrpcEventSubscriber) => boolean, what: string, timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

/** `chat.events` through a real tRPC client (httpSubscriptionLink), collecting what it receives. */
export function subscribeChatEvents(
  baseUrl: string,
  session: string,
  input: { chat_id: number; last_event_id?: string; lastEventId?: string },
): TrpcEventSubscriber {
  let started: () => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const subscriber: TrpcEventSubscriber = {
    ids: [],
    events: [],
    error: undefined,
    started: new Promise<void>((r) => (started = r)),
    failed: new Promise<unknown>((r) => (failed = r)),
    async waitFor(done, what, timeoutMs = SSE_WAIT_MS) {
      const deadline = Date.now() + timeoutMs;
      while (!done(subscriber)) {
        if (subscriber.error !== undefined) throw new Error(`subscription failed before ${what}: ${String(subscriber.error)}`);
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (got ${subscriber.ids.length} events)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    unsubscribe: () => subscription.unsubscribe(),
  };
  const subscription = trpcSubscriptionClient(baseUrl, session).chat.events.subscribe(input, {
    onStarted: () => started(),
    onData: (event) => {
      subscriber.ids.push(event.id);
      subscriber.events.push(event.data);
    },
    onError: (error) => {
      subscriber.error = error;
      failed(error);
    },
  });
  return subscriber;
}
