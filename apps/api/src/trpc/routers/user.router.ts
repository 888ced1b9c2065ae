import { me } from "../../services/chat.service.js";
import { authedProcedure, router } from "../trpc.js";

export const userRouter = router({
  me: authedProcedure.query(({ ctx }) => me(ctx.user)),
});
