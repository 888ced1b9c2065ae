/**
 * A Server-Sent Events client for the events benchmarks: one plain `node:http` request per stream
 * (no agent, so every stream is a socket of its own, as a browser's EventSource is), and a parser
 * of the frames SPEC section 11 sends (`id:`, `event:`, `data:` lines, a blank line after each;
 * comment lines start with `:`).
 */
import { request, type ClientRequest, type IncomingMessage } from "node:http";

export interface SseFrame {
  id: string | null;
  event: string | null;
  data: string;
}

/**
 * Feeds text in any chunks; calls `onFrame` for every complete frame (a frame ends at a blank
 * line). Lines may end in `\n`, `\r\n` or `\r`; several `data:` lines join with `\n`; a frame of
 * comments only is no frame. As in the EventSource standard, one space after the colon is dropped.
 */
export function createSseParser(onFrame: (frame: SseFrame) => void): (chunk: string) => void {
  let pending = "";
  let id: string | null = null;
  let event: string | null = null;
  let data: string[] = [];
  let fields = 0;
  const line = (text: string) => {
    if (text === "") {
      if (fields > 0) onFrame({ id, event, data: data.join("\n") });
      id = null;
      event = null;
      data = [];
      fields = 0;
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const name = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (name === "id") id = value;
    else if (name === "event") event = value;
    else if (name === "data") data.push(value);
    else return;
    fields += 1;
  };
  return (chunk) => {
    pending += chunk;
    let start = 0;
    for (let i = 0; i < pending.length; i++) {
      const c = pending.charCodeAt(i);
      if (c !== 10 && c !== 13) continue;
      // A \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (c === 13 && i === pending.length - 1) break;
      line(pending.slice(start, i));
      if (c === 13 && pending.charCodeAt(i + 1) === 10) i += 1;
      start = i + 1;
    }
    pending = pending.slice(start);
  };
}

export interface OpenStream {
  /** When the response's headers arrived (performance.now()). */
  openedAt: number;
  /** Frames received so far. */
  frames: number;
  /** Set when the server ended the stream or the socket failed. */
  ended: string | null;
  close(): void;
}

export class StreamRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the events stream answered ${status}: ${body.slice(0, 300)}`);
  }
}

/**
 * Opens `GET <base><path>` as an event stream with the session cookie and resolves once its 200
 * headers arrived (`onFrame` then gets every frame with the time it was parsed, performance.now()).
 * Any other status rejects with StreamRefused, carrying the body.
 */
export function openStream(
  base: string,
  path: string,
  session: string,
  onFrame: (frame: SseFrame, at: number) => void,
  timeoutMs = 30_000,
): Promise<OpenStream> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    let settled = false;
    const req: ClientRequest = request(
      { hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: "GET", agent: false, headers: { Accept: "text/event-stream", Cookie: `psession=${session}` } },
      (res: IncomingMessage) => {
        clearTimeout(timer);
        res.setEncoding("utf8");
        if (res.statusCode !== 200) {
          let body = "";
          res.on("data", (chunk: string) => (body += chunk));
          res.on("end", () => reject(new StreamRefused(res.statusCode ?? 0, body)));
          res.on("error", () => reject(new StreamRefused(res.statusCode ?? 0, body)));
          settled = true;
          return;
        }
        const stream: OpenStream = {
          openedAt: performance.now(),
          frames: 0,
          ended: null,
          close: () => {
            stream.ended ??= "closed by the bench";
            req.destroy();
          },
        };
        const parse = createSseParser((frame) => {
          stream.frames += 1;
          onFrame(frame, performance.now());
        });
        res.on("data", parse);
        res.on("end", () => (stream.ended ??= "ended by the server"));
        res.on("error", (error) => (stream.ended ??= `failed: ${error.message}`));
        settled = true;
        resolve(stream);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`no answer to ${url.pathname} within ${timeoutMs} ms`)), timeoutMs);
    req.on("error", (error) => {
      clearTimeout(timer);
      if (!settled) reject(error);
    });
    req.end();
  });
}
