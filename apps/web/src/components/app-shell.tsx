import type { UserMe } from "@portal/contracts";
import { useMutation } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { describeFailure, toApiError } from "../lib/errors";
import { levelName } from "../lib/levels";
import { Link, navigate } from "../lib/router";
import { startSession } from "../lib/session";
import { trpc } from "../lib/trpc";
import { ConnectionBanner } from "./session-notices";

/** Header with the signed-in person and sign-out; the server-unreachable banner; the page below. */
export function AppShell({
  user,
  restricted = false,
  children,
}: {
  user: UserMe | null | undefined;
  /** A banned or timed-out account: no chats to show, but Sign out all the same. */
  restricted?: boolean;
  children: ReactNode;
}) {
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
              <Link to="/" className="header-link">
                My chats
              </Link>
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
          ) : restricted ? (
            <nav aria-label="Account" className="header-nav">
              <SignOutButton restricted />
            </nav>
          ) : null}
        </div>
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1} className="container">
        {children}
      </main>
    </>
  );
}

function SignOutButton({ restricted = false }: { restricted?: boolean }) {
  const signedOut = () => {
    startSession(null);
    navigate("/");
  };
  const options = {
    onSettled: (_data: unknown, error: unknown) => {
      // A session that was already gone is signed out all the same.
      if (error && toApiError(error).code !== "UNAUTHORIZED") return;
      signedOut();
    },
  };
  // A restricted account's session is ended by auth.endSession (auth.logout answers it 403).
  const logout = useMutation(trpc.auth.logout.mutationOptions(options));
  const endSession = useMutation(trpc.auth.endSession.mutationOptions(options));
  const mutation = restricted ? endSession : logout;
  return (
    <span className="sign-out">
      <button type="button" className="button button-ghost" onClick={() => mutation.mutate()} disabled={mutation.isPending}>
        {mutation.isPending ? "Signing out…" : "Sign out"}
      </button>
      {mutation.error && toApiError(mutation.error).code !== "UNAUTHORIZED" ? (
        <span className="inline-error" role="alert">
          {describeFailure(mutation.error, { notDone: "you are still signed in", maybe: "you may still be signed in" })}
        </span>
      ) : null}
    </span>
  );
}
