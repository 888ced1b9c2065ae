import type { ManageableChat } from "@portal/contracts";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useChatEvents } from "../lib/chat-events";
import { Link } from "../lib/router";
import { paths } from "../lib/routes";
import { trpc } from "../lib/trpc";
import { LiveNotice } from "./live-notice";
import { Badge, PageTitle, VisibilityBadge } from "./ui";

export type ChatTab = "invites" | "activity";

/** The chat, when it is among those the person may manage (the list the chats page showed). */
export function useManagedChat(chatId: number): ManageableChat | undefined {
  const manageable = useQuery(trpc.chat.manageable.queryOptions());
  return manageable.data?.find((chat) => chat.id === chatId);
}

/**
 * A chat's header (name, visibility, owner, members), the Invites / Activity tabs, and the chat's
 * live updates: its one event stream, opened while either page shows (see chat-events.ts), and the
 * notice when that stream is paused or off.
 */
export function ChatFrame({
  chatId,
  chat,
  tab,
  children,
}: {
  chatId: number;
  chat: ManageableChat | undefined;
  tab: ChatTab;
  children: ReactNode;
}) {
  const live = useChatEvents(chatId);
  const name = chat?.name ?? `Chat ${chatId}`;
  const tabTitle = tab === "invites" ? "Invites" : "Activity";
  return (
    <>
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <ol>
          <li>
            <Link to={paths.home()}>My chats</Link>
          </li>
          <li aria-current="page">{name}</li>
        </ol>
      </nav>
      <div className="chat-head">
        <div className="chat-title-row">
          <PageTitle title={`${tabTitle} · ${name}`}>{name}</PageTitle>
          {chat ? <VisibilityBadge visibility={chat.visibility} /> : null}
          {chat?.archived ? <Badge tone="warning">Archived</Badge> : null}
        </div>
        {chat?.description ? <p className="chat-description">{chat.description}</p> : null}
        {chat ? (
          <p className="chat-meta">
            <span>{chat.owner ? `Owner: ${chat.owner.username}` : "No owner"}</span>
            <span>
              {chat.member_count} {chat.member_count === 1 ? "member" : "members"}
            </span>
          </p>
        ) : null}
      </div>
      <nav aria-label="Chat sections" className="tabs">
        <Link to={paths.chatInvites(chatId)} className="tab" aria-current={tab === "invites" ? "page" : undefined}>
          Invites
        </Link>
        <Link to={paths.chatActivity(chatId)} className="tab" aria-current={tab === "activity" ? "page" : undefined}>
          Activity
        </Link>
      </nav>
      <LiveNotice chatId={chatId} state={live} />
      {children}
    </>
  );
}
