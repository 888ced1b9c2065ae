import { useEffect, useId, useRef, type ReactNode } from "react";
import { visibilityLabel } from "../lib/levels";
import { hasChangedInPlace, takeFocusRequest } from "../lib/router";

/**
 * The page's one h1. It sets the document title and takes focus when the page changed in place
 * (or focus was lost with the control that had it), so keyboard and screen-reader users start
 * reading at the new page instead of at the top of the document.
 */
export function PageTitle({ title, children, className }: { title: string; children?: ReactNode; className?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Portal`;
  }, [title]);
  useEffect(() => {
    const requested = takeFocusRequest();
    const lost = document.activeElement === null || document.activeElement === document.body;
    // On the first page of a visit the browser's own start (the top, with the skip link) is right.
    if (requested || (lost && hasChangedInPlace())) ref.current?.focus({ preventScroll: true });
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} className={className}>
      {children ?? title}
    </h1>
  );
}

export function VisibilityBadge({ visibility }: { visibility: "private" | "public" | "official" }) {
  return <span className={`badge badge-${visibility}`}>{visibilityLabel(visibility)}</span>;
}

export function Badge({ children, tone = "neutral" }: { children: ReactNode; tone?: "neutral" | "accent" | "warning" }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <p className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

/** A whole-page problem: what went wrong (the server's words) and a way on. */
export function ProblemPanel({
  title,
  children,
  actions,
}: {
  title: string;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card problem">
      <PageTitle title={title} />
      {children}
      {actions ? <div className="actions">{actions}</div> : null}
    </section>
  );
}

/** An error next to the thing it concerns; announced when it appears. */
export function InlineError({ id, children }: { id?: string; children: ReactNode }) {
  return (
    <p className="inline-error" id={id} role="alert">
      {children}
    </p>
  );
}

/** A horizontal bar for a value out of a maximum (`role="meter"`, so it is read as "12 of 20"). */
export function Meter({
  value,
  max,
  percent,
  label,
  valueText,
  tone = "ok",
}: {
  value: number;
  max: number;
  percent: number;
  label: string;
  valueText: string;
  tone?: "ok" | "warning" | "full";
}) {
  return (
    <div
      className={`meter meter-${tone}`}
      role="meter"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={Math.min(value, max)}
      aria-valuetext={valueText}
    >
      <div className="meter-fill" style={{ width: `${percent}%` }} />
    </div>
  );
}

/** A field's label, control, hint and error wired together for assistive technology. */
export function useFieldIds(): { input: string; hint: string; error: string } {
  const id = useId();
  return { input: `${id}-input`, hint: `${id}-hint`, error: `${id}-error` };
}
