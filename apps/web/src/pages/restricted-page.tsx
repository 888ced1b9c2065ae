import { useQuery } from "@tanstack/react-query";
import { ProblemPanel } from "../components/ui";
import { formatDateTime, formatTimeLeft } from "../lib/time";
import { trpc } from "../lib/trpc";
import { useNow } from "../lib/use-now";

/**
 * A banned account, or one in a timeout: every signed-in page would answer the same 403, so this
 * says which, and for a timeout when it ends. Sign out is in the header.
 */
export function RestrictedPage() {
  const restriction = useQuery({ ...trpc.auth.restriction.queryOptions(), staleTime: 30_000 });
  const now = useNow(30_000);
  const data = restriction.data;
  if (data?.state === "timeout") {
    return (
      <ProblemPanel title="Your account is in a timeout">
        <p>
          Portal cannot show your chats until the timeout ends
          {data.until ? (
            <>
              {" "}
              on <time dateTime={data.until}>{formatDateTime(data.until)}</time> ({formatTimeLeft(data.until, now).replace(" left", " from now")})
            </>
          ) : null}
          . Ask an admin if you think this is a mistake.
        </p>
      </ProblemPanel>
    );
  }
  return (
    <ProblemPanel title={data?.state === "banned" ? "Your account is banned" : "Your account is restricted"}>
      <p>Your account is banned or in a timeout, so Portal cannot show your chats. Ask an admin if you think this is a mistake.</p>
    </ProblemPanel>
  );
}
