import type { InvitePreview, PendingJoin, RedeemResult, UserMe } from "@portal/contracts";
import { ErrorMessage } from "@portal/contracts/messages";
import { INVITE_CODE_PATTERN } from "@portal/contracts/patterns";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { PageTitle, InlineError, Loading, ProblemPanel, VisibilityBadge } from "../components/ui";
import { describeFailure, isNetworkError, isUnauthorized, toApiError } from "../lib/errors";
import { interrupt } from "../lib/interrupted";
import { usageState } from "../lib/invites";
import { Link, requestFocus } from "../lib/router";
import { formatDateTime, formatTimeLeft } from "../lib/time";
import { trpc, trpcClient } from "../lib/trpc";
import { useNow } from "../lib/use-now";

/** What a holder of a valid link reads while the chat's invites are paused (403 `Invites to this chat are paused`). */
const PAUSED_TEXT = "Invites to this chat are paused for now, so no one can join through a link. Try again later, or ask the person who sent it.";

/** Unknown, revoked, expired and used-up invites all look the same from outside: one page for all. */
export function InvalidInvite() {
  return (
    <ProblemPanel
      title="This invite is invalid or has expired"
      actions={
        <Link to="/" className="button button-secondary">
          Go to my chats
        </Link>
      }
    >
      <p>The link may have been revoked, used up, or mistyped. Ask the person who sent it for a new one.</p>
    </ProblemPanel>
  );
}

/** `/join/<code>`: where the invite leads, a Join button, and the outcome. */
export function JoinPage({ code, user }: { code: string; user: UserMe }) {
  if (!INVITE_CODE_PATTERN.test(code)) return <InvalidInvite />;
  return <JoinInvite code={code} user={user} />;
}

function JoinInvite({ code, user }: { code: string; user: UserMe }) {
  const queryClient = useQueryClient();
  const now = useNow(1000);
  // The preview is read once: after joining, a used-up invite would answer 404 and hide the success.
  const preview = useQuery({
    ...trpc.invite.preview.queryOptions({ code }),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
  });
  const redeem = useMutation(
    trpc.invite.redeem.mutationOptions({
      onSuccess: () => {
        // The Join button goes away with the preview: the outcome's heading takes focus.
        requestFocus();
        void queryClient.invalidateQueries({ queryKey: trpc.chat.mine.queryKey() });
      },
      onError: (error, input) => {
        if (!isUnauthorized(error) || !preview.data) return;
        const name = preview.data.chat.name;
        interrupt({
          doing: `joining ${name}`,
          finishLabel: `Join ${name}`,
          userId: user.id,
          run: async () => {
            const result = await trpcClient.invite.redeem.mutate(input);
            if ("pending" in result && result.pending) return `Your request to join ${result.chat.name} was sent.`;
            return result.already_member ? `You were already in ${result.chat.name}.` : `You joined ${result.chat.name}.`;
          },
        });
      },
    }),
  );

  if (redeem.data) return <Joined result={redeem.data} />;
  if (preview.isPending) return <Loading label="Opening the invite…" />;
  if (preview.error && !preview.data) {
    const error = toApiError(preview.error);
    if (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST") return <InvalidInvite />;
    const paused = error.message === ErrorMessage.invitesPaused;
    // A chat ban: say what it means, not a bare "Access denied".
    const banned = error.code === "FORBIDDEN" && !paused;
    return (
      <ProblemPanel
        title={paused ? "Invites to this chat are paused" : banned ? "You are banned from this chat" : "The invite could not be opened"}
        actions={
          <>
            {isNetworkError(preview.error) ? (
              <button type="button" className="button button-primary" onClick={() => void preview.refetch()}>
                Try again
              </button>
            ) : null}
            <Link to="/" className="button button-secondary">
              Go to my chats
            </Link>
          </>
        }
      >
        <p>
          {paused
            ? PAUSED_TEXT
            : banned
            ? "The chat's owner or a moderator banned you from it, so this invite cannot let you in. Ask them if you think this is a mistake."
            : describeFailure(preview.error, { notDone: "the invite could not be opened", maybe: "the invite could not be opened" })}
        </p>
      </ProblemPanel>
    );
  }
  const redeemError = redeem.error ? toApiError(redeem.error) : null;
  if (redeemError?.code === "NOT_FOUND") return <InvalidInvite />;

  const { chat } = preview.data;
  return (
    <section className="card join-card" aria-labelledby="join-title">
      <InviteFacts preview={preview.data} now={now} />
      {preview.data.already_member ? (
        <div className="notice notice-info">
          <p>
            <strong>You are already a member</strong> of {chat.name}.
          </p>
        </div>
      ) : (
        <div className="form-actions">
          <button
            type="button"
            className="button button-primary button-large"
            onClick={() => redeem.mutate({ code })}
            disabled={redeem.isPending}
            aria-describedby={redeemError ? "join-error" : undefined}
          >
            {redeem.isPending ? "Joining…" : preview.data.join_approval ? `Ask to join ${chat.name}` : `Join ${chat.name}`}
          </button>
          {redeem.error && redeemError ? (
            <InlineError id="join-error">
              {redeemError.message === ErrorMessage.invitesPaused
                ? PAUSED_TEXT
                : redeemError.code === "FORBIDDEN"
                  ? "You are banned from this chat, so this invite cannot let you in."
                  : describeFailure(redeem.error, { notDone: "you have not joined", maybe: "you may not have joined" })}
            </InlineError>
          ) : null}
        </div>
      )}
      <p className="hint">
        Signed in as {user.username}. <Link to="/">Go to my chats</Link>
      </p>
    </section>
  );
}

/**
 * The chat an invite leads to, before signing in (the preview answers without a session): name,
 * description, members, expiry, uses left, and whether a manager approves each join.
 */
export function SignedOutJoinPreview({ code }: { code: string }) {
  const now = useNow(1000);
  const valid = INVITE_CODE_PATTERN.test(code);
  const preview = useQuery({ ...trpc.invite.preview.queryOptions({ code }), enabled: valid, staleTime: Infinity, retry: false });
  if (!valid) return <InvalidInvite />;
  if (preview.isPending) return <Loading label="Opening the invite…" />;
  if (preview.error) {
    const error = toApiError(preview.error);
    if (error.code === "NOT_FOUND" || error.code === "BAD_REQUEST") return <InvalidInvite />;
    const paused = error.message === ErrorMessage.invitesPaused;
    return (
      <ProblemPanel
        title={paused ? "Invites to this chat are paused" : "The invite cannot be opened right now"}
        actions={
          isNetworkError(preview.error) ? (
            <button type="button" className="button button-primary" onClick={() => void preview.refetch()}>
              Try again
            </button>
          ) : undefined
        }
      >
        <p>
          {paused
            ? PAUSED_TEXT
            : describeFailure(preview.error, { notDone: "the invite could not be opened", maybe: "the invite could not be opened" })}
        </p>
      </ProblemPanel>
    );
  }
  return (
    <section className="card join-card" aria-labelledby="join-title">
      <InviteFacts preview={preview.data} now={now} />
      <p className="hint">Sign in below to {preview.data.join_approval ? "ask to join" : "join"}.</p>
    </section>
  );
}

function InviteFacts({ preview, now }: { preview: InvitePreview; now: number }) {
  const { chat } = preview;
  const usage = usageState(preview.uses, preview.max_uses);
  return (
    <>
      <p className="eyebrow">You are invited to join</p>
      <div className="chat-title-row">
        <PageTitle title={`Join ${chat.name}`}>
          <span id="join-title">{chat.name}</span>
        </PageTitle>
        <VisibilityBadge visibility={chat.visibility} />
      </div>
      {chat.description ? <p className="lead">{chat.description}</p> : null}
      <dl className="join-facts">
        <div>
          <dt>Members</dt>
          <dd>{chat.member_count}</dd>
        </div>
        <div>
          <dt>Expires</dt>
          <dd>
            {preview.expires_at ? (
              <>
                {formatTimeLeft(preview.expires_at, now)}
                <span className="fact-note">{formatDateTime(preview.expires_at)}</span>
              </>
            ) : (
              "Never"
            )}
          </dd>
        </div>
        <div>
          <dt>Uses left</dt>
          <dd>{usage.remaining === null ? "Unlimited" : `${usage.remaining} of ${preview.max_uses}`}</dd>
        </div>
      </dl>
      {preview.join_approval ? (
        <div className="notice notice-info">
          <p>A manager of {chat.name} approves each person who joins: your request waits for them.</p>
        </div>
      ) : null}
    </>
  );
}

function Joined({ result }: { result: RedeemResult | PendingJoin }) {
  if ("pending" in result && result.pending) {
    return (
      <section className="card join-card success">
        <PageTitle title="Your request was sent" />
        <p className="lead">A manager of {result.chat.name} will look at it. Once approved, the chat appears among your chats.</p>
        <div className="actions">
          <Link to="/" className="button button-primary">
            Go to my chats
          </Link>
        </div>
      </section>
    );
  }
  const title = result.already_member ? "You are already a member" : `You joined ${result.chat.name}`;
  return (
    <section className="card join-card success">
      <p className="success-mark" aria-hidden="true">
        ✓
      </p>
      <PageTitle title={title} />
      <p className="lead">
        {result.already_member
          ? `You were already in ${result.chat.name}; the invite was not used.`
          : `Welcome to ${result.chat.name}. It now appears among your chats.`}
      </p>
      <div className="actions">
        <Link to="/" className="button button-primary">
          Go to my chats
        </Link>
      </div>
    </section>
  );
}
