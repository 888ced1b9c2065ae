import { connect, type Socket } from "node:net";

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Opens a plain TCP connection to the server of `baseUrl` and resolves once it is connected. */
export function openSocket(baseUrl: string): Promise<Socket> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}

/** Parses the first HTTP/1.1 response in `text`; null when there is none. */
export function parseRawResponse(text: string): RawResponse | null {
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [statusLine, ...lines] = text.slice(0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1]);
  if (!Number.isInteger(status)) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = headers["content-length"];
  const rest = text.slice(end + 4);
  return { status, headers, body: length === undefined ? rest : rest.slice(0, Number(length)) };
}

/**
 * What a socket receives until the server closes it: the response (null when the server closed
 * without one) and everything read. Resolves on the server's close, never on a timer; the caller's
 * test timeout bounds it.
 */
export function readUntilClosed(socket: Socket): Promise<{ response: RawResponse | null; text: string }> {
  return new Promise((resolve) => {
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (text += chunk));
    socket.on("error", () => undefined);
    socket.once("close", () => resolve({ response: parseRawResponse(text), text }));
  });
}

/** Sends `request` as it is on a new connection and reads until the server closes it. */
export async function rawExchange(baseUrl: string, request: string): Promise<{ response: RawResponse | null; text: string }> {
  const socket = await openSocket(baseUrl);
  try {
    const done = readUntilClosed(socket);
    socket.write(request);
    return await done;
  } finally {
    socket.destroy();
  }
}
