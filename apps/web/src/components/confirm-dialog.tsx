import { useEffect, useRef, type ReactNode } from "react";

/**
 * A modal confirmation on the native <dialog>: it traps focus, closes on Escape and hides the page
 * behind it from assistive technology. Focus starts on the safe choice (Cancel).
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  pendingLabel,
  pending,
  error,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  pending: boolean;
  error: string | null;
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
    }
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-body"
      onCancel={(event) => {
        event.preventDefault();
        if (!pending) onCancel();
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
            <button ref={cancel} type="button" className="button button-secondary" onClick={onCancel} disabled={pending}>
              Cancel
            </button>
            <button type="button" className="button button-danger" onClick={onConfirm} disabled={pending}>
              {pending ? pendingLabel : confirmLabel}
            </button>
          </div>
        </div>
      ) : null}
    </dialog>
  );
}
