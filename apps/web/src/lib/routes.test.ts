import { describe, expect, it } from "vitest";
import { parseRoute, paths, safeNextPath } from "./routes";

describe("parseRoute", () => {
  it.each<[string, string, ReturnType<typeof parseRoute>]>([
    ["/", "", { name: "home" }],
    ["/sign-in", "", { name: "signIn", next: null }],
    ["/sign-in", "?next=%2Fjoin%2Fabc", { name: "signIn", next: "/join/abc" }],
    ["/sign-in", "?next=https%3A%2F%2Fevil.example", { name: "signIn", next: null }],
    ["/join/abc123def456ghi7", "", { name: "join", code: "abc123def456ghi7" }],
    ["/join/abc/", "", { name: "join", code: "abc" }],
    ["/chats/3/invites", "", { name: "chatInvites", chatId: 3 }],
    ["/chats/3/activity", "", { name: "chatActivity", chatId: 3, page: 1 }],
    ["/chats/3/activity", "?page=4", { name: "chatActivity", chatId: 3, page: 4 }],
    ["/chats/3/activity", "?page=-1", { name: "chatActivity", chatId: 3, page: 1 }],
    ["/chats/0/invites", "", { name: "notFound" }],
    ["/chats/abc/invites", "", { name: "notFound" }],
    ["/nowhere", "", { name: "notFound" }],
  ])("%s%s", (pathname, search, expected) => {
    expect(parseRoute(pathname, search)).toEqual(expected);
  });

  it("paths and parseRoute agree", () => {
    expect(parseRoute(paths.chatActivity(7, 2).split("?")[0] ?? "", "?page=2")).toEqual({ name: "chatActivity", chatId: 7, page: 2 });
    expect(paths.chatActivity(7)).toBe("/chats/7/activity");
    expect(paths.signIn("/join/abc")).toBe("/sign-in?next=%2Fjoin%2Fabc");
  });

  it("only follows next to paths of this app", () => {
    expect(safeNextPath("//evil.example/x")).toBeNull();
    expect(safeNextPath("/\\evil.example")).toBeNull();
    expect(safeNextPath("/chats/1/invites")).toBe("/chats/1/invites");
  });
});
