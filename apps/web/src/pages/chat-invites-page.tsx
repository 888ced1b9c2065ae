import type { Invite, UserMe } from "@portal/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { ChatFrame, useManagedChat } from "../components/chat-frame";
import { ConfirmDialog } from "../components/confirm-dialog";
import { InviteForm } from "../components/invite-form";
import { InviteList } from "../components/invite-list";
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
  const list = useQuery({ ...trpc.invite.list.queryOptions({ chat_id: chatId }), refetchInterval: 60_000 });
  const people = useQuery({ ...trpc.chat.people.queryOptions({ chat_id: chatId }), enabled: list.isSuccess });
  const [highlight, setHighlight] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Invite | null>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  /** Where focus goes when the dialog closes: the list's heading after a revoke (its row is gone). */
  const focusAfterDialog = useRef<HTMLElement | null>(null);

  const fetched = list.data?.invites ?? [];
  // The clock ticks every second when an invite expires within the hour, so an invite leaves the
  // list (and the quota) the moment it expires, not at the next refetch.
  const now = useNow(tickIntervalFor(fetched.map((i) => i.expires_at), Date.now()) ?? 30_000);
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

  // A page the server refused; but while it cannot be reached, what was shown stays (see the banner).
  if (list.error && !isNetworkError(list.error)) return <ChatProblem error={list.error} />;

  const archived = chat?.archived ?? false;
  const quota = quotaState(invites.length);
  const loaded = list.data !== undefined;

  return (
    <ChatFrame chatId={chatId} chat={chat} tab="invites">
      {archived ? (
        <p className="notice notice-warning archived-notice" role="status">
          This chat is archived. Its invites do not work, and it takes no new ones. Revoking them still tidies the list.
        </p>
      ) : null}
      <div className="invites-layout">
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
              chatName={chat?.name ?? `chat ${chatId}`}
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

        <section aria-labelledby="list-title" className="invites-column">
          <h2 id="list-title" ref={listHeading} tabIndex={-1} className="section-title">
            {archived ? "Invites, not working" : "Active invites"}
            {loaded ? ` (${invites.length})` : ""}
          </h2>
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
            />
          )}
        </section>
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
    </ChatFrame>
  );
}
