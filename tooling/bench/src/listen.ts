import type { AddressInfo } from "node:net";
import type { Express } from "express";
import { listenPort } from "./config.js";

/**
 * Listens on a free loopback port, announces it the way `dist/main.js` does (a JSON "listening"
 * line with the url), and exits on SIGTERM: what every baseline and floor server of the bench does.
 */
export function listenForBench(app: Express): void {
  // Express 5 calls back with the error too (the free port run.ts picked may be taken meanwhile).
  const port = listenPort();
  const server = app.listen(port, "127.0.0.1", (error?: Error) => {
    if (error) {
      process.stderr.write(`bench server: could not listen on 127.0.0.1:${port}: ${error.message}\n`);
      process.exit(1);
    }
    const { port: bound } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ msg: "listening", url: `http://127.0.0.1:${bound}` })}\n`);
  });
  server.keepAliveTimeout = 5_000;
  process.once("SIGTERM", () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
