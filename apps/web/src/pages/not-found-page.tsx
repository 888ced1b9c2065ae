import { ProblemPanel } from "../components/ui";
import { Link } from "../lib/router";

export function NotFoundPage() {
  return (
    <ProblemPanel
      title="Page not found"
      actions={
        <Link to="/" className="button button-secondary">
          Go to my chats
        </Link>
      }
    >
      <p>There is nothing at this address.</p>
    </ProblemPanel>
  );
}
