/**
 * Baseline 2: a bare tRPC 11 query on the Express adapter, the adapter the project uses. One
 * procedure without input, context or middleware returning a small JSON object: the ceiling of a
 * tRPC call on this machine. Listens on PORT, prints a JSON "listening"
 * line like the server's, and stops on SIGTERM.
 */
import { initTRPC } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express from "express";
import { listenForBench } from "./listen.js";

const t = initTRPC.create();
const router = t.router({
  hello: t.procedure.query(() => ({ hello: "world" })),
});

const app = express();
app.use("/trpc", createExpressMiddleware({ router }));

listenForBench(app);
