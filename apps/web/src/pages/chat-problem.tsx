import { ProblemPanel } from "../components/ui";
import { describeForPerson, toApiError } from "../lib/errors";
import { Link } from "../lib/router";

/** A chat page the server refused: its message as the heading, and what it means. */
export function ChatProblem({ error }: { error: unknown }) {
  const apiError = toApiError(error);
  const explanation =
    apiError.code === "NOT_FOUND"
      ? "It may not exist, or it is private and you are not in it."
      : apiError.code === "FORBIDDEN"
        ? "You can see this chat, but your level does not let you manage it."
        : apiError.code === null
          ? "The server did not answer. This page checks again by itself."
          : "Try again in a moment.";
  return (
    <ProblemPanel
      title={describeForPerson(apiError)}
      actions={
        <Link to="/" className="button button-secondary">
          Back to my chats
        </Link>
      }
    >
      <p>{explanation}</p>
    </ProblemPanel>
  );
}
