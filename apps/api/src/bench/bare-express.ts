/**
 * Baseline 1: a bare Express 5 route returning a small JSON object. Nothing else is mounted: this
 * is the ceiling any Express route on this machine can reach. Listens on PORT, prints a JSON
 * "listening" line like the server's, and stops on SIGTERM.
 */
import type { AddressInfo } from "node:net";
import express from "express";

const app = express();
app.get("/hello", (_req, res) => {
  res.json({ hello: "world" });
});

const server = app.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ msg: "listening", url: `http://127.0.0.1:${port}` })}\n`);
});
server.keepAliveTimeout = 5_000;
process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
