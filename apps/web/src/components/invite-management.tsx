import type { Invite } from "@portal/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import QRCode from "qrcode";
import { useEffect, useRef, useState, type FormEvent } from "react";
import { describeForPerson, toApiError } from "../lib/errors";
import { EXPIRY_PRESETS, isExpiryPresetId, presetToUtc } from "../lib/expiry";
import { joinLink } from "../lib/invites";
import { PAUSE_DURATIONS, pauseUntil } from "../lib/pause";
import { formatDateTime, formatRelative } from "../lib/time";
import { trpc } from "../lib/trpc";
import { Badge, InlineError } from "./ui";

function useInvalidateInvites(chatId: number) {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey({ chat_id: chatId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.manageable.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.inviteSettings.queryKey({ chat_id: chatId }) }),
      queryClient.invalidateQueries({ queryKey: trpc.chat.joinRequests.queryKey({ chat_id: chatId }) }),
    ]);
}

/** The "paused until" banner, pause with a duration, resume, and the join approval switch. */
export function InviteSettingsPanel({ chatId }: { chatId: number }) {
  const settings = useQuery(trpc.chat.inviteSettings.queryOptions({ chat_id: chatId }));
  const invalidate = useInvalidateInvites(chatId);
  const [duration, setDuration] = useState<string>("1h");
  const update = useMutation(trpc.chat.updateInviteSettings.mutationOptions({ onSettled: invalidate }));
  if (!settings.data) return null;
  const { paused_until, join_approval } = settings.data;
  return (
    <section className="card stack" aria-labelledby="settings-title">
      <h2 id="settings-title" className="section-title">
        Invite settings
      </h2>
      {paused_until ? (
        <div className="notice notice-warning" role="status" data-testid="paused-banner">
          <p>
            <strong>Invites are paused until {formatDateTime(paused_until)}.</strong> Nobody can join or open an invite of
            this chat until then.
          </p>
          <button type="button" className="button button-secondary button-small" disabled={update.isPending} onClick={() => update.mutate({ chat_id: chatId, paused_until: null })}>
            Resume invites
          </button>
        </div>
      ) : (
        <div className="form-row">
          <label htmlFor="pause-duration">Pause all invites for</label>
          <select id="pause-duration" value={duration} onChange={(e) => setDuration(e.target.value)}>
            {PAUSE_DURATIONS.map((d) => (
              <option key={d.id} value={d.id}>
                {d.label}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={update.isPending}
            onClick={() => update.mutate({ chat_id: chatId, paused_until: pauseUntil(duration, Date.now()) })}
          >
            Pause invites
          </button>
        </div>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={join_approval}
          disabled={update.isPending}
          onChange={(e) => update.mutate({ chat_id: chatId, join_approval: e.target.checked })}
        />{" "}
        Ask me to approve each person who joins
      </label>
      {update.error ? <InlineError>{describeForPerson(toApiError(update.error))}</InlineError> : null}
    </section>
  );
}

/** Pending join requests, oldest first, with a count badge; approve or decline each. */
export function JoinRequestsPanel({ chatId }: { chatId: number }) {
  const requests = useQuery({ ...trpc.chat.joinRequests.queryOptions({ chat_id: chatId }), refetchInterval: 15_000 });
  const invalidate = useInvalidateInvites(chatId);
  const [status, setStatus] = useState<string | null>(null);
  const approve = useMutation(trpc.chat.approveJoinRequest.mutationOptions({ onSuccess: (r) => setStatus(r.message), onSettled: invalidate }));
  const decline = useMutation(trpc.chat.declineJoinRequest.mutationOptions({ onSuccess: (r) => setStatus(r.message), onSettled: invalidate }));
  const total = requests.data?.total ?? 0;
  const error = approve.error ?? decline.error;
  return (
    <section className="card stack" aria-labelledby="requests-title">
      <h2 id="requests-title" className="section-title">
        Join requests <Badge tone={total > 0 ? "accent" : "neutral"}>{total}</Badge>
        <span className="sr-only"> pending</span>
      </h2>
      <p className="status-line" role="status">
        {status}
      </p>
      {error ? <InlineError>{describeForPerson(toApiError(error))}</InlineError> : null}
      {requests.data && requests.data.requests.length === 0 ? <p className="empty">No pending requests.</p> : null}
      <ul className="request-list">
        {requests.data?.requests.map((r) => (
          <li key={r.user.id} className="request" data-user={r.user.username}>
            <span>
              <strong>{r.user.username}</strong> asked <time dateTime={r.created_at}>{formatRelative(r.created_at, Date.now())}</time> through{" "}
              <code>{r.invite_code}</code>
            </span>
            <span className="invite-actions">
              <button type="button" className="button button-primary button-small" disabled={approve.isPending} onClick={() => { setStatus(null); approve.mutate({ chat_id: chatId, user_id: r.user.id }); }}>
                Approve<span className="sr-only"> {r.user.username}</span>
              </button>
              <button type="button" className="button button-danger-ghost button-small" disabled={decline.isPending} onClick={() => { setStatus(null); decline.mutate({ chat_id: chatId, user_id: r.user.id }); }}>
                Decline<span className="sr-only"> {r.user.username}</span>
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** A modal on the native <dialog> that opens when `open` turns true. */
function useModal(open: boolean) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    else if (!open && element.open) element.close();
  }, [open]);
  return dialog;
}

const KEEP = "keep";

/** Edits an invite: the create form's choices (max uses, expiry), prefilled with the invite's own. */
export function EditInviteDialog({ chatId, invite, onClose, onSaved }: { chatId: number; invite: Invite | null; onClose: () => void; onSaved: (invite: Invite) => void }) {
  const dialog = useModal(invite !== null);
  const invalidate = useInvalidateInvites(chatId);
  const [maxMode, setMaxMode] = useState<"unlimited" | "limited">("unlimited");
  const [maxText, setMaxText] = useState("");
  const [expiry, setExpiry] = useState<string>(KEEP);
  const update = useMutation(
    trpc.invite.update.mutationOptions({
      onSuccess: (saved) => onSaved(saved),
      onSettled: invalidate,
    }),
  );
  useEffect(() => {
    if (!invite) return;
    setMaxMode(invite.max_uses === null ? "unlimited" : "limited");
    setMaxText(invite.max_uses === null ? "" : String(invite.max_uses));
    setExpiry(KEEP);
    update.reset();
  }, [invite?.code]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!invite) return;
    const max_uses = maxMode === "unlimited" ? null : Number(maxText);
    const expires_at = expiry === KEEP ? undefined : expiry === "never" ? null : isExpiryPresetId(expiry) ? presetToUtc(expiry, Date.now()) : undefined;
    update.mutate({ chat_id: chatId, code: invite.code, max_uses, ...(expires_at === undefined ? {} : { expires_at }) });
  };

  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="edit-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {invite ? (
        <form className="stack" onSubmit={submit}>
          <h2 id="edit-title" className="dialog-title">
            Edit invite <code>{invite.code}</code>
          </h2>
          <fieldset>
            <legend>Max uses</legend>
            <label>
              <input type="radio" name="edit-max" checked={maxMode === "unlimited"} onChange={() => setMaxMode("unlimited")} /> Unlimited
            </label>
            <label>
              <input type="radio" name="edit-max" checked={maxMode === "limited"} onChange={() => setMaxMode("limited")} /> Limited to
            </label>
            <input
              aria-label="Number of uses"
              type="number"
              min={Math.max(1, invite.uses)}
              value={maxText}
              disabled={maxMode !== "limited"}
              onChange={(e) => setMaxText(e.target.value)}
            />
            <p className="hint">Used {invite.uses} times so far: the limit cannot go below that.</p>
          </fieldset>
          <label htmlFor="edit-expiry">Expires</label>
          <select id="edit-expiry" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
            <option value={KEEP}>{invite.expires_at ? `Keep: ${formatDateTime(invite.expires_at)}` : "Keep: never"}</option>
            <option value="never">Never</option>
            {EXPIRY_PRESETS.map((p) => (
              <option key={p.id} value={p.id}>
                In {p.label}
              </option>
            ))}
          </select>
          {update.error ? <InlineError>{describeForPerson(toApiError(update.error))}</InlineError> : null}
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={onClose} disabled={update.isPending}>
              Cancel
            </button>
            <button type="submit" className="button button-primary" disabled={update.isPending}>
              {update.isPending ? "Saving…" : "Save changes"}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}

/** A QR code of an invite's link (the `qrcode` library), big enough to scan from a screen. */
export function InviteQrDialog({ code, onClose }: { code: string | null; onClose: () => void }) {
  const dialog = useModal(code !== null);
  const [src, setSrc] = useState<string | null>(null);
  const link = code ? joinLink(code, window.location.origin) : "";
  useEffect(() => {
    setSrc(null);
    if (!link) return;
    let live = true;
    void QRCode.toDataURL(link, { width: 320, margin: 2, errorCorrectionLevel: "M" }).then((url) => {
      if (live) setSrc(url);
    });
    return () => {
      live = false;
    };
  }, [link]);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby="qr-title" onCancel={(e) => { e.preventDefault(); onClose(); }}>
      {code ? (
        <div className="stack qr">
          <h2 id="qr-title" className="dialog-title">
            Scan to join
          </h2>
          {src ? <img src={src} width={320} height={320} alt={`QR code of the invite link ${link}`} /> : <p>Drawing the code…</p>}
          <p className="copy-link">{link}</p>
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={onClose}>
              Close
            </button>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}

/** Who joined through one invite: the chat's activity filtered by its code. */
export function WhoJoined({ chatId, code }: { chatId: number; code: string }) {
  const activity = useQuery(trpc.chat.activity.queryOptions({ chat_id: chatId, invite_code: code, limit: 100 }));
  if (activity.error) return <InlineError>{describeForPerson(toApiError(activity.error))}</InlineError>;
  if (!activity.data) return <p className="hint">Loading…</p>;
  if (activity.data.total === 0) return <p className="hint">Nobody has joined through this link yet.</p>;
  return (
    <div className="who-joined">
      <p className="hint">
        {activity.data.total} {activity.data.total === 1 ? "person" : "people"} joined through this link
      </p>
      <ul>
        {activity.data.events.map((e, i) => (
          <li key={`${e.user.id}-${i}`}>
            {e.user.username} · <time dateTime={e.created_at}>{formatDateTime(e.created_at)}</time>
          </li>
        ))}
      </ul>
    </div>
  );
}
