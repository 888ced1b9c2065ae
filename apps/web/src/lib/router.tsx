import { useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from "react";

/** A small router over the History API: the address bar is the state, `navigate` changes it. */
const NAVIGATE_EVENT = "portal:navigate";

/** Set when the page changed in place, so the new page's heading takes focus (see PageTitle). */
let focusPending = false;
/** Whether anything changed the page since it loaded: before that, the browser's own start is right. */
let changedInPlace = false;

export function takeFocusRequest(): boolean {
  const pending = focusPending;
  focusPending = false;
  return pending;
}

export function hasChangedInPlace(): boolean {
  return changedInPlace;
}

/** Asks the next page heading to take focus, e.g. after signing in replaced the form with a page. */
export function requestFocus(): void {
  focusPending = true;
  changedInPlace = true;
}

if (typeof window !== "undefined") window.addEventListener("popstate", requestFocus);

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

export interface Location {
  pathname: string;
  search: string;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot, snapshot);
  const q = href.indexOf("?");
  return q === -1 ? { pathname: href, search: "" } : { pathname: href.slice(0, q), search: href.slice(q) };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.scrollTo(0, 0);
  requestFocus();
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string; children: ReactNode };

/** A real link (open in new tab, copy address all work) that navigates in place on a plain click. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handleClick} {...rest}>
      {children}
    </a>
  );
}
