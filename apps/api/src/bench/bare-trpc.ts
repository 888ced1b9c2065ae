/**
 * Baseline 2: a bare tRPC 11 query on the Express adapter, the adapter the project uses. One
 * procedure without input, context or middleware returning a small JSON object: the ceiling of a
 * tRPC call on this machine. Listens on PORT, prints a JSON "listening"
 * line like the server's, and stops on SIGTERM.
 */
import type { AddressInfo } from "node:net";
import { initTRPC } from "@trpc/server";
import { createExpressMiddleware } from "@trpc/server/adapters/express";
import express from "express";

const t = initTRPC.create();
const router = t.router({
  hello: t.procedure.query(() => ({ hello: "world" })),
});

const app = express();
app.use("/trpc", createExpressMiddleware({ router }));

const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: "listening", url: `http://127.0.0.1:${port}` })}\n`);
});
server.keepAliveTimeout = 5_000;
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
