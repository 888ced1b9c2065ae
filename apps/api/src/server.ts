import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import { createApp } from "./app.js";
import type { Config } from "./config.js";
import { startWalCheckpointer, type WalCheckpointer } from "./db/checkpointer.js";
import { openDatabase, type Database } from "./db/database.js";
import { migrateToLatest } from "./db/migrate.js";
import { answerClientErrors } from "./http/client-errors.js";
import { effectiveConnectionCap, guardConnections, readOpenFileLimit } from "./http/connections.js";
import { SharedRateLimitCounts } from "./http/rate-limit-store.js";
import { startBackgroundJobs } from "./jobs.js";
import { startLiveEvents, type LiveEvents } from "./live/index.js";
import { createLogger, errorFields, type Logger } from "./logger.js";
import { createServiceDeps, type ServiceDeps } from "./services/context.js";
import { seedDemoData } from "./services/demo.service.js";

/** Where `pnpm build` puts the web app, relative to this file in dist/. */
export const DEFAULT_WEB_DIST = fileURLToPath(new URL("../../web/dist", import.meta.url));

export interface RunningServer {
  server: Server;
  url: string;
  port: number;
  database: Database;
  deps: ServiceDeps;
  /** SQLite on a file: the worker thread that checkpoints its WAL (db/checkpointer.ts); else null. */
  checkpointer: WalCheckpointer | null;
  /** Stops taking requests, lets in-flight ones finish (up to the shutdown timeout), closes the database. */
  close(): Promise<void>;
}

/** The WAL checkpoint worker; without it (it could not start) SQLite checkpoints on the server's connection, as by default. */
async function startCheckpointer(sqlite: NonNullable<Database["sqlite"]>, log: Logger): Promise<WalCheckpointer | null> {
  try {
    return await startWalCheckpointer(sqlite, log);
  } catch (error) {
    log.warn("the WAL checkpoint worker did not start: SQLite checkpoints on the server's connection", errorFields(error));
    return null;
  }
}

/**
 * Opens the database, migrates it, seeds the demo world when asked, and listens. The one place
 * that opens the database and listens; `main.ts` adds only process signals around it.
 */
export async function startServer(config: Config, log: Logger = createLogger(config.logLevel)): Promise<RunningServer> {
  const database = openDatabase(config.databaseUrl, {
    poolSize: config.databasePoolSize,
    sqliteCacheMb: config.sqliteCacheMb,
    busyTimeoutMs: config.dbBusyTimeoutMs,
    onConnectionError: (error) => log.warn("database connection lost; the pool will reconnect", errorFields(error)),
  });
  let redis: SharedRateLimitCounts | null = null;
  let checkpointer: WalCheckpointer | null = null;
  let live: LiveEvents | null = null;
  try {
    const migrated = await migrateToLatest(database.db);
    if (migrated.length > 0) log.info("database migrated", { migrations: migrated });
    if (database.sqlite && !database.sqlite.memory) checkpointer = await startCheckpointer(database.sqlite, log);
    const deps = createServiceDeps(database.db, log);
    live = deps.live = startLiveEvents(database, config.databaseUrl, config.events, deps, log);
    const events = live;
    if (config.demo && (await seedDemoData(deps))) log.info("demo mode: seeded demo users and chats");

    if (config.redisUrl && config.rateLimits) {
      // Waits a second at most: a Redis that is away at start does not keep the server from listening (SPEC section 9).
      redis = await SharedRateLimitCounts.connect(config.redisUrl, log, config.redisPrefix);
    }
    const client = redis;
    const app = createApp({
      config,
      deps,
      checkDatabase: async () => {
        await sql`select 1`.execute(database.db);
      },
      ...(client ? { rateLimitStores: (name: string) => client.store(name) } : {}),
    });

    const server = createServer(
      {
        requestTimeout: config.requestTimeoutMs,
        headersTimeout: config.headersTimeoutMs,
        keepAliveTimeout: config.keepAliveTimeoutMs,
        // How often Node looks for requests past those timeouts (its default is every 30 s).
        connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(config.headersTimeoutMs / 4))),
      },
      app,
    );
    const openFileLimit = readOpenFileLimit();
    const cap = effectiveConnectionCap(config.maxConnections, openFileLimit);
    if (cap < config.maxConnections) {
      log.warn("MAX_CONNECTIONS lowered to stay below the open file limit (raise it with ulimit -n)", {
        max_connections: config.maxConnections,
        effective: cap,
        open_file_limit: openFileLimit,
      });
    }
    const connections = guardConnections(server, { cap, log });
    answerClientErrors(server, { log, connections });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(config.port, config.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    // Responses still being worked on when shutdown starts close their connection when done, so
    // keep-alive does not hold the process open.
    const inFlight = new Set<ServerResponse>();
    let shuttingDown = false;
    server.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (shuttingDown) res.setHeader("Connection", "close");
      inFlight.add(res);
      res.on("close", () => {
        inFlight.delete(res);
        // A response whose headers went out before shutdown (an event stream) could not say
        // `Connection: close`: its connection closes now that it is done.
        if (shuttingDown) req.socket.end();
      });
    });
    // The expiry sweep and housekeeping, on every instance (each is safe on many at once).
    const jobs = startBackgroundJobs(deps, config, log);
    const port = (server.address() as AddressInfo).port;
    const host = config.host.includes(":") ? `[${config.host}]` : config.host;
    const url = `http://${host}:${port}`;
    log.info("listening", {
      url,
      port,
      database: database.kind,
      demo: config.demo,
      rate_limits: config.rateLimits ? (client ? "redis" : "memory") : "off",
      web: config.webDist,
    });

    let closing: Promise<void> | null = null;
    const close = () =>
      (closing ??= (async () => {
        log.info("shutting down: finishing in-flight requests", { in_flight: inFlight.size });
        shuttingDown = true;
        for (const res of inFlight) if (!res.headersSent) res.setHeader("Connection", "close");
        // Event streams end now (their clients reconnect to another instance and resume).
        const liveStopped = events.stop();
        const drained = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => {
          log.warn("shutdown timeout reached: closing remaining connections");
          server.closeAllConnections();
        }, config.shutdownTimeoutMs);
        await drained;
        clearTimeout(timer);
        await liveStopped;
        connections.stop();
        await jobs.stop();
        await checkpointer?.stop();
        await database.close();
        if (client) await client.close().catch(() => undefined);
        log.info("shut down cleanly");
      })());
    return { server, url, port, database, deps, checkpointer, close };
  } catch (error) {
    await live?.stop().catch(() => undefined);
    await checkpointer?.stop().catch(() => undefined);
    await database.close().catch(() => undefined);
    if (redis) await redis.close().catch(() => undefined);
    throw error;
  }
}
