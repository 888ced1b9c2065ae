import type { Invite, InviteSettings } from "@portal/contracts";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import QRCode from "qrcode";
import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from "react";
import { describeFailure, fieldOfMessage, isUnauthorized, maxUsesBelowUses, PersonMessage, toApiError } from "../lib/errors";
import { interrupt } from "../lib/interrupted";
import { joinLink } from "../lib/invites";
import { PAUSE_DURATIONS, pauseUntil } from "../lib/pause";
import { formatAgo, formatDateTime, formatTimeLeft } from "../lib/time";
import { trpc, trpcClient } from "../lib/trpc";
import { InviteFields, KEEP_EXPIRY, useInviteFields, type InviteFormErrors } from "./invite-fields";
import { InlineError, useFieldIds } from "./ui";

/** Not awaited by the callers: a control is back as soon as its call has an answer. */
function useRefreshInvites(chatId: number) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey({ chat_id: chatId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.chat.people.queryKey({ chat_id: chatId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.chat.manageable.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.chat.inviteSettings.queryKey({ chat_id: chatId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.chat.joinRequests.queryKey({ chat_id: chatId }) });
    void queryClient.invalidateQueries({ queryKey: trpc.chat.activity.pathKey() });
  };
}

/** The chat's invite settings, read by the banner and the panel alike (one query). */
export function useInviteSettings(chatId: number) {
  return useQuery(trpc.chat.inviteSettings.queryOptions({ chat_id: chatId }));
}

/** Whether the settings pause invites at `now` (a pause that has run out no longer counts). */
export function pausedUntil(settings: InviteSettings | undefined, now: number): string | null {
  const until = settings?.paused_until ?? null;
  return until !== null && Date.parse(until) > now ? until : null;
}

function useUpdateSettings(chatId: number, chatName: string, userId: number, onDone: (settings: InviteSettings) => void) {
  const refresh = useRefreshInvites(chatId);
  const queryClient = useQueryClient();
  return useMutation(
    trpc.chat.updateInviteSettings.mutationOptions({
      onSuccess: (settings) => {
        queryClient.setQueryData(trpc.chat.inviteSettings.queryKey({ chat_id: chatId }), settings);
        onDone(settings);
      },
      onError: (error, input) => {
        if (!isUnauthorized(error)) return;
        const what =
          input.paused_until === null
            ? "resuming invites"
            : input.paused_until !== undefined
              ? "pausing invites"
              : input.join_approval
                ? "turning join approval on"
                : "turning join approval off";
        interrupt({
          doing: `${what} of ${chatName}`,
          finishLabel: what.charAt(0).toUpperCase() + what.slice(1),
          userId,
          run: async () => {
            await trpcClient.chat.updateInviteSettings.mutate(input);
            return `Done: ${what} of ${chatName}.`;
          },
        });
      },
      onSettled: refresh,
    }),
  );
}

/**
 * The "paused until" banner at the top of the invites page, with Resume: while it shows, nobody
 * can join or open an invite of the chat.
 */
export function PausedBanner({ chatId, chatName, userId, now }: { chatId: number; chatName: string; userId: number; now: number }) {
  const settings = useInviteSettings(chatId);
  const [resumed, setResumed] = useState(false);
  const update = useUpdateSettings(chatId, chatName, userId, () => setResumed(true));
  const until = pausedUntil(settings.data, now);
  if (!until) {
    return resumed ? (
      <p className="notice notice-success paused-banner" role="status">
        Invites work again: people can join through every active link.
      </p>
    ) : null;
  }
  return (
    <section className="notice notice-warning paused-banner" aria-labelledby="paused-title" data-testid="paused-banner">
      <div>
        <h2 id="paused-title" className="notice-title">
          Invites are paused until {formatDateTime(until)}
        </h2>
        <p>
          Nobody can join or open an invite of this chat until then ({formatTimeLeft(until, now)}). Invites can still be created,
          edited and revoked.
        </p>
        {update.error ? (
          <InlineError id="resume-error">
            {describeFailure(update.error, { notDone: "invites were not resumed", maybe: "invites may not have been resumed" })}
          </InlineError>
        ) : null}
      </div>
      <button
        type="button"
        className="button button-secondary"
        disabled={update.isPending}
        aria-describedby={update.error ? "resume-error" : undefined}
        onClick={() => {
          setResumed(false);
          update.mutate({ chat_id: chatId, paused_until: null });
        }}
      >
        {update.isPending ? "Resuming…" : "Resume invites"}
      </button>
    </section>
  );
}

/** Pause with a duration, and the join approval switch. */
export function InviteSettingsPanel({ chatId, chatName, userId, now }: { chatId: number; chatName: string; userId: number; now: number }) {
  const settings = useInviteSettings(chatId);
  const [duration, setDuration] = useState<string>("1h");
  const [status, setStatus] = useState<string | null>(null);
  const [failed, setFailed] = useState<"pause" | "approval" | null>(null);
  const pauseIds = useFieldIds();
  const approvalIds = useFieldIds();
  const update = useUpdateSettings(chatId, chatName, userId, (saved) => {
    setFailed(null);
    setStatus(
      saved.paused_until && Date.parse(saved.paused_until) > Date.now()
        ? null
        : saved.join_approval
          ? "Join approval is on: each join waits for a manager to approve it."
          : "Join approval is off: people join at once.",
    );
  });
  if (!settings.data) return null;
  const until = pausedUntil(settings.data, now);
  const error = update.error
    ? describeFailure(update.error, { notDone: "the setting was not changed", maybe: "the setting may not have been changed" })
    : null;
  return (
    <section className="card stack invite-settings" aria-labelledby="settings-title">
      <h2 id="settings-title" className="section-title">
        Invite settings
      </h2>
      {until ? (
        <p className="hint">Invites are paused until {formatDateTime(until)}: resume them from the banner at the top of the page.</p>
      ) : (
        <div className="field">
          <label htmlFor={pauseIds.input}>Pause all invites for</label>
          <div className="inline-controls">
            <select
              id={pauseIds.input}
              className="input"
              value={duration}
              onChange={(e) => setDuration(e.target.value)}
              aria-describedby={[pauseIds.hint, failed === "pause" && error ? pauseIds.error : ""].filter(Boolean).join(" ")}
            >
              {PAUSE_DURATIONS.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.label}
                </option>
              ))}
            </select>
            <button
              type="button"
              className="button button-secondary"
              disabled={update.isPending}
              onClick={() => {
                setStatus(null);
                setFailed("pause");
                update.mutate({ chat_id: chatId, paused_until: pauseUntil(duration, Date.now()) });
              }}
            >
              {update.isPending && failed === "pause" ? "Pausing…" : "Pause invites"}
            </button>
          </div>
          <p className="hint" id={pauseIds.hint}>
            When a link leaks: nobody can join or open an invite until the pause ends or you resume.
          </p>
          {failed === "pause" && error ? <InlineError id={pauseIds.error}>{error}</InlineError> : null}
        </div>
      )}
      <div className="field">
        <label className="choice checkbox-choice" htmlFor={approvalIds.input}>
          <input
            id={approvalIds.input}
            type="checkbox"
            // What was asked for shows at once; it falls back to the server's value should the change fail.
            checked={update.isPending && update.variables.join_approval !== undefined ? update.variables.join_approval : settings.data.join_approval}
            disabled={update.isPending}
            aria-describedby={[approvalIds.hint, failed === "approval" && error ? approvalIds.error : ""].filter(Boolean).join(" ")}
            onChange={(e) => {
              setStatus(null);
              setFailed("approval");
              update.mutate({ chat_id: chatId, join_approval: e.target.checked });
            }}
          />
          Approve each person who joins
        </label>
        <p className="hint" id={approvalIds.hint}>
          A join becomes a request under Join requests; its invite is used when you approve it.
        </p>
        {failed === "approval" && error ? <InlineError id={approvalIds.error}>{error}</InlineError> : null}
      </div>
      <p className="panel-status" role="status">
        {status}
      </p>
    </section>
  );
}

/** Pending join requests, oldest first, with a count badge; approve or decline each. */
export function JoinRequestsPanel({ chatId, chatName, userId, now }: { chatId: number; chatName: string; userId: number; now: number }) {
  // Kept current by the chat's live events (join_request.*, member.joined), not a timer.
  const requests = useQuery(trpc.chat.joinRequests.queryOptions({ chat_id: chatId }));
  const refresh = useRefreshInvites(chatId);
  const [status, setStatus] = useState<string | null>(null);
  const [failure, setFailure] = useState<{ userId: number; message: string } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const decide = useMutation({
    mutationFn: (input: { approve: boolean; user_id: number; username: string }) =>
      input.approve
        ? trpcClient.chat.approveJoinRequest.mutate({ chat_id: chatId, user_id: input.user_id })
        : trpcClient.chat.declineJoinRequest.mutate({ chat_id: chatId, user_id: input.user_id }),
    onSuccess: (_result, input) => {
      setFailure(null);
      setStatus(input.approve ? `${input.username} joined ${chatName}.` : `${input.username}'s request was declined.`);
      // The row is gone: focus goes to the panel's heading, not to <body>.
      heading.current?.focus();
    },
    onError: (error, input) => {
      const verb = input.approve ? "approving" : "declining";
      if (isUnauthorized(error)) {
        interrupt({
          doing: `${verb} ${input.username}'s request to join ${chatName}`,
          finishLabel: `${input.approve ? "Approve" : "Decline"} ${input.username}`,
          userId,
          run: async () => {
            if (input.approve) await trpcClient.chat.approveJoinRequest.mutate({ chat_id: chatId, user_id: input.user_id });
            else await trpcClient.chat.declineJoinRequest.mutate({ chat_id: chatId, user_id: input.user_id });
            return input.approve ? `${input.username} joined ${chatName}.` : `${input.username}'s request was declined.`;
          },
        });
        return;
      }
      const done = input.approve ? `${input.username} was not let in` : `the request was not declined`;
      setFailure({
        userId: input.user_id,
        message: describeFailure(error, { notDone: done, maybe: input.approve ? `${input.username} may not have been let in` : "the request may not have been declined" }),
      });
    },
    onSettled: refresh,
  });

  const settings = useInviteSettings(chatId);
  const total = requests.data?.total ?? 0;
  // Without join approval there are no requests to show, unless some were left from before.
  if (settings.data && !settings.data.join_approval && total === 0 && status === null) return null;
  return (
    // "Pending" while there is something to act on or just done (the status), so the panel does not
    // jump below the create form on a phone when its last request is approved.
    <section className={`card stack join-requests${total > 0 || status !== null ? " join-requests-pending" : ""}`} aria-labelledby="requests-title">
      <h2 id="requests-title" ref={heading} tabIndex={-1} className="section-title requests-title">
        Join requests{" "}
        <span className={`badge ${total > 0 ? "badge-count" : ""}`} data-testid="requests-badge">
          {total}
        </span>
        <span className="sr-only"> pending</span>
      </h2>
      <p className="panel-status" role="status">
        {status}
      </p>
      {requests.error && !requests.data ? (
        <InlineError>{describeFailure(requests.error, { notDone: "the requests could not be loaded", maybe: "the requests could not be loaded" })}</InlineError>
      ) : null}
      {requests.data && requests.data.requests.length === 0 ? <p className="empty">No pending requests.</p> : null}
      {requests.data && requests.data.requests.length > 0 ? (
        <ul className="request-list">
          {requests.data.requests.map((r) => {
            const pending = decide.isPending && decide.variables?.user_id === r.user.id;
            const errorId = `request-error-${r.user.id}`;
            return (
              <li key={r.user.id} className="request" data-user={r.user.username}>
                <p className="request-who">
                  <strong>{r.user.username}</strong> asked{" "}
                  <time dateTime={r.created_at} title={formatDateTime(r.created_at)}>
                    {formatAgo(r.created_at, now)}
                  </time>{" "}
                  through <code>{r.invite_code}</code>
                </p>
                <div className="invite-actions">
                  <button
                    type="button"
                    className="button button-primary button-small"
                    disabled={decide.isPending}
                    aria-describedby={failure?.userId === r.user.id ? errorId : undefined}
                    onClick={() => {
                      setStatus(null);
                      decide.mutate({ approve: true, user_id: r.user.id, username: r.user.username });
                    }}
                  >
                    {pending && decide.variables?.approve ? "Approving…" : "Approve"}
                    <span className="sr-only"> {r.user.username}</span>
                  </button>
                  <button
                    type="button"
                    className="button button-danger-ghost button-small"
                    disabled={decide.isPending}
                    onClick={() => {
                      setStatus(null);
                      decide.mutate({ approve: false, user_id: r.user.id, username: r.user.username });
                    }}
                  >
                    {pending && !decide.variables?.approve ? "Declining…" : "Decline"}
                    <span className="sr-only"> {r.user.username}</span>
                  </button>
                </div>
                {failure?.userId === r.user.id ? <InlineError id={errorId}>{failure.message}</InlineError> : null}
              </li>
            );
          })}
        </ul>
      ) : null}
    </section>
  );
}

/**
 * A modal on the native <dialog> that opens when `open` turns true: focus goes to `initial` (or the
 * dialog's first control) and, on closing, back to what had it before.
 */
function useModal(open: boolean, initial?: RefObject<HTMLElement | null>) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      element.showModal();
      initial?.current?.focus();
    } else if (!open && element.open) {
      element.close();
      if (opener.current?.isConnected) opener.current.focus();
      opener.current = null;
    }
  }, [open, initial]);
  return dialog;
}

/**
 * Edits an invite with the create form's choices (max uses, expiry), prefilled with the invite's
 * own; only what changed is sent. What the server would refuse is checked first, in a person's
 * words under the field; the server's errors show the same way.
 */
export function EditInviteDialog({
  chatId,
  chatName,
  userId,
  invite,
  onClose,
  onSaved,
}: {
  chatId: number;
  chatName: string;
  userId: number;
  invite: Invite | null;
  onClose: () => void;
  onSaved: (invite: Invite | null) => void;
}) {
  const firstField = useRef<HTMLInputElement>(null);
  const dialog = useModal(invite !== null, firstField);
  const refresh = useRefreshInvites(chatId);
  const fields = useInviteFields({ maxMode: "unlimited", maxText: "", expiry: KEEP_EXPIRY, customLocal: "" });
  const { errors, setErrors } = fields;
  const formErrorId = `${useId()}-form-error`;
  const saveButton = useRef<HTMLButtonElement>(null);

  const update = useMutation(
    trpc.invite.update.mutationOptions({
      onSuccess: (saved) => onSaved(saved),
      onError: (error, input) => {
        if (isUnauthorized(error)) {
          interrupt({
            doing: `editing invite ${input.code} of ${chatName}`,
            finishLabel: `Save invite ${input.code}`,
            userId,
            run: async () => {
              await trpcClient.invite.update.mutate(input);
              return `Invite ${input.code} saved.`;
            },
          });
          onClose();
          return;
        }
        const apiError = toApiError(error);
        const message =
          apiError.code === "NOT_FOUND"
            ? PersonMessage.inviteGone
            : describeFailure(error, { notDone: "the invite was not changed", maybe: "the invite may not have been changed" });
        const field = fieldOfMessage(apiError.message);
        if (field) {
          fields.showFieldError(field, message);
        } else {
          setErrors({ form: message });
          saveButton.current?.focus();
        }
      },
      onSettled: refresh,
    }),
  );

  useEffect(() => {
    if (!invite) return;
    fields.setValues({
      maxMode: invite.max_uses === null ? "unlimited" : "limited",
      maxText: invite.max_uses === null ? String(Math.max(invite.uses, 1)) : String(invite.max_uses),
      expiry: KEEP_EXPIRY,
      customLocal: "",
    });
    setErrors({});
    update.reset();
    // Only when another invite is opened: the mutation object changes on every render.
  }, [invite?.code]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!invite || update.isPending) return;
    const next: InviteFormErrors = {};
    const { maxUses, expiry: expiryResult } = fields.read(Date.now());
    if (!maxUses.ok) next.max_uses = maxUses.error;
    else if (maxUses.maxUses !== null && maxUses.maxUses < invite.uses) next.max_uses = maxUsesBelowUses(invite.uses);
    if (expiryResult && !expiryResult.ok) next.expires_at = expiryResult.error;
    if (!fields.showCheckErrors(next)) return;
    const changes: { max_uses?: number | null; expires_at?: string | null } = {};
    if (maxUses.ok && maxUses.maxUses !== invite.max_uses) changes.max_uses = maxUses.maxUses;
    if (expiryResult?.ok) changes.expires_at = expiryResult.expiresAt;
    if (Object.keys(changes).length === 0) return onSaved(null);
    update.reset();
    update.mutate({ chat_id: chatId, code: invite.code, ...changes });
  };

  const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="edit-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {invite ? (
        <form className="stack" onSubmit={submit} noValidate>
          <h2 id="edit-title" className="dialog-title">
            Edit invite <code>{invite.code}</code>
          </h2>
          <InviteFields fields={fields} name="edit-max-mode" existing={invite} firstField={firstField} />

          {errors.form ? (
            <p className="inline-error" id={formErrorId} role="alert">
              {errors.form}
            </p>
          ) : null}
          <div className="dialog-actions">
            <button type="button" className="button button-secondary" onClick={onClose}>
              Cancel
            </button>
            <button
              ref={saveButton}
              type="submit"
              className="button button-primary"
              aria-disabled={update.isPending ? true : undefined}
              aria-describedby={describedBy(errors.form && formErrorId)}
            >
              {update.isPending ? "Saving…" : errors.form ? "Try again" : "Save changes"}
            </button>
          </div>
        </form>
      ) : null}
    </dialog>
  );
}

/** A QR code of an invite's link (the `qrcode` library), big enough to scan from a screen. */
export function InviteQrDialog({ code, onClose }: { code: string | null; onClose: () => void }) {
  const close = useRef<HTMLButtonElement>(null);
  const dialog = useModal(code !== null, close);
  const [drawn, setDrawn] = useState<{ link: string; src: string } | null>(null);
  const [failed, setFailed] = useState(false);
  const link = code ? joinLink(code, window.location.origin) : "";
  useEffect(() => {
    if (!link) return;
    let live = true;
    setFailed(false);
    // Dark modules on white whatever the theme: scanners read that best.
    QRCode.toDataURL(link, { width: 320, margin: 2, errorCorrectionLevel: "M", color: { dark: "#000000", light: "#ffffff" } }).then(
      (src) => {
        if (live) setDrawn({ link, src });
      },
      () => {
        if (live) setFailed(true);
      },
    );
    return () => {
      live = false;
    };
  }, [link]);
  const src = drawn?.link === link ? drawn.src : null;
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="qr-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {code ? (
        <div className="stack qr">
          <h2 id="qr-title" className="dialog-title">
            Scan to join
          </h2>
          {src ? (
            <img className="qr-image" src={src} width={320} height={320} alt={`QR code of the invite link ${link}`} />
          ) : failed ? (
            <InlineError>The QR code could not be drawn. Share the link below instead.</InlineError>
          ) : (
            <p>Drawing the code…</p>
          )}
          <p className="copy-link qr-link">{link}</p>
          <div className="dialog-actions">
            <button ref={close} type="button" className="button button-secondary" onClick={onClose}>
              Close
            </button>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}

/** Who joined through one invite: the chat's activity filtered by its code. */
export function WhoJoined({ id, chatId, code, now }: { id: string; chatId: number; code: string; now: number }) {
  const activity = useQuery(trpc.chat.activity.queryOptions({ chat_id: chatId, invite_code: code, limit: 100 }));
  const body = () => {
    if (activity.error && !activity.data) {
      return (
        <InlineError>
          {describeFailure(activity.error, { notDone: "who joined could not be loaded", maybe: "who joined could not be loaded" })}
        </InlineError>
      );
    }
    if (!activity.data) return <p className="hint">Loading who joined…</p>;
    const joins = activity.data.events.filter((e) => e.action === "join");
    if (joins.length === 0) return <p className="hint">Nobody has joined through this link yet.</p>;
    return (
      <>
        <p className="hint">
          {joins.length} {joins.length === 1 ? "person" : "people"} joined through this link
          {activity.data.total > activity.data.events.length ? ` (the latest ${activity.data.events.length} events shown)` : ""}
        </p>
        <ul className="joined-list">
          {joins.map((e, i) => (
            <li key={`${e.user.id}-${i}`}>
              <span className="who">{e.user.username}</span>{" "}
              <time dateTime={e.created_at} title={formatDateTime(e.created_at)}>
                {formatAgo(e.created_at, now)}
              </time>
            </li>
          ))}
        </ul>
      </>
    );
  };
  return (
    <div className="who-joined" id={id} role="region" aria-label={`Who joined through invite ${code}`}>
      {body()}
    </div>
  );
}
