import type { ActivityEvent } from "@portal/contracts";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useEffect } from "react";
import { ChatFrame, useManagedChat } from "../components/chat-frame";
import { Loading } from "../components/ui";
import { offsetOf, pageInfo } from "../lib/paging";
import { isNetworkError } from "../lib/errors";
import { Link, navigate } from "../lib/router";
import { paths } from "../lib/routes";
import { formatAgo, formatDateTime } from "../lib/time";
import { trpc } from "../lib/trpc";
import { useNow } from "../lib/use-now";
import { ChatProblem } from "./chat-problem";

export const ACTIVITY_PAGE_SIZE = 20;

const ACTION_LABELS: Record<ActivityEvent["action"], string> = {
  join: "Joined",
  leave: "Left",
  kick: "Was kicked",
  ban: "Was banned",
};

function methodLabel(event: ActivityEvent) {
  if (event.method === "invite") {
    return event.invite_code ? (
      <>
        Invite <code>{event.invite_code}</code>
      </>
    ) : (
      "An invite"
    );
  }
  if (event.method === "direct") return "Directly";
  if (event.method === "vanity") return "Vanity link";
  return <span className="muted">—</span>;
}

/** Who joined (or left, was kicked or banned), when and through which invite; newest first, paged. */
export function ChatActivityPage({ chatId, page }: { chatId: number; page: number }) {
  const chat = useManagedChat(chatId);
  const now = useNow(60_000);
  const activity = useQuery({
    ...trpc.chat.activity.queryOptions({ chat_id: chatId, offset: offsetOf(page, ACTIVITY_PAGE_SIZE), limit: ACTIVITY_PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });

  const info = activity.data ? pageInfo(page, ACTIVITY_PAGE_SIZE, activity.data.total) : null;
  // A page past the end (`?page=99`, or the last page after rows went away): on to the last one.
  const pastTheEnd = info !== null && !activity.isPlaceholderData && info.page < page;
  useEffect(() => {
    if (pastTheEnd && info) navigate(paths.chatActivity(chatId, info.page), { replace: true });
  }, [pastTheEnd, info, chatId]);

  if (activity.error && !isNetworkError(activity.error)) return <ChatProblem error={activity.error} />;

  return (
    <ChatFrame chatId={chatId} chat={chat} tab="activity">
      <section className="card" aria-labelledby="activity-title">
        <div className="section-head">
          <h2 id="activity-title" className="section-title">
            Activity
          </h2>
          {info && !pastTheEnd ? <p className="hint">{info.summary}</p> : null}
        </div>
        {!activity.data || pastTheEnd ? (
          activity.error ? (
            <p className="empty">The activity could not be loaded yet. It appears as soon as the server answers.</p>
          ) : (
            <Loading label="Loading activity…" />
          )
        ) : activity.data.events.length === 0 ? (
          <p className="empty">Nobody has joined or left this chat yet.</p>
        ) : (
          <table className="activity-table" aria-describedby="activity-title">
            <thead>
              <tr>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Through</th>
                <th scope="col">When</th>
              </tr>
            </thead>
            <tbody aria-busy={activity.isPlaceholderData || undefined}>
              {activity.data.events.map((event, index) => (
                <tr key={`${event.created_at}-${event.user.id}-${index}`}>
                  <td data-label="Who">
                    <span className="who">
                      <span className="avatar avatar-small" aria-hidden="true">
                        {event.user.username.slice(0, 1).toUpperCase()}
                      </span>
                      {event.user.username}
                    </span>
                  </td>
                  <td data-label="What">
                    <span className={`action action-${event.action}`}>{ACTION_LABELS[event.action]}</span>
                  </td>
                  <td data-label="Through">{methodLabel(event)}</td>
                  <td data-label="When">
                    <time dateTime={event.created_at} title={formatDateTime(event.created_at)}>
                      {formatAgo(event.created_at, now)}
                    </time>
                    <span className="fact-note">{formatDateTime(event.created_at)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {info && !pastTheEnd && info.pageCount > 1 ? (
          <nav className="pager" aria-label="Activity pages">
            {info.hasPrevious ? (
              <Link to={paths.chatActivity(chatId, info.page - 1)} className="button button-secondary button-small" rel="prev">
                ← Newer
              </Link>
            ) : (
              <span />
            )}
            <span className="hint" aria-current="page">
              Page {info.page} of {info.pageCount}
            </span>
            {info.hasNext ? (
              <Link to={paths.chatActivity(chatId, info.page + 1)} className="button button-secondary button-small" rel="next">
                Older →
              </Link>
            ) : (
              <span />
            )}
          </nav>
        ) : null}
      </section>
    </ChatFrame>
  );
}
