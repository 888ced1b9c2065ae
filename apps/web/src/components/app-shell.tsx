import type { UserMe } from "@portal/contracts";
import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { toApiError } from "../lib/errors";
import { levelName } from "../lib/levels";
import { Link, navigate } from "../lib/router";
import { startSession } from "../lib/session";
import { trpc } from "../lib/trpc";

/** Header with the signed-in person and sign-out; the page below it. */
export function AppShell({ user, children }: { user: UserMe | null | undefined; children: ReactNode }) {
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <div className="container header-inner">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              P
            </span>
            Portal
          </Link>
          {user ? (
            <nav aria-label="Account" className="header-nav">
              <Link to="/">My chats</Link>
              <span className="user-chip">
                <span className="avatar" aria-hidden="true">
                  {user.username.slice(0, 1).toUpperCase()}
                </span>
                <span>
                  <span className="user-name">{user.username}</span>
                  <span className="user-level">{levelName(user.permission_level)}</span>
                </span>
              </span>
              <SignOutButton />
            </nav>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1} className="container">
        {children}
      </main>
    </>
  );
}

function SignOutButton() {
  const logout = useMutation(
    trpc.auth.logout.mutationOptions({
      onSettled: (_data, error) => {
        // A session that was already gone is signed out all the same.
        if (error && toApiError(error).code !== "UNAUTHORIZED") return;
        startSession(null);
        navigate("/");
      },
    }),
  );
  return (
    <span className="sign-out">
      <button type="button" className="button button-ghost" onClick={() => logout.mutate()} disabled={logout.isPending}>
        {logout.isPending ? "Signing out…" : "Sign out"}
      </button>
      {logout.error && toApiError(logout.error).code !== "UNAUTHORIZED" ? (
        <span className="inline-error" role="alert">
          {toApiError(logout.error).message}
        </span>
      ) : null}
    </span>
  );
}
