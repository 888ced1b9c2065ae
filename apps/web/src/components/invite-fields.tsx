import type { Invite } from "@portal/contracts";
import { useRef, useState, type Ref } from "react";
import type { InviteField } from "../lib/errors";
import {
  EXPIRY_PRESETS,
  isExpiryPresetId,
  presetToUtc,
  resolveExpiry,
  timeZoneLabel,
  toLocalDateTimeValue,
  type ExpiryChoice,
  type ExpiryResult,
} from "../lib/expiry";
import { resolveMaxUses, type MaxUsesResult } from "../lib/invites";
import { formatDateTime } from "../lib/time";
import { useNow } from "../lib/use-now";
import { InlineError, useFieldIds } from "./ui";

/** The expiry select's value that leaves an edited invite's expiry as it is. */
export const KEEP_EXPIRY = "keep";

export interface InviteFieldValues {
  maxMode: "unlimited" | "limited";
  maxText: string;
  /** "never", a preset id, "custom", or (editing) KEEP_EXPIRY. */
  expiry: string;
  /** The custom date and time, as a datetime-local value in the person's time zone. */
  customLocal: string;
}

export interface InviteFormErrors {
  max_uses?: string;
  expires_at?: string;
  /** What concerns neither field: shown by the form next to its button. */
  form?: string;
}

/** What an invite already has, when the fields edit it instead of creating one. */
type Existing = Pick<Invite, "uses" | "expires_at">;

function expiryChoiceOf(select: string, customLocal: string): ExpiryChoice {
  if (select === "never") return { kind: "never" };
  if (select === "custom") return { kind: "custom", local: customLocal };
  return isExpiryPresetId(select) ? { kind: "preset", preset: select } : { kind: "never" };
}

/**
 * The state of the max uses and expiry fields, for the create form and the edit dialog alike:
 * their values, their errors, and the focus that goes to the field an error concerns.
 */
export function useInviteFields(initial: InviteFieldValues) {
  const [values, setValues] = useState(initial);
  const [errors, setErrors] = useState<InviteFormErrors>({});
  const maxInput = useRef<HTMLInputElement>(null);
  const expiryInput = useRef<HTMLSelectElement>(null);
  const customInput = useRef<HTMLInputElement>(null);

  return {
    values,
    setValues,
    errors,
    setErrors,
    refs: { maxInput, expiryInput, customInput },
    /** The values as the API takes them; `expiry` is null when an edit keeps the expiry as it is. */
    read(nowMs: number): { maxUses: MaxUsesResult; expiry: ExpiryResult | null } {
      return {
        maxUses: resolveMaxUses(values.maxMode, values.maxText),
        expiry: values.expiry === KEEP_EXPIRY ? null : resolveExpiry(expiryChoiceOf(values.expiry, values.customLocal), nowMs),
      };
    },
    /** Shows an error under the field it concerns and moves focus there. */
    showFieldError(field: InviteField, message: string) {
      if (field === "max_uses") {
        setErrors({ max_uses: message });
        maxInput.current?.focus();
      } else {
        setErrors({ expires_at: message });
        (values.expiry === "custom" ? customInput.current : expiryInput.current)?.focus();
      }
    },
    /** Shows the errors of a check before sending; focus goes to the first field that has one. */
    showCheckErrors(next: InviteFormErrors): boolean {
      setErrors(next);
      if (next.max_uses) maxInput.current?.focus();
      else if (next.expires_at) customInput.current?.focus();
      return !next.max_uses && !next.expires_at;
    },
  };
}

type InviteFieldsState = ReturnType<typeof useInviteFields>;

const describedBy = (...ids: (string | false | undefined)[]) => ids.filter(Boolean).join(" ") || undefined;

/**
 * Max uses (unlimited or a number) and expiry (never, a preset, or a date and time in the
 * person's own time zone), each with its hint and its error wired to it for assistive technology.
 * With `existing` they edit an invite: the expiry can stay as it is, and the limit cannot go below
 * the invite's uses.
 */
export function InviteFields({
  fields,
  name,
  existing,
  firstField,
}: {
  fields: InviteFieldsState;
  /** The radio group's name, unique on the page. */
  name: string;
  existing?: Existing;
  /** The first control (the "Unlimited" radio), for a dialog to focus when it opens. */
  firstField?: Ref<HTMLInputElement>;
}) {
  const { values, setValues, errors, setErrors, refs } = fields;
  const now = useNow(30_000);
  const maxIds = useFieldIds();
  const expiryIds = useFieldIds();
  const customIds = useFieldIds();
  const set = (change: Partial<InviteFieldValues>) => setValues({ ...values, ...change });
  const { expiry } = values;

  const presetHint =
    expiry !== KEEP_EXPIRY && expiry !== "never" && expiry !== "custom" && isExpiryPresetId(expiry)
      ? `Expires around ${formatDateTime(presetToUtc(expiry, now))}.`
      : expiry === "never" && !existing
        ? "The link works until it is revoked or used up."
        : null;
  const usesHint = existing ? (
    <p className="hint" id={maxIds.hint}>
      Used {existing.uses} {existing.uses === 1 ? "time" : "times"} so far: the limit cannot go below that.
    </p>
  ) : (
    <p className="hint" id={maxIds.hint}>
      A whole number, 1 or more.
    </p>
  );

  return (
    <>
      <fieldset className="field" aria-describedby={describedBy(errors.max_uses && maxIds.error)}>
        <legend>Max uses</legend>
        <div className="choice-row">
          <label className="choice">
            <input
              ref={firstField}
              type="radio"
              name={name}
              value="unlimited"
              checked={values.maxMode === "unlimited"}
              onChange={() => set({ maxMode: "unlimited" })}
            />
            Unlimited
          </label>
          <label className="choice">
            <input type="radio" name={name} value="limited" checked={values.maxMode === "limited"} onChange={() => set({ maxMode: "limited" })} />
            Limited
          </label>
        </div>
        {values.maxMode === "limited" ? (
          <div className="field nested">
            <label htmlFor={maxIds.input}>Number of uses</label>
            <input
              ref={refs.maxInput}
              id={maxIds.input}
              type="text"
              inputMode="numeric"
              autoComplete="off"
              className="input input-number"
              value={values.maxText}
              onChange={(e) => {
                set({ maxText: e.target.value });
                if (errors.max_uses) setErrors({ ...errors, max_uses: undefined });
              }}
              aria-invalid={errors.max_uses ? true : undefined}
              aria-describedby={describedBy(maxIds.hint, errors.max_uses && maxIds.error)}
            />
            {existing ? null : usesHint}
          </div>
        ) : null}
        {existing ? usesHint : null}
        {errors.max_uses ? <InlineError id={maxIds.error}>{errors.max_uses}</InlineError> : null}
      </fieldset>

      <div className="field">
        <label htmlFor={expiryIds.input}>{existing ? "Expires" : "Expires after"}</label>
        <select
          ref={refs.expiryInput}
          id={expiryIds.input}
          className="input"
          value={expiry}
          onChange={(e) => {
            const next = e.target.value;
            const start = existing?.expires_at ? Date.parse(existing.expires_at) : Date.now() + 24 * 3600_000;
            set({ expiry: next, ...(next === "custom" && values.customLocal === "" ? { customLocal: toLocalDateTimeValue(start) } : {}) });
            if (errors.expires_at) setErrors({ ...errors, expires_at: undefined });
          }}
          aria-invalid={errors.expires_at && expiry !== "custom" ? true : undefined}
          aria-describedby={describedBy(presetHint !== null && expiryIds.hint, errors.expires_at && expiry !== "custom" && expiryIds.error)}
        >
          {existing ? (
            <option value={KEEP_EXPIRY}>{existing.expires_at ? `As now: ${formatDateTime(existing.expires_at)}` : "As now: never"}</option>
          ) : null}
          {!existing || existing.expires_at ? <option value="never">Never</option> : null}
          {EXPIRY_PRESETS.map((preset) => (
            <option key={preset.id} value={preset.id}>
              {existing ? `${preset.label} from now` : preset.label}
            </option>
          ))}
          <option value="custom">A date and time…</option>
        </select>
        {presetHint ? (
          <p className="hint" id={expiryIds.hint}>
            {presetHint}
          </p>
        ) : null}
        {expiry === "custom" ? (
          <div className="field nested">
            <label htmlFor={customIds.input}>Expiry date and time</label>
            <input
              ref={refs.customInput}
              id={customIds.input}
              type="datetime-local"
              className="input"
              value={values.customLocal}
              min={toLocalDateTimeValue(now)}
              onChange={(e) => {
                set({ customLocal: e.target.value });
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
    </>
  );
}
