import type { Invite, UserMe } from "@portal/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { ChatFrame, useManagedChat } from "../components/chat-frame";
import { ConfirmDialog } from "../components/confirm-dialog";
import { InviteForm } from "../components/invite-form";
import { InviteList } from "../components/invite-list";
import {
  EditInviteDialog,
  InviteQrDialog,
  InviteSettingsPanel,
  JoinRequestsPanel,
  PausedBanner,
  useInviteSettings,
} from "../components/invite-management";
import { Loading, Meter } from "../components/ui";
import { describeFailure, isNetworkError, isUnauthorized, toApiError } from "../lib/errors";
import { interrupt } from "../lib/interrupted";
import { isInviteActive, joinLink } from "../lib/invites";
import { quotaState } from "../lib/quota";
import { tickIntervalFor } from "../lib/time";
import { trpc, trpcClient } from "../lib/trpc";
import { useNow } from "../lib/use-now";
import { ChatProblem } from "./chat-problem";

/** A chat's invites: the quota meter, the create form and the list of active invites. */
export function ChatInvitesPage({ chatId, user }: { chatId: number; user: UserMe }) {
  const queryClient = useQueryClient();
  const chat = useManagedChat(chatId);
  // No timer: the chat's live events keep it current (chat-events.ts, opened by ChatFrame).
  const list = useQuery(trpc.invite.list.queryOptions({ chat_id: chatId }));
  const people = useQuery({ ...trpc.chat.people.queryOptions({ chat_id: chatId }), enabled: list.isSuccess });
  const [highlight, setHighlight] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Invite | null>(null);
  const [editing, setEditing] = useState<Invite | null>(null);
  const [qrCode, setQrCode] = useState<string | null>(null);
  const [revokingAll, setRevokingAll] = useState(false);
  const listHeading = useRef<HTMLHeadingElement>(null);
  /** Where focus goes when the dialog closes: the list's heading after a revoke (its row is gone). */
  const focusAfterDialog = useRef<HTMLElement | null>(null);

  const settings = useInviteSettings(chatId);
  const fetched = list.data?.invites ?? [];
  // The clock ticks every second when an invite (or the pause) ends within the hour, so an invite
  // leaves the list (and the quota) the moment it expires by the browser's clock; the server's
  // invite.expired event then takes it out of the list for good (whatever that clock says).
  const now = useNow(tickIntervalFor([...fetched.map((i) => i.expires_at), settings.data?.paused_until ?? null], Date.now()) ?? 30_000);
  const invites = useMemo(() => fetched.filter((invite) => isInviteActive(invite, now)), [fetched, now]);
  const names = useMemo(() => new Map((people.data?.users ?? []).map((u) => [u.id, u.username])), [people.data]);

  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey({ chat_id: chatId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.people.queryKey({ chat_id: chatId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.manageable.queryKey() }),
    ]);

  const closeDialog = (message: string | null) => {
    focusAfterDialog.current = listHeading.current;
    setRevoking(null);
    if (message !== null) setStatus(message);
  };

  const revoke = useMutation(
    trpc.invite.revoke.mutationOptions({
      onSuccess: (result) => closeDialog(result.message),
      onError: (error, input) => {
        if (isUnauthorized(error)) {
          interrupt({
            doing: `revoking invite ${input.code}`,
            finishLabel: `Revoke invite ${input.code}`,
            userId: user.id,
            run: async () => (await trpcClient.invite.revoke.mutate(input)).message,
          });
          setRevoking(null);
          return;
        }
        // Revoked meanwhile (another tab, another person) or expired: nothing left to revoke.
        if (toApiError(error).code === "NOT_FOUND") {
          closeDialog(`Invite ${input.code} no longer works: it was revoked meanwhile, or it expired or was used up.`);
        }
      },
      // Not awaited: the dialog's pending state ends with the revoke's answer, even when the
      // refetches that follow hang on an unreachable server.
      onSettled: () => void refresh(),
    }),
  );

  const revokeAll = useMutation(
    trpc.invite.revokeAll.mutationOptions({
      onSuccess: (result) => {
        focusAfterDialog.current = listHeading.current;
        setRevokingAll(false);
        setStatus(`${result.revoked} ${result.revoked === 1 ? "invite" : "invites"} revoked: their links no longer work.`);
      },
      onError: (error, input) => {
        if (!isUnauthorized(error)) return;
        interrupt({
          doing: `revoking all invites of ${chatName}`,
          finishLabel: "Revoke all invites",
          userId: user.id,
          run: async () => {
            const result = await trpcClient.invite.revokeAll.mutate(input);
            return `${result.revoked} ${result.revoked === 1 ? "invite" : "invites"} revoked.`;
          },
        });
        setRevokingAll(false);
      },
      // Not awaited, as for a revoke: the dialog ends with the answer, not with the refetches.
      onSettled: () => void refresh(),
    }),
  );

  // A page the server refused; but while it cannot be reached, what was shown stays (see the banner).
  if (list.error && !isNetworkError(list.error)) return <ChatProblem error={list.error} />;

  const archived = chat?.archived ?? false;
  const chatName = chat?.name ?? `chat ${chatId}`;
  const quota = quotaState(invites.length);
  const loaded = list.data !== undefined;

  return (
    <ChatFrame chatId={chatId} chat={chat} tab="invites">
      {archived ? (
        <p className="notice notice-warning archived-notice" role="status">
          This chat is archived. Its invites do not work, and it takes no new ones. Revoking them still tidies the list.
        </p>
      ) : null}
      {archived ? null : <PausedBanner chatId={chatId} chatName={chatName} userId={user.id} now={now} />}
      <div className="invites-layout">
        {/* First in the document, so that on a phone pending requests come before the create form
            for the eye, the keyboard and a screen reader alike; on a wide screen the grid puts them
            at the top of the second column (styles.css). */}
        {archived ? null : <JoinRequestsPanel chatId={chatId} chatName={chatName} userId={user.id} now={now} />}
        <div className="invites-side">
          <section className="card" aria-labelledby="quota-title">
            <div className="quota">
              <div className="quota-head">
                <h2 id="quota-title" className="section-title">
                  Invite quota
                </h2>
                <span className="quota-count" aria-hidden="true">
                  {quota.label}
                </span>
              </div>
              <Meter
                value={quota.active}
                max={quota.limit}
                percent={quota.percent}
                label="Active invites"
                valueText={`${quota.active} of ${quota.limit} active invites`}
                tone={quota.tone}
              />
              <p className="hint">
                {!loaded ? "Counting…" : archived ? "Archived: no invites can be created." : quota.full ? "Limit reached." : quota.message}
              </p>
            </div>
            {loaded ? (
              <InviteForm
                chatId={chatId}
                chatName={chatName}
                userId={user.id}
                quota={quota}
                archived={archived}
                onCreated={(invite) => {
                  setHighlight(invite.code);
                  setStatus(`Invite ${invite.code} created. Its link: ${joinLink(invite.code, window.location.origin)}`);
                }}
              />
            ) : null}
          </section>
          {archived ? null : <InviteSettingsPanel chatId={chatId} chatName={chatName} userId={user.id} now={now} />}
        </div>

        <div className="invites-main">
          <section aria-labelledby="list-title" className="invites-column">
            <div className="list-head">
              <h2 id="list-title" ref={listHeading} tabIndex={-1} className="section-title">
                {archived ? "Invites, not working" : "Active invites"}
                {loaded ? ` (${invites.length})` : ""}
              </h2>
              {invites.length > 0 ? (
                <button
                  type="button"
                  className="button button-danger-ghost button-small"
                  onClick={() => {
                    revokeAll.reset();
                    setRevokingAll(true);
                  }}
                >
                  Revoke all<span className="sr-only"> {invites.length} invites</span>
                </button>
              ) : null}
            </div>
            <p className="status-line" role="status">
              {status}
            </p>
            {!loaded ? (
              list.error ? (
                <p className="empty">The invites could not be loaded yet. They appear as soon as the server answers.</p>
              ) : (
                <Loading label="Loading invites…" />
              )
            ) : (
              <InviteList
                chatId={chatId}
                invites={invites}
                me={user}
                people={names}
                archived={archived}
                now={now}
                highlight={highlight}
                onRevoke={(invite) => {
                  revoke.reset();
                  setRevoking(invite);
                }}
                onEdit={(invite) => setEditing(invite)}
                onShowQr={(invite) => setQrCode(invite.code)}
              />
            )}
          </section>
        </div>
      </div>

      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this invite?"
        confirmLabel="Revoke invite"
        pendingLabel="Revoking…"
        pending={revoke.isPending}
        error={revoke.error ? describeFailure(revoke.error, { notDone: "the invite was not revoked", maybe: "the invite may not have been revoked" }) : null}
        retryLabel={revoke.error ? "Try again" : undefined}
        returnFocus={focusAfterDialog}
        onCancel={() => {
          setRevoking(null);
          revoke.reset();
        }}
        onConfirm={() => {
          if (revoking) revoke.mutate({ chat_id: chatId, code: revoking.code });
        }}
      >
        {revoking ? (
          <p>
            The link <code className="copy-link">{joinLink(revoking.code, window.location.origin)}</code> stops working at once.
            People who already joined through it stay in the chat.
          </p>
        ) : null}
      </ConfirmDialog>

      <ConfirmDialog
        open={revokingAll}
        title={`Revoke all ${invites.length} active ${invites.length === 1 ? "invite" : "invites"}?`}
        confirmLabel={`Revoke ${invites.length} ${invites.length === 1 ? "invite" : "invites"}`}
        pendingLabel="Revoking…"
        pending={revokeAll.isPending}
        error={
          revokeAll.error
            ? describeFailure(revokeAll.error, { notDone: "no invite was revoked", maybe: "the invites may not have been revoked" })
            : null
        }
        retryLabel={revokeAll.error ? "Try again" : undefined}
        returnFocus={focusAfterDialog}
        onCancel={() => {
          setRevokingAll(false);
          revokeAll.reset();
        }}
        onConfirm={() => revokeAll.mutate({ chat_id: chatId })}
      >
        <p>
          All {invites.length} links to this chat stop working at once, and cannot be brought back. People who already joined stay in
          the chat.
        </p>
      </ConfirmDialog>

      <EditInviteDialog
        chatId={chatId}
        chatName={chatName}
        userId={user.id}
        invite={editing}
        onClose={() => setEditing(null)}
        onSaved={(saved) => {
          const code = editing?.code;
          setEditing(null);
          if (saved) setHighlight(saved.code);
          setStatus(saved ? `Invite ${saved.code} saved.` : `Nothing changed in invite ${code}.`);
        }}
      />
      <InviteQrDialog code={qrCode} onClose={() => setQrCode(null)} />
    </ChatFrame>
  );
}
