import type { Invite } from "@portal/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useRef, type FormEvent } from "react";
import { describeFailure, fieldOfMessage, isUnauthorized, toApiError } from "../lib/errors";
import { interrupt } from "../lib/interrupted";
import type { QuotaState } from "../lib/quota";
import { trpc, trpcClient } from "../lib/trpc";
import { InviteFields, useInviteFields, type InviteFormErrors } from "./invite-fields";
import { InlineError } from "./ui";

/**
 * Creates an invite: max uses (unlimited or a number) and expiry (never, a preset, or a date and
 * time in the person's own time zone, sent as UTC). What the server would refuse is checked before
 * sending; its errors all the same appear under the field they concern, in a person's words. A
 * create that gets no answer ends in an error with the button back, to try again.
 */
export function InviteForm({
  chatId,
  chatName,
  userId,
  quota,
  archived,
  onCreated,
}: {
  chatId: number;
  chatName: string;
  userId: number;
  quota: QuotaState;
  archived: boolean;
  onCreated: (invite: Invite) => void;
}) {
  const queryClient = useQueryClient();
  const fields = useInviteFields({ maxMode: "unlimited", maxText: "5", expiry: "7d", customLocal: "" });
  const { errors, setErrors } = fields;
  const id = useId();
  const formErrorId = `${id}-form-error`;
  const quotaId = `${id}-quota`;
  const submitButton = useRef<HTMLButtonElement>(null);

  const create = useMutation(
    trpc.invite.create.mutationOptions({
      onSuccess: (invite) => {
        setErrors({});
        onCreated(invite);
      },
      onError: (error, input) => {
        if (isUnauthorized(error)) {
          // Kept while the person signs in again, then offered to finish.
          interrupt({
            doing: `creating an invite for ${chatName}`,
            finishLabel: "Create the invite",
            userId,
            run: async () => {
              const invite = await trpcClient.invite.create.mutate(input);
              return `Invite ${invite.code} created.`;
            },
          });
          return;
        }
        const apiError = toApiError(error);
        const field = fieldOfMessage(apiError.message);
        const message = describeFailure(error, { notDone: "the invite was not created", maybe: "the invite may not have been created" });
        if (field) {
          fields.showFieldError(field, message);
        } else {
          setErrors({ form: message });
          submitButton.current?.focus();
        }
      },
      // Not awaited: the button is back as soon as the create has its answer, even when the
      // refetches that follow hang on an unreachable server.
      onSettled: () => {
        void queryClient.invalidateQueries({ queryKey: trpc.invite.list.queryKey({ chat_id: chatId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.chat.people.queryKey({ chat_id: chatId }) });
        void queryClient.invalidateQueries({ queryKey: trpc.chat.manageable.queryKey() });
      },
    }),
  );

  const blocked = quota.full || archived;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (blocked || create.isPending) return;
    const { maxUses, expiry } = fields.read(Date.now());
    const next: InviteFormErrors = {};
    if (!maxUses.ok) next.max_uses = maxUses.error;
    if (expiry && !expiry.ok) next.expires_at = expiry.error;
    if (!fields.showCheckErrors(next) || !maxUses.ok || !expiry?.ok) return;
    create.reset();
    create.mutate({ chat_id: chatId, max_uses: maxUses.maxUses, expires_at: expiry.expiresAt });
  };

  const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

  return (
    <form className="stack invite-form" onSubmit={submit} noValidate aria-labelledby="create-title">
      <h2 id="create-title" className="section-title">
        Create an invite
      </h2>

      <InviteFields fields={fields} name="max-mode" />

      {quota.full ? (
        <p className="notice notice-warning" id={quotaId} role="status">
          {quota.message}
        </p>
      ) : archived ? (
        <p className="notice notice-warning" id={quotaId} role="status">
          This chat is archived: it takes no new invites, and its invites do not work.
        </p>
      ) : null}

      <div className="form-actions">
        <button
          ref={submitButton}
          type="submit"
          className="button button-primary"
          aria-disabled={blocked || create.isPending ? true : undefined}
          aria-describedby={describedBy(blocked && quotaId, errors.form && formErrorId)}
        >
          {create.isPending ? "Creating…" : "Create invite"}
        </button>
        {errors.form ? <InlineError id={formErrorId}>{errors.form}</InlineError> : null}
      </div>
    </form>
  );
}
