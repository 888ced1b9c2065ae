import type { Invite, UserMe } from "@portal/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { ChatFrame, useManagedChat } from "../components/chat-frame";
import { ConfirmDialog } from "../components/confirm-dialog";
import { InviteForm } from "../components/invite-form";
import { InviteList } from "../components/invite-list";
import { EditInviteDialog, InviteQrDialog, InviteSettingsPanel, JoinRequestsPanel } from "../components/invite-management";
import { Loading, Meter } from "../components/ui";
import { describeForPerson, toApiError } from "../lib/errors";
import { countActiveInvites, joinLink } from "../lib/invites";
import { quotaState } from "../lib/quota";
import { trpc } from "../lib/trpc";
import { useNow } from "../lib/use-now";
import { ChatProblem } from "./chat-problem";

/** A chat's invites: the quota meter, the create form and the list of active invites. */
export function ChatInvitesPage({ chatId, user }: { chatId: number; user: UserMe }) {
  const queryClient = useQueryClient();
  const chat = useManagedChat(chatId);
  const list = useQuery({ ...trpc.invite.list.queryOptions({ chat_id: chatId }), refetchInterval: 60_000 });
  const [highlight, setHighlight] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [revoking, setRevoking] = useState<Invite | null>(null);
  const [editing, setEditing] = useState<Invite | null>(null);
  const [qrCode, setQrCode] = useState<string | null>(null);
  const [revokingAll, setRevokingAll] = useState(false);
  const listHeading = useRef<HTMLHeadingElement>(null);
  const now = useNow(15_000);

  const revoke = useMutation(
    trpc.invite.revoke.mutationOptions({
      onSuccess: (result) => {
        setRevoking(null);
        setStatus(result.message);
        listHeading.current?.focus();
      },
      onSettled: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey({ chat_id: chatId }) }),
          queryClient.invalidateQueries({ queryKey: trpc.chat.manageable.queryKey() }),
        ]);
      },
    }),
  );

  const revokeAll = useMutation(
    trpc.invite.revokeAll.mutationOptions({
      onSuccess: (result) => {
        setRevokingAll(false);
        setStatus(`${result.revoked} ${result.revoked === 1 ? "invite" : "invites"} revoked`);
        listHeading.current?.focus();
      },
      onSettled: async () => {
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey({ chat_id: chatId }) }),
          queryClient.invalidateQueries({ queryKey: trpc.chat.manageable.queryKey() }),
        ]);
      },
    }),
  );

  if (list.error) return <ChatProblem error={list.error} />;

  const invites = list.data?.invites ?? [];
  const quota = quotaState(countActiveInvites(invites, now));

  return (
    <ChatFrame chatId={chatId} chat={chat} tab="invites">
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
            <p className="hint">{!list.data ? "Counting…" : quota.full ? "Limit reached." : quota.message}</p>
          </div>
          {list.data ? (
            <InviteForm
              chatId={chatId}
              quota={quota}
              archived={chat?.archived ?? false}
              onCreated={(invite) => {
                setHighlight(invite.code);
                setStatus(`Invite ${invite.code} created. Its link: ${joinLink(invite.code, window.location.origin)}`);
              }}
            />
          ) : null}
        </section>

        <InviteSettingsPanel chatId={chatId} />
        <JoinRequestsPanel chatId={chatId} />

        <section aria-labelledby="list-title" className="invites-column">
          <h2 id="list-title" ref={listHeading} tabIndex={-1} className="section-title">
            Active invites{list.data ? ` (${invites.length})` : ""}
          </h2>
          {invites.length > 0 ? (
            <button type="button" className="button button-danger-ghost button-small" onClick={() => setRevokingAll(true)}>
              Revoke all
            </button>
          ) : null}
          <p className="status-line" role="status">
            {status}
          </p>
          {list.isPending ? (
            <Loading label="Loading invites…" />
          ) : (
            <InviteList
              invites={invites}
              me={user}
              chat={chat}
              highlight={highlight}
              onRevoke={(invite) => setRevoking(invite)}
              onEdit={(invite) => setEditing(invite)}
              onShowQr={(invite) => setQrCode(invite.code)}
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
        error={revoke.error ? describeForPerson(toApiError(revoke.error)) : null}
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
        error={revokeAll.error ? describeForPerson(toApiError(revokeAll.error)) : null}
        onCancel={() => {
          setRevokingAll(false);
          revokeAll.reset();
        }}
        onConfirm={() => revokeAll.mutate({ chat_id: chatId })}
      >
        <p>
          Every link to this chat stops working at once ({invites.length} in all). People who already joined stay in the chat.
        </p>
      </ConfirmDialog>

      <EditInviteDialog
        chatId={chatId}
        invite={editing}
        onClose={() => setEditing(null)}
        onSaved={(saved) => {
          setEditing(null);
          setHighlight(saved.code);
          setStatus(`Invite ${saved.code} saved`);
        }}
      />
      <InviteQrDialog code={qrCode} onClose={() => setQrCode(null)} />
    </ChatFrame>
  );
}
