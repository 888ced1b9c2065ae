/** The app's pages, as parsed from the address bar. */
export type Route =
  | { name: "home" }
  | { name: "signIn"; next: string | null }
  | { name: "chatInvites"; chatId: number }
  | { name: "chatActivity"; chatId: number; page: number }
  | { name: "join"; code: string }
  | { name: "notFound" };

function positiveInt(text: string | null | undefined): number | null {
  if (!text || !/^\d{1,15}$/.test(text)) return null;
  const value = Number(text);
  return value >= 1 && Number.isSafeInteger(value) ? value : null;
}

/** Only same-app paths may be a sign-in's `next`, never another site (`//evil.example`). */
export function safeNextPath(next: string | null): string | null {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return null;
  return next;
}

export function parseRoute(pathname: string, search = ""): Route {
  const params = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, "") || "/";
  if (path === "/") return { name: "home" };
  if (path === "/sign-in") return { name: "signIn", next: safeNextPath(params.get("next")) };
  const join = /^\/join\/([^/]+)$/.exec(path);
  if (join?.[1]) {
    let code: string;
    try {
      code = decodeURIComponent(join[1]);
    } catch {
      code = join[1];
    }
    return { name: "join", code };
  }
  const chat = /^\/chats\/([^/]+)\/(invites|activity)$/.exec(path);
  const chatId = positiveInt(chat?.[1]);
  if (chat && chatId !== null) {
    if (chat[2] === "invites") return { name: "chatInvites", chatId };
    return { name: "chatActivity", chatId, page: positiveInt(params.get("page")) ?? 1 };
  }
  return { name: "notFound" };
}

export const paths = {
  home: (): string => "/",
  signIn: (next?: string): string => (next ? `/sign-in?next=${encodeURIComponent(next)}` : "/sign-in"),
  chatInvites: (chatId: number): string => `/chats/${chatId}/invites`,
  chatActivity: (chatId: number, page = 1): string => `/chats/${chatId}/activity${page > 1 ? `?page=${page}` : ""}`,
  join: (code: string): string => `/join/${encodeURIComponent(code)}`,
};
