import type { UserMe } from "@portal/contracts";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { InlineError, PageTitle, useFieldIds } from "../components/ui";
import { describeFailure } from "../lib/errors";
import { useSessionEnd } from "../lib/interrupted";
import { levelName } from "../lib/levels";
import { requestFocus } from "../lib/router";
import { startSession } from "../lib/session";
import { trpc } from "../lib/trpc";

/**
 * Sign-in with a login code, and in demo mode with one click on a demo account. Signing in keeps
 * the address as it is, so whatever page asked for it (an invite link) shows right after.
 */
export function SignInPage({
  title = "Sign in",
  intro,
  subordinate = false,
}: {
  title?: string;
  intro?: string;
  /** Below a page of its own (an invite's preview, with the page's h1): the title is an h2. */
  subordinate?: boolean;
}) {
  const signedIn = (user: UserMe) => {
    requestFocus();
    startSession(user);
  };
  const sessionEnd = useSessionEnd();
  return (
    <div className="sign-in">
      {sessionEnd.ended ? (
        <div className="notice notice-warning session-notice" role="alert">
          <p>
            <strong>Your session ended</strong> (signed out in another tab, or it expired).{" "}
            {sessionEnd.action
              ? `Sign in again to finish ${sessionEnd.action.doing}: it has not been done.`
              : "Sign in again to go on where you were."}
          </p>
        </div>
      ) : null}
      <section className="card sign-in-card">
        {subordinate ? (
          <h2 className="sign-in-title" id="sign-in-title">
            {title}
          </h2>
        ) : (
          <PageTitle title={title} />
        )}
        <p className="lead">{intro ?? "Manage the invite links of your chats, and join chats you were invited to."}</p>
        <LoginCodeForm onSignedIn={signedIn} />
      </section>
      <DemoAccounts onSignedIn={signedIn} />
    </div>
  );
}

function LoginCodeForm({ onSignedIn }: { onSignedIn: (user: UserMe) => void }) {
  const [code, setCode] = useState("");
  const [localError, setLocalError] = useState<string | null>(null);
  const ids = useFieldIds();
  const verify = useMutation(trpc.auth.verify.mutationOptions({ onSuccess: onSignedIn }));
  const error =
    localError ?? (verify.error ? describeFailure(verify.error, { notDone: "you are not signed in", maybe: "you may not be signed in" }) : null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = code.trim();
    if (trimmed === "") {
      setLocalError("Enter the 8-character login code you were given");
      document.getElementById(ids.input)?.focus();
      return;
    }
    setLocalError(null);
    verify.mutate({ code: trimmed });
  };

  return (
    <form onSubmit={submit} noValidate className="stack">
      <h2 id="sign-in-code" className="section-title">
        With a login code
      </h2>
      <div className="field">
        <label htmlFor={ids.input}>Login code</label>
        <input
          id={ids.input}
          name="code"
          autoComplete="one-time-code"
          autoCapitalize="off"
          spellCheck={false}
          className="input input-code"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={`${ids.hint}${error ? ` ${ids.error}` : ""}`}
        />
        <p className="hint" id={ids.hint}>
          8 characters, case-sensitive, valid for 10 minutes. Ask an admin of your Portal for one.
        </p>
        {error ? <InlineError id={ids.error}>{error}</InlineError> : null}
      </div>
      <button type="submit" className="button button-primary" disabled={verify.isPending}>
        {verify.isPending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}

function DemoAccounts({ onSignedIn }: { onSignedIn: (user: UserMe) => void }) {
  // Empty when demo mode is off: then there is simply no demo section.
  const accounts = useQuery({ ...trpc.auth.demoAccounts.queryOptions(), retry: false, staleTime: Infinity });
  const demoLogin = useMutation(trpc.auth.demoLogin.mutationOptions({ onSuccess: onSignedIn }));
  if (!accounts.data || accounts.data.length === 0) return null;
  const pendingName = demoLogin.isPending ? demoLogin.variables?.username : undefined;
  return (
    <section className="card" aria-labelledby="demo-title">
      <h2 id="demo-title" className="section-title">
        Or try a demo account
      </h2>
      <p className="hint">One click signs you in. Each level sees and manages different chats.</p>
      <ul className="demo-list">
        {accounts.data.map((account) => (
          <li key={account.username}>
            <button
              type="button"
              className="demo-account"
              onClick={() => demoLogin.mutate({ username: account.username })}
              disabled={demoLogin.isPending}
            >
              {/* One name for screen readers, holding the visible words: "Sign in as olivia, Owner". */}
              <span className="sr-only">
                {pendingName === account.username
                  ? `Signing in as ${account.username}…`
                  : `Sign in as ${account.username}, ${levelName(account.permission_level)}`}
              </span>
              <span className="avatar" aria-hidden="true">
                {account.username.slice(0, 1).toUpperCase()}
              </span>
              <span className="demo-name" aria-hidden="true">
                {pendingName === account.username ? "Signing in…" : account.username}
              </span>
              <span className={`level level-${account.permission_level}`} aria-hidden="true">
                {levelName(account.permission_level)}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {demoLogin.error ? (
        <InlineError>{describeFailure(demoLogin.error, { notDone: "you are not signed in", maybe: "you may not be signed in" })}</InlineError>
      ) : null}
    </section>
  );
}
