import type { Invite, UserMe } from "@portal/contracts";
import { useState } from "react";
import { copyText } from "../lib/clipboard";
import { creatorName, joinLink, usageState } from "../lib/invites";
import { formatAgo, formatDateTime, formatTimeLeft, hasExpired } from "../lib/time";
import { WhoJoined } from "./invite-management";
import { Meter } from "./ui";

type CopyState = { code: string; ok: boolean; link: string } | null;

/**
 * The chat's active invites (the page leaves out those expired or used up since it fetched them):
 * code, creator, uses against max, time left, copy link, edit, QR code, who joined, revoke. An archived chat's invites do not
 * work, so they have no link to copy.
 */
export function InviteList({
  chatId,
  invites,
  me,
  people,
  archived,
  now,
  highlight,
  onRevoke,
  onEdit,
  onShowQr,
}: {
  chatId: number;
  invites: Invite[];
  me: UserMe;
  /** Names by user id, from `chat.people`. */
  people: ReadonlyMap<number, string>;
  archived: boolean;
  now: number;
  highlight: string | null;
  onRevoke: (invite: Invite) => void;
  onEdit: (invite: Invite) => void;
  onShowQr: (invite: Invite) => void;
}) {
  const [copied, setCopied] = useState<CopyState>(null);
  const [showJoined, setShowJoined] = useState<string | null>(null);

  const copy = async (code: string) => {
    const link = joinLink(code, window.location.origin);
    setCopied({ code, ok: await copyText(link), link });
  };

  if (invites.length === 0) {
    return (
      <p className="empty">{archived ? "This archived chat has no invites left." : "No active invites. Create one to share a link to this chat."}</p>
    );
  }

  return (
    <ul className="invite-list">
      {invites.map((invite) => {
        const usage = usageState(invite.uses, invite.max_uses);
        const expired = hasExpired(invite.expires_at, now);
        const copyState = copied?.code === invite.code ? copied : null;
        return (
          <li
            key={invite.code}
            className={`card invite${highlight === invite.code ? " invite-new" : ""}${expired || usage.usedUp ? " invite-inactive" : ""}`}
            data-code={invite.code}
          >
            <div className="invite-id">
              <div className="invite-top">
                <code className="invite-code">{invite.code}</code>
                {highlight === invite.code ? <span className="badge badge-accent">New</span> : null}
              </div>
              <p className="invite-creator">
                Created by {creatorName(invite.created_by_id, me, people)} ·{" "}
                <time dateTime={invite.created_at} title={formatDateTime(invite.created_at)}>
                  {formatAgo(invite.created_at, now)}
                </time>
              </p>
            </div>
            <dl className="invite-facts">
              <div className="fact">
                <dt>Uses</dt>
                <dd>
                  <span className="fact-value">{usage.label}</span>
                  {usage.percent !== null ? (
                    <Meter
                      value={invite.uses}
                      max={invite.max_uses ?? 1}
                      percent={usage.percent}
                      label={`Uses of invite ${invite.code}`}
                      valueText={`${invite.uses} of ${invite.max_uses} uses`}
                      tone={usage.usedUp ? "full" : usage.percent >= 75 ? "warning" : "ok"}
                    />
                  ) : (
                    <span className="fact-note">Unlimited</span>
                  )}
                </dd>
              </div>
              <div className="fact">
                <dt>Time left</dt>
                <dd>
                  <span className={`fact-value${expired ? " text-danger" : ""}`}>{formatTimeLeft(invite.expires_at, now)}</span>
                  {invite.expires_at ? (
                    <time className="fact-note" dateTime={invite.expires_at}>
                      {formatDateTime(invite.expires_at)}
                    </time>
                  ) : null}
                </dd>
              </div>
            </dl>
            <div className="invite-actions">
              {archived ? null : (
                <>
                  <button type="button" className="button button-secondary button-small" onClick={() => void copy(invite.code)}>
                    Copy link<span className="sr-only"> for invite {invite.code}</span>
                  </button>
                  <button type="button" className="button button-secondary button-small" onClick={() => onEdit(invite)}>
                    Edit<span className="sr-only"> invite {invite.code}</span>
                  </button>
                  <button type="button" className="button button-secondary button-small" onClick={() => onShowQr(invite)}>
                    QR code<span className="sr-only"> of invite {invite.code}</span>
                  </button>
                </>
              )}
              <button
                type="button"
                className="button button-secondary button-small"
                aria-expanded={showJoined === invite.code}
                aria-controls={`joined-${invite.code}`}
                onClick={() => setShowJoined(showJoined === invite.code ? null : invite.code)}
              >
                Who joined<span className="sr-only"> through invite {invite.code}</span>
              </button>
              <button type="button" className="button button-danger-ghost button-small" onClick={() => onRevoke(invite)}>
                Revoke<span className="sr-only"> invite {invite.code}</span>
              </button>
            </div>
            {showJoined === invite.code ? <WhoJoined id={`joined-${invite.code}`} chatId={chatId} code={invite.code} now={now} /> : null}
            <p className="copy-status" role="status">
              {copyState ? (
                copyState.ok ? (
                  <>
                    Link copied: <span className="copy-link">{copyState.link}</span>
                  </>
                ) : (
                  <>
                    Copying is blocked here. Select and copy the link: <span className="copy-link">{copyState.link}</span>
                  </>
                )
              ) : null}
            </p>
          </li>
        );
      })}
    </ul>
  );
}
