import type { UserMe } from "@portal/contracts";
import { useEffect } from "react";
import { AppShell } from "./components/app-shell";
import { InterruptedActionNotice } from "./components/session-notices";
import { Loading, ProblemPanel } from "./components/ui";
import { describeForPerson, isNetworkError, toApiError } from "./lib/errors";
import { navigate, useLocation } from "./lib/router";
import { parseRoute, type Route } from "./lib/routes";
import { useSession } from "./lib/session";
import { ChatActivityPage } from "./pages/chat-activity-page";
import { ChatInvitesPage } from "./pages/chat-invites-page";
import { ChatsPage } from "./pages/chats-page";
import { JoinPage, SignedOutJoinPreview } from "./pages/join-page";
import { NotFoundPage } from "./pages/not-found-page";
import { RestrictedPage } from "./pages/restricted-page";
import { SignInPage } from "./pages/sign-in-page";

export function App() {
  const location = useLocation();
  const route = parseRoute(location.pathname, location.search);
  const session = useSession();
  const restricted = session.isError && toApiError(session.error).code === "FORBIDDEN";
  // What the server said last stays while it cannot be reached (the banner says so).
  const user = restricted ? undefined : session.data;

  // A signed-in person has nothing to do on /sign-in: on to where they were going.
  useEffect(() => {
    if (route.name === "signIn" && user) navigate(route.next ?? "/", { replace: true });
  }, [route, user]);

  let page;
  if (restricted) page = <RestrictedPage />;
  else if (user === null) page = <SignedOutPage route={route} />;
  else if (user) page = <SignedInPage route={route} user={user} />;
  else if (session.isPending) page = <Loading />;
  else if (isNetworkError(session.error)) {
    page = (
      <ProblemPanel
        title="Portal cannot reach the server"
        actions={
          <button type="button" className="button button-primary" onClick={() => void session.refetch()}>
            Try again
          </button>
        }
      >
        <p>Check your connection. This page also checks again by itself, and opens as soon as the server answers.</p>
      </ProblemPanel>
    );
  } else {
    page = (
      <ProblemPanel
        title="Portal could not start"
        actions={
          <button type="button" className="button button-primary" onClick={() => void session.refetch()}>
            Try again
          </button>
        }
      >
        <p>{describeForPerson(toApiError(session.error))}</p>
      </ProblemPanel>
    );
  }

  return (
    <AppShell user={user} restricted={restricted}>
      {page}
    </AppShell>
  );
}

/** Every page needs a session; signing in keeps the address, so the page shows right after. */
function SignedOutPage({ route }: { route: Route }) {
  if (route.name === "join") {
    return (
      <>
        <SignedOutJoinPreview code={route.code} />
        <SignInPage
          subordinate
          title="Sign in to open this invite"
          intro="Someone sent you an invite to this chat. Sign in first; you come straight back to this invite."
        />
      </>
    );
  }
  return <SignInPage />;
}

function SignedInPage({ route, user }: { route: Route; user: UserMe }) {
  return (
    <>
      <InterruptedActionNotice user={user} />
      <RoutePage route={route} user={user} />
    </>
  );
}

function RoutePage({ route, user }: { route: Route; user: UserMe }) {
  switch (route.name) {
    case "home":
    case "signIn":
      return <ChatsPage user={user} />;
    case "chatInvites":
      return <ChatInvitesPage key={route.chatId} chatId={route.chatId} user={user} />;
    case "chatActivity":
      return <ChatActivityPage key={route.chatId} chatId={route.chatId} page={route.page} />;
    case "join":
      return <JoinPage key={route.code} code={route.code} user={user} />;
    case "notFound":
      return <NotFoundPage />;
  }
}
