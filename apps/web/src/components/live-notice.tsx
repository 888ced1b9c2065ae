import { retryChatEvents } from "../lib/chat-events";
import { liveNoticeText, type LiveState } from "../lib/live-state";

/**
 * What a chat page says about its live updates, only when there is something to say: paused while
 * the stream reconnects, or off when the server refused another stream. One polite status region,
 * always there (so it is announced when it fills), said once, not an alert each retry.
 */
export function LiveNotice({ chatId, state }: { chatId: number; state: LiveState }) {
  const text = liveNoticeText(state);
  return (
    <div className={text ? "notice notice-warning live-notice" : "live-notice-idle"} data-testid="live-notice">
      <p role="status" className="live-notice-text">
        {text ? (
          <>
            <strong>{text.title}</strong> {text.detail}
          </>
        ) : state.resumed ? (
          <span className="sr-only">Live updates are back: the page is up to date.</span>
        ) : null}
      </p>
      {state.status === "too-many" ? (
        <button type="button" className="button button-secondary button-small" onClick={() => retryChatEvents(chatId)}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
