import type { Invite } from "@portal/contracts";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";
import { describeFailure, fieldOfMessage, isUnauthorized, toApiError } from "../lib/errors";
import { interrupt } from "../lib/interrupted";
import {
  EXPIRY_PRESETS,
  isExpiryPresetId,
  presetToUtc,
  resolveExpiry,
  timeZoneLabel,
  toLocalDateTimeValue,
  type ExpiryChoice,
} from "../lib/expiry";
import { resolveMaxUses } from "../lib/invites";
import type { QuotaState } from "../lib/quota";
import { formatDateTime } from "../lib/time";
import { trpc, trpcClient } from "../lib/trpc";
import { useNow } from "../lib/use-now";
import { InlineError, useFieldIds } from "./ui";

type MaxMode = "unlimited" | "limited";
interface FieldErrors {
  max_uses?: string;
  expires_at?: string;
  form?: string;
}

function expiryChoiceOf(select: string, customLocal: string): ExpiryChoice {
  if (select === "never") return { kind: "never" };
  if (select === "custom") return { kind: "custom", local: customLocal };
  return isExpiryPresetId(select) ? { kind: "preset", preset: select } : { kind: "never" };
}

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
  const [maxMode, setMaxMode] = useState<MaxMode>("unlimited");
  const [maxText, setMaxText] = useState("5");
  const [expirySelect, setExpirySelect] = useState<string>("7d");
  const [customLocal, setCustomLocal] = useState("");
  const [errors, setErrors] = useState<FieldErrors>({});
  const now = useNow(30_000);
  const maxIds = useFieldIds();
  const expiryIds = useFieldIds();
  const customIds = useFieldIds();
  const formErrorId = `${maxIds.input}-form-error`;
  const quotaId = `${maxIds.input}-quota`;
  const maxInput = useRef<HTMLInputElement>(null);
  const expiryInput = useRef<HTMLSelectElement>(null);
  const customInput = useRef<HTMLInputElement>(null);
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
        if (field === "max_uses") {
          setErrors({ max_uses: message });
          maxInput.current?.focus();
        } else if (field === "expires_at") {
          setErrors({ expires_at: message });
          (expirySelect === "custom" ? customInput.current : expiryInput.current)?.focus();
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
    const maxUses = resolveMaxUses(maxMode, maxText);
    const expiry = resolveExpiry(expiryChoiceOf(expirySelect, customLocal), Date.now());
    const next: FieldErrors = {};
    if (!maxUses.ok) next.max_uses = maxUses.error;
    if (!expiry.ok) next.expires_at = expiry.error;
    setErrors(next);
    if (!maxUses.ok) return maxInput.current?.focus();
    if (!expiry.ok) return customInput.current?.focus();
    create.reset();
    create.mutate({ chat_id: chatId, max_uses: maxUses.maxUses, expires_at: expiry.expiresAt });
  };

  const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;
  const presetHint =
    expirySelect !== "never" && expirySelect !== "custom" && isExpiryPresetId(expirySelect)
      ? `Expires around ${formatDateTime(presetToUtc(expirySelect, now))}.`
      : expirySelect === "never"
        ? "The link works until it is revoked or used up."
        : null;

  return (
    <form className="stack invite-form" onSubmit={submit} noValidate aria-labelledby="create-title">
      <h2 id="create-title" className="section-title">
        Create an invite
      </h2>

      <fieldset className="field" aria-describedby={describedBy(errors.max_uses && maxIds.error)}>
        <legend>Max uses</legend>
        <div className="choice-row">
          <label className="choice">
            <input
              type="radio"
              name="max-mode"
              value="unlimited"
              checked={maxMode === "unlimited"}
              onChange={() => setMaxMode("unlimited")}
            />
            Unlimited
          </label>
          <label className="choice">
            <input type="radio" name="max-mode" value="limited" checked={maxMode === "limited"} onChange={() => setMaxMode("limited")} />
            Limited
          </label>
        </div>
        {maxMode === "limited" ? (
          <div className="field nested">
            <label htmlFor={maxIds.input}>Number of uses</label>
            <input
              ref={maxInput}
              id={maxIds.input}
              type="text"
              inputMode="numeric"
              autoComplete="off"
              className="input input-number"
              value={maxText}
              onChange={(e) => {
                setMaxText(e.target.value);
                if (errors.max_uses) setErrors({ ...errors, max_uses: undefined });
              }}
              aria-invalid={errors.max_uses ? true : undefined}
              aria-describedby={describedBy(maxIds.hint, errors.max_uses && maxIds.error)}
            />
            <p className="hint" id={maxIds.hint}>
              A whole number, 1 or more.
            </p>
          </div>
        ) : null}
        {errors.max_uses ? <InlineError id={maxIds.error}>{errors.max_uses}</InlineError> : null}
      </fieldset>

      <div className="field">
        <label htmlFor={expiryIds.input}>Expires after</label>
        <select
          ref={expiryInput}
          id={expiryIds.input}
          className="input"
          value={expirySelect}
          onChange={(e) => {
            setExpirySelect(e.target.value);
            if (e.target.value === "custom" && customLocal === "") setCustomLocal(toLocalDateTimeValue(Date.now() + 24 * 3600_000));
          }}
          aria-invalid={errors.expires_at && expirySelect !== "custom" ? true : undefined}
          aria-describedby={describedBy(presetHint !== null && expiryIds.hint, errors.expires_at && expirySelect !== "custom" && expiryIds.error)}
        >
          <option value="never">Never</option>
          {EXPIRY_PRESETS.map((preset) => (
            <option key={preset.id} value={preset.id}>
              {preset.label}
            </option>
          ))}
          <option value="custom">A date and time…</option>
        </select>
        {presetHint ? (
          <p className="hint" id={expiryIds.hint}>
            {presetHint}
          </p>
        ) : null}
        {expirySelect === "custom" ? (
          <div className="field nested">
            <label htmlFor={customIds.input}>Expiry date and time</label>
            <input
              ref={customInput}
              id={customIds.input}
              type="datetime-local"
              className="input"
              value={customLocal}
              min={toLocalDateTimeValue(now)}
              onChange={(e) => {
                setCustomLocal(e.target.value);
                if (errors.expires_at) setErrors({ ...errors, expires_at: undefined });
              }}
              aria-invalid={errors.expires_at ? true : undefined}
              aria-describedby={describedBy(customIds.hint, errors.expires_at && expiryIds.error)}
            />
            <p className="hint" id={customIds.hint}>
              In your time zone, {timeZoneLabel(now)}.
            </p>
          </div>
        ) : null}
        {errors.expires_at ? <InlineError id={expiryIds.error}>{errors.expires_at}</InlineError> : null}
      </div>

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
