import type { UserMe } from "@portal/contracts";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { checkNow, useConnection } from "../lib/connection";
import { describeFailure } from "../lib/errors";
import { takeInterruptedAction, useSessionEnd } from "../lib/interrupted";
import { useNow } from "../lib/use-now";

/**
 * While the server does not answer: a banner that says so, that what is on screen stays (and may
 * be out of date), and that it checks again by itself; "Check now" does not wait for the pause.
 */
export function ConnectionBanner() {
  const connection = useConnection();
  const now = useNow(connection.reachable ? null : 1000);
  if (connection.reachable) return null;
  const seconds = connection.nextCheckAt === null ? 0 : Math.max(0, Math.ceil((connection.nextCheckAt - now) / 1000));
  return (
    <div className="banner banner-offline" role="status">
      <div className="container banner-inner">
        <p>
          <strong>Cannot reach the server.</strong> What you see stays, but may be out of date, and nothing you do is saved until
          it is back. <span aria-hidden="true">{seconds > 0 ? `Checking again in ${seconds} s…` : "Checking…"}</span>
        </p>
        <button type="button" className="button button-secondary button-small" onClick={checkNow}>
          Check now
        </button>
      </div>
    </div>
  );
}

type Outcome = { ok: boolean; message: string } | null;

/**
 * After signing in again: what the person had asked for when their session ended, offered to
 * finish (it was not done), or said not to have been done when someone else signed in.
 */
export function InterruptedActionNotice({ user }: { user: UserMe }) {
  const queryClient = useQueryClient();
  const { action } = useSessionEnd();
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [running, setRunning] = useState(false);
  const otherPerson = action !== null && action.userId !== user.id;

  useEffect(() => {
    if (!otherPerson || !action) return;
    takeInterruptedAction();
    setOutcome({ ok: false, message: `What the person signed in before you was doing (${action.doing}) was not done.` });
  }, [otherPerson, action]);

  if (action && !otherPerson) {
    const finish = async () => {
      setRunning(true);
      try {
        const message = await action.run();
        setOutcome({ ok: true, message });
      } catch (error) {
        setOutcome({
          ok: false,
          message: `It could not be finished: ${describeFailure(error, { notDone: "it was not done", maybe: "it may not have been done" })}`,
        });
      } finally {
        takeInterruptedAction();
        setRunning(false);
        void queryClient.invalidateQueries();
      }
    };
    return (
      <section className="notice notice-info session-notice" role="alert" aria-labelledby="resume-title">
        <h2 id="resume-title" className="notice-title">
          Your session ended while you were {action.doing}
        </h2>
        <p>It has not been done. Finish it now, or leave it.</p>
        <div className="actions">
          <button type="button" className="button button-primary" onClick={() => void finish()} disabled={running}>
            {running ? "Working…" : action.finishLabel}
          </button>
          <button
            type="button"
            className="button button-secondary"
            disabled={running}
            onClick={() => {
              takeInterruptedAction();
              setOutcome({ ok: false, message: `Left as it was: ${action.doing} was not done.` });
            }}
          >
            Leave it
          </button>
        </div>
      </section>
    );
  }
  if (!outcome) return null;
  return (
    <div className={`notice ${outcome.ok ? "notice-success" : "notice-warning"} session-notice`} role="status">
      <p>{outcome.message}</p>
      <button type="button" className="button button-ghost button-small" onClick={() => setOutcome(null)}>
        Dismiss
      </button>
    </div>
  );
}
