import { useEffect, useRef, type ReactNode, type RefObject } from "react";

/**
 * A modal confirmation on the native <dialog>: it traps focus, closes on Escape and hides the page
 * behind it from assistive technology. Focus starts on the safe choice (Cancel). Cancel and Escape
 * work while the action is pending too (its outcome shows on the page), and a failed action can be
 * tried again from the dialog.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pendingLabel,
  retryLabel,
  pending,
  error,
  returnFocus,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  /** The confirm button's label after a failure, when trying again makes sense. */
  retryLabel?: string;
  pending: boolean;
  error: string | null;
  /** Where focus goes on closing, when not back to what opened the dialog (say, it is gone). */
  returnFocus?: RefObject<HTMLElement | null>;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      element.showModal();
      cancel.current?.focus();
    } else if (!open && element.open) {
      element.close();
      const target = returnFocus?.current;
      if (target) {
        target.focus();
        returnFocus.current = null;
      }
    }
  }, [open, returnFocus]);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      {open ? (
        <div className="stack">
          <h2 id="confirm-title" className="dialog-title">
            {title}
          </h2>
          <div id="confirm-body">{children}</div>
          {error ? (
            <p className="inline-error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="dialog-actions">
            <button ref={cancel} type="button" className="button button-secondary" onClick={onCancel}>
              Cancel
            </button>
            <button type="button" className="button button-danger" onClick={onConfirm} disabled={pending}>
              {pending ? pendingLabel : error && retryLabel ? retryLabel : confirmLabel}
            </button>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
