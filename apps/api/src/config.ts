import { EVENT_STREAM_KEEPALIVE_MS, EVENTS_RETENTION_DAYS_DEFAULT } from "@portal/contracts";
import { z } from "zod";
import { DEFAULT_DB_BUSY_TIMEOUT_MS, DEFAULT_SQLITE_CACHE_MB } from "./db/database.js";
import { LOG_LEVELS, type LogLevel } from "./logger.js";

/** The one module that reads the environment (SPEC section 8). */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  databasePoolSize: number;
  /** SQLite page cache of each connection, in MiB. */
  sqliteCacheMb: number;
  /** SQLite: how long a request waits for another process's write lock before a 503, in ms. */
  dbBusyTimeoutMs: number;
  demo: boolean;
  trustedOrigins: string[];
  rateLimits: boolean;
  redisUrl: string | null;
  /** Key prefix in Redis, so several deployments can share one Redis. */
  redisPrefix: string;
  logLevel: LogLevel;
  /** Express "trust proxy": how many proxy hops in front of the server set X-Forwarded-For. */
  trustProxyHops: number;
  /** Where the built web app is; null serves the API alone. */
  webDist: string | null;
  shutdownTimeoutMs: number;
  /** A whole request (headers and body) must arrive within this (Node's server.requestTimeout). */
  requestTimeoutMs: number;
  /** The header block must arrive within this (server.headersTimeout); at most requestTimeoutMs. */
  headersTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (server.keepAliveTimeout). */
  keepAliveTimeoutMs: number;
  /** Open connections at most; lowered at start to stay below the process's file limit (http/connections.ts). */
  maxConnections: number;
  /** How often this instance looks for invites whose expiry passed, to record `invite.expired`, in ms. */
  expirySweepMs: number;
  /** How often this instance runs housekeeping (the purges), in ms. */
  housekeepingIntervalMs: number;
  /** Events are kept this many days for clients that resume; housekeeping purges older ones. */
  eventsRetentionDays: number;
  /** Live event delivery (SPEC section 11, live/). */
  events: EventsConfig;
}

/** How live events reach the streams of this instance (live/, docs/architecture.md). */
export interface EventsConfig {
  /** SQLite: how often the instance looks for new events while it has streams open, in ms. */
  pollMs: number;
  /** PostgreSQL: how often the subscribed chats are checked for events a lost NOTIFY did not announce, in ms. */
  safetyPollMs: number;
  /** How often every open stream's session and access are checked again (in one batch), in ms. */
  accessCheckMs: number;
  /** How long a stream's lease counts toward the user's limit unless its instance renews it, in ms. */
  leaseMs: number;
  /** How often a silent REST stream gets a `: keep-alive` comment, in ms. */
  keepAliveMs: number;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

function describe(variable: string, expected: string, raw: string | undefined): string {
  return `${variable} must be ${expected} (got ${JSON.stringify(raw)})`;
}

function intVar(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(describe(name, `an integer from ${min} to ${max}`, raw));
  }
  return Number(raw);
}

function enumVar<T extends string>(env: NodeJS.ProcessEnv, name: string, values: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(describe(name, `one of ${values.join(", ")}`, raw));
  return raw as T;
}

function originList(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === "") return [];
  return raw.split(",").map((entry) => {
    const value = entry.trim();
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(describe("TRUSTED_ORIGINS", "a comma-separated list of origins such as https://app.example.com", raw));
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || url.origin !== value.replace(/\/$/, "")) {
      throw new ConfigError(describe("TRUSTED_ORIGINS", "a comma-separated list of origins (scheme://host[:port], no path)", raw));
    }
    return url.origin;
  });
}

function databaseUrl(raw: string | undefined): string {
  const value = raw === undefined || raw === "" ? "file:./data/portal.db" : raw;
  const ok =
    (value.startsWith("file:") && value.length > "file:".length) || /^postgres(ql)?:\/\/.+/.test(value);
  if (!ok) throw new ConfigError(describe("DATABASE_URL", "file:<path> for SQLite or postgres://user@host:port/db", raw));
  return value;
}

function redisUrl(raw: string | undefined): string | null {
  if (raw === undefined || raw === "") return null;
  if (!/^rediss?:\/\/.+/.test(raw)) throw new ConfigError(describe("REDIS_URL", "a redis://host:port URL", raw));
  return raw;
}

const hostSchema = z.string().min(1);

export function loadConfig(env: NodeJS.ProcessEnv = process.env, defaults: { webDist?: string | null } = {}): Config {
  const host = env.HOST === undefined || env.HOST === "" ? "127.0.0.1" : env.HOST;
  if (!hostSchema.safeParse(host).success) throw new ConfigError(describe("HOST", "a host name or address", env.HOST));
  return {
    port: intVar(env, "PORT", 3000, 0, 65535),
    host,
    databaseUrl: databaseUrl(env.DATABASE_URL),
    databasePoolSize: intVar(env, "DATABASE_POOL_SIZE", 10, 1, 1000),
    sqliteCacheMb: intVar(env, "SQLITE_CACHE_MB", DEFAULT_SQLITE_CACHE_MB, 1, 16_384),
    dbBusyTimeoutMs: intVar(env, "DB_BUSY_TIMEOUT_MS", DEFAULT_DB_BUSY_TIMEOUT_MS, 0, 600_000),
    demo: enumVar(env, "PORTAL_DEMO", ["0", "1"], "0") === "1",
    trustedOrigins: originList(env.TRUSTED_ORIGINS),
    rateLimits: enumVar(env, "RATE_LIMITS", ["on", "off"], "on") === "on",
    redisUrl: redisUrl(env.REDIS_URL),
    redisPrefix: env.REDIS_PREFIX === undefined || env.REDIS_PREFIX === "" ? "portal:rl:" : env.REDIS_PREFIX,
    logLevel: enumVar(env, "LOG_LEVEL", LOG_LEVELS, "info"),
    trustProxyHops: intVar(env, "TRUST_PROXY", 0, 0, 10),
    webDist: env.WEB_DIST === undefined ? (defaults.webDist ?? null) : env.WEB_DIST === "" ? null : env.WEB_DIST,
    shutdownTimeoutMs: intVar(env, "SHUTDOWN_TIMEOUT_MS", 10_000, 0, 600_000),
    ...connectionBounds(env),
    expirySweepMs: intVar(env, "EXPIRY_SWEEP_MS", 1_000, 10, 3_600_000),
    housekeepingIntervalMs: intVar(env, "HOUSEKEEPING_INTERVAL_MS", 3_600_000, 100, 7 * 86_400_000),
    eventsRetentionDays: intVar(env, "EVENTS_RETENTION_DAYS", EVENTS_RETENTION_DAYS_DEFAULT, 1, 3650),
    events: eventsConfig(env),
  };
}

/** SPEC section 11: live event delivery. */
function eventsConfig(env: NodeJS.ProcessEnv): EventsConfig {
  return {
    pollMs: intVar(env, "EVENTS_POLL_MS", 100, 10, 10_000),
    safetyPollMs: intVar(env, "EVENTS_SAFETY_POLL_MS", 5_000, 100, 600_000),
    accessCheckMs: intVar(env, "EVENTS_ACCESS_CHECK_MS", 5_000, 100, 600_000),
    leaseMs: intVar(env, "EVENTS_LEASE_MS", 45_000, 1_000, 3_600_000),
    keepAliveMs: intVar(env, "EVENTS_KEEPALIVE_MS", EVENT_STREAM_KEEPALIVE_MS, 100, 600_000),
  };
}

/** SPEC section 9, slow or abusive clients. */
function connectionBounds(env: NodeJS.ProcessEnv) {
  const requestTimeoutMs = intVar(env, "REQUEST_TIMEOUT_MS", 30_000, 100, 600_000);
  const headersTimeoutMs = intVar(env, "HEADERS_TIMEOUT_MS", Math.min(10_000, requestTimeoutMs), 100, 600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      describe("HEADERS_TIMEOUT_MS", `at most REQUEST_TIMEOUT_MS (${requestTimeoutMs}): the headers are part of the request`, env.HEADERS_TIMEOUT_MS),
    );
  }
  return {
    requestTimeoutMs,
    headersTimeoutMs,
    keepAliveTimeoutMs: intVar(env, "KEEP_ALIVE_TIMEOUT_MS", 5_000, 100, 600_000),
    maxConnections: intVar(env, "MAX_CONNECTIONS", 10_000, 1, 1_000_000),
  };
}
