#!/usr/bin/env node
import { ConfigError, loadConfig } from "./config.js";
import { createLogger, errorFields } from "./logger.js";
import { DEFAULT_WEB_DIST, startServer } from "./server.js";

let config;
try {
  // From the environment: config.ts is the one module that reads it.
  config = loadConfig(undefined, { webDist: DEFAULT_WEB_DIST });
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`Invalid configuration: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const log = createLogger(config.logLevel);
try {
  const running = await startServer(config, log);
  const stop = (signal: string) => {
    log.info("signal received", { signal });
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error("shutdown failed", errorFields(error));
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
} catch (error) {
  log.error("startup failed", errorFields(error));
  process.stderr.write(`Could not start the server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
