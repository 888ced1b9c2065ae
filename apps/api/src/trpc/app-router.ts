import { authRouter } from "./routers/auth.router.js";
import { chatRouter } from "./routers/chat.router.js";
import { inviteRouter } from "./routers/invite.router.js";
import { userRouter } from "./routers/user.router.js";
import { router } from "./trpc.js";

export const appRouter = router({
  invite: inviteRouter,
  chat: chatRouter,
  user: userRouter,
  auth: authRouter,
});

/** The type the web app's tRPC client is built on (imported with `import type` only). */
export type AppRouter = typeof appRouter;
