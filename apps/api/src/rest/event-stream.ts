import { ErrorMessage, EVENT_ID_PATTERN } from "@portal/contracts";
import type { Request, Response } from "express";
import type { EventBatch } from "../live/live-event.js";
import { STREAM_ENDS, type EventSink, type EventStream, type StreamEnd } from "../live/stream.js";
import type { ServiceDeps } from "../services/context.js";
import { badRequest } from "../services/errors.js";
import { runEventStream } from "../services/event-stream.service.js";

/**
 * GET /v1/portal/chats/{chat_id}/events as Server-Sent Events: the headers and the `retry:` hint,
 * then each event as `id:`, `event:` and `data:` lines, `: keep-alive` while silent, and a comment
 * saying why when the server ends it.
 */

/** How long a client waits before it reconnects after the stream drops (the `retry:` field). */
export const SSE_RETRY_MS = 2_000;

/** Bytes a client may leave unread before its stream is ended as behind (it reconnects and resumes from the table). */
const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

/** The client's last event id: the `Last-Event-ID` header (what EventSource sends when it reconnects) wins over `?last_event_id=`. */
export function lastEventIdOf(req: Request, fromQuery: string | undefined): string | null {
  const header = req.get("last-event-id");
  if (header === undefined || header === "") return fromQuery ?? null;
  if (!EVENT_ID_PATTERN.test(header)) throw badRequest(ErrorMessage.lastEventIdHeaderInvalid);
  return header;
}

class SseSink implements EventSink {
  constructor(private readonly res: Response) {}

  send(batch: EventBatch): boolean {
    if (this.res.writableEnded || this.res.destroyed) return true;
    this.res.write(batch.frames);
    return this.res.writableLength <= MAX_UNREAD_BYTES;
  }

  keepAlive(): void {
    if (!this.res.writableEnded && !this.res.destroyed) this.res.write(": keep-alive\n\n");
  }

  drained(): Promise<void> {
    const res = this.res;
    if (!res.writableNeedDrain || res.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        res.off("drain", done);
        res.off("close", done);
        resolve();
      };
      res.on("drain", done);
      res.on("close", done);
    });
  }

  end(end: StreamEnd): void {
    const res = this.res;
    if (res.writableEnded || res.destroyed) return;
    // Far behind: what is buffered is dropped with the connection; it reconnects and resumes.
    if (end.reason === "behind") return void res.destroy();
    if (end.error) res.write(`: ${end.error.message}\n\n`);
    res.end();
  }
}

/** Starts the response of an opened stream and runs it until it ends (the client leaves, or the server ends it). */
export function serveEventStream(deps: ServiceDeps, stream: EventStream, res: Response): void {
  res.on("close", () => stream.end(STREAM_ENDS.client));
  // The client may have gone while the stream was being opened ("close" has fired then).
  if (res.destroyed || !res.socket || res.socket.destroyed) return stream.end(STREAM_ENDS.client);
  res.writeHead(200, {
    "Content-Type": "text/event-stream",
    "Cache-Control": "no-cache, no-transform",
    "X-Accel-Buffering": "no",
  });
  res.socket?.setNoDelay(true);
  res.write(`retry: ${SSE_RETRY_MS}\n\n`);
  void runEventStream(deps, stream, new SseSink(res));
}
