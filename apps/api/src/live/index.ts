import { randomUUID } from "node:crypto";
import type { EventsConfig } from "../config.js";
import type { Database } from "../db/database.js";
import type { Logger } from "../logger.js";
import type { ServiceDeps } from "../services/context.js";
import { checkEventStreams } from "../services/event-stream.service.js";
import { PostgresListenFeed, SqlitePollingFeed, type EventFeed } from "./feed.js";
import { OpenStreams } from "./open-streams.js";

/** Live delivery on this instance (SPEC section 11): the feed of new events and the open streams. */
export interface LiveEvents {
  feed: EventFeed;
  streams: OpenStreams;
  /** This process's id in the lease table (event_streams.instance_id). */
  instanceId: string;
  leaseMs: number;
  /** Ends every stream and stops the feed; the server stops after it. */
  stop(): Promise<void>;
}

/**
 * Wires delivery for the instance's database: polling on SQLite, LISTEN/NOTIFY on PostgreSQL.
 * Nothing runs until the first stream opens. Called once, by server.ts.
 */
export function startLiveEvents(
  database: Pick<Database, "kind" | "db">,
  databaseUrl: string,
  config: EventsConfig,
  deps: ServiceDeps,
  log: Logger,
): LiveEvents {
  const { db } = database;
  const feedOptions = { db, log, pollMs: config.pollMs, safetyPollMs: config.safetyPollMs };
  const feed: EventFeed =
    database.kind === "postgres" ? new PostgresListenFeed({ ...feedOptions, databaseUrl }) : new SqlitePollingFeed(feedOptions);
  const instanceId = randomUUID();
  const streams = new OpenStreams({
    db,
    log,
    instanceId,
    leaseMs: config.leaseMs,
    accessCheckMs: config.accessCheckMs,
    keepAliveMs: config.keepAliveMs,
    check: (owners) => checkEventStreams(deps, owners),
  });
  return {
    feed,
    streams,
    instanceId,
    leaseMs: config.leaseMs,
    async stop() {
      await streams.stop();
      await feed.stop();
    },
  };
}
