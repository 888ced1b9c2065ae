import type { ChatSummary, ManageableChat, UserMe } from "@portal/contracts";
import { useQuery } from "@tanstack/react-query";
import { Badge, InlineError, Loading, PageTitle, VisibilityBadge } from "../components/ui";
import { describeFailure } from "../lib/errors";
import { levelName } from "../lib/levels";
import { Link } from "../lib/router";
import { paths } from "../lib/routes";
import { trpc } from "../lib/trpc";

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The chats a person is in, and, separately, the chats their level lets them manage. */
export function ChatsPage({ user }: { user: UserMe }) {
  const mine = useQuery(trpc.chat.mine.queryOptions());
  const manageable = useQuery(trpc.chat.manageable.queryOptions());
  const managed = new Map((manageable.data ?? []).map((chat) => [chat.id, chat]));
  // A chat the person is in shows once, above (with its management links); below, the others.
  const mineIds = new Set((mine.data ?? []).map((chat) => chat.id));
  const others = (manageable.data ?? []).filter((chat) => !mineIds.has(chat.id));

  return (
    <>
      <div className="page-head">
        <PageTitle title="My chats" />
        <p className="lead">
          Signed in as <strong>{user.username}</strong> ({levelName(user.permission_level)}).
        </p>
      </div>

      <section aria-labelledby="mine-title" className="section">
        <h2 id="mine-title" className="section-title">
          Chats you own or joined
        </h2>
        {mine.data === undefined ? (
          mine.error ? (
            <InlineError>{describeFailure(mine.error, { notDone: "your chats could not be loaded", maybe: "your chats could not be loaded" })}</InlineError>
          ) : (
            <Loading label="Loading your chats…" />
          )
        ) : mine.data.length === 0 ? (
          <p className="empty">You are not in any chat yet. Open an invite link to join one.</p>
        ) : (
          <ul className="chat-grid">
            {mine.data.map((chat) => (
              <MyChatCard key={chat.id} chat={chat} managed={managed.get(chat.id)} userId={user.id} />
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="manage-title" className="section">
        <h2 id="manage-title" className="section-title">
          Other chats you can manage
        </h2>
        <p className="hint">
          The public and official chats your level ({levelName(user.permission_level)}) lets you manage, besides your own.
        </p>
        {manageable.data === undefined || mine.data === undefined ? (
          manageable.error ? (
            <InlineError>
              {describeFailure(manageable.error, { notDone: "these chats could not be loaded", maybe: "these chats could not be loaded" })}
            </InlineError>
          ) : (
            <Loading label="Loading the chats you can manage…" />
          )
        ) : others.length === 0 ? (
          <p className="empty">There are no other chats you can manage.</p>
        ) : (
          <ul className="chat-grid">
            {others.map((chat) => (
              <ManageableChatCard key={chat.id} chat={chat} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function MyChatCard({ chat, managed, userId }: { chat: ChatSummary; managed: ManageableChat | undefined; userId: number }) {
  const isOwner = managed?.owner?.id === userId;
  return (
    <li className="card chat-card" aria-labelledby={`mine-${chat.id}`}>
      <div className="chat-card-head">
        <h3 id={`mine-${chat.id}`} className="chat-name">
          {chat.name}
        </h3>
        <VisibilityBadge visibility={chat.visibility} />
        {managed?.archived ? <Badge tone="warning">Archived</Badge> : null}
      </div>
      <p className="chat-meta">
        <span>{isOwner ? "Owner" : "Member"}</span>
        {managed ? <span>{plural(managed.active_invites, "active invite", "active invites")}</span> : null}
      </p>
      {managed ? (
        <div className="actions">
          <Link to={paths.chatInvites(chat.id)} className="button button-secondary button-small">
            Manage invites<span className="sr-only"> of {chat.name}</span>
          </Link>
          <Link to={paths.chatActivity(chat.id)} className="button button-ghost button-small">
            Activity<span className="sr-only"> of {chat.name}</span>
          </Link>
        </div>
      ) : (
        <p className="hint">Its invites are managed by the owner and staff.</p>
      )}
    </li>
  );
}

function ManageableChatCard({ chat }: { chat: ManageableChat }) {
  return (
    <li className="card chat-card" aria-labelledby={`manage-${chat.id}`}>
      <div className="chat-card-head">
        <h3 id={`manage-${chat.id}`} className="chat-name">
          {chat.name}
        </h3>
        <VisibilityBadge visibility={chat.visibility} />
        {chat.archived ? <Badge tone="warning">Archived</Badge> : null}
      </div>
      {chat.description ? <p className="chat-description">{chat.description}</p> : null}
      <p className="chat-meta">
        <span>{chat.owner ? `Owner: ${chat.owner.username}` : "No owner"}</span>
        <span>{plural(chat.member_count, "member", "members")}</span>
        <span>{plural(chat.active_invites, "active invite", "active invites")}</span>
      </p>
      <div className="actions">
        <Link to={paths.chatInvites(chat.id)} className="button button-secondary button-small">
          Invites<span className="sr-only"> of {chat.name}</span>
        </Link>
        <Link to={paths.chatActivity(chat.id)} className="button button-ghost button-small">
          Activity<span className="sr-only"> of {chat.name}</span>
        </Link>
      </div>
    </li>
  );
}
