import { MemoryStore, type IncrementResponse, type Options, type Store } from "express-rate-limit";
import { RedisStore } from "rate-limit-redis";
import { createClient } from "redis";
import { errorFields, type Logger } from "../logger.js";

function redisClient(url: string) {
  return createClient({
    url,
    // A command fails at once while disconnected instead of queueing until Redis is back.
    disableOfflineQueue: true,
    socket: { connectTimeout: 2_000, reconnectStrategy: (retries: number) => Math.min(100 * (retries + 1), 1_000) },
  });
}
type RedisClient = ReturnType<typeof redisClient>;

/** How long one Redis command may take before this request counts in memory instead. */
export const REDIS_COMMAND_TIMEOUT_MS = 250;
/** While Redis is away, how often a connected-but-silent Redis is asked whether it answers again. */
const PROBE_INTERVAL_MS = 1_000;

export const REDIS_AWAY_MESSAGE = "rate limits: Redis unreachable, counting in this process";
export const REDIS_BACK_MESSAGE = "rate limits: Redis is back, counting shared";

/**
 * The rate-limit counts of one process with a Redis behind them (SPEC section 9): counted in Redis
 * while its client is ready, otherwise in this process's memory, so no request ever waits on a
 * Redis that is away (the client is created with `disableOfflineQueue`, so a command fails at once
 * instead of queueing, and every command has a short timeout). Each change is logged once: a
 * warning when Redis cannot be reached (at start, or when it goes away), a line when it is back.
 */
export class SharedRateLimitCounts {
  private shared = false;
  private announcedAway = false;
  private probe: NodeJS.Timeout | null = null;
  private readonly stores = new Set<FallbackStore>();

  /** Starts connecting and returns at once; until Redis is ready, the limits count in memory. */
  static connect(url: string, log: Logger, prefix: string): SharedRateLimitCounts {
    const client = redisClient(url);
    const counts = new SharedRateLimitCounts(client, log, prefix);
    client.connect().catch((error: unknown) => counts.away(error));
    return counts;
  }

  private constructor(
    private readonly client: RedisClient,
    private readonly log: Logger,
    private readonly prefix: string,
  ) {
    client.on("ready", () => this.back());
    client.on("error", (error: unknown) => this.away(error));
    client.on("end", () => this.away(new Error("connection closed")));
  }

  /** A store for one limit, keyed under `<prefix><name>:`. */
  store(name: string): Store {
    const store = new FallbackStore(this, name);
    this.stores.add(store);
    return store;
  }

  get usable(): boolean {
    return this.shared && this.client.isReady;
  }

  /** Redis failed a command or the connection: count in memory until it answers again. */
  away(error: unknown): void {
    this.shared = false;
    if (!this.announcedAway) {
      this.announcedAway = true;
      this.log.warn(REDIS_AWAY_MESSAGE, errorFields(error));
    }
    // A connection that stays open while Redis does not answer never becomes "ready" again: ask it.
    this.probe ??= setInterval(() => {
      if (!this.client.isReady) return;
      this.client.sendCommand(["PING"], { timeout: REDIS_COMMAND_TIMEOUT_MS }).then(
        () => this.back(),
        () => undefined,
      );
    }, PROBE_INTERVAL_MS).unref();
  }

  private back(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
    if (this.shared) return;
    this.shared = true;
    for (const store of this.stores) store.connected();
    if (this.announcedAway) {
      this.announcedAway = false;
      this.log.info(REDIS_BACK_MESSAGE);
    }
  }

  redisStore(name: string): RedisStore {
    return new RedisStore({
      prefix: `${this.prefix}${name}:`,
      sendCommand: (...args: string[]) => this.client.sendCommand(args, { timeout: REDIS_COMMAND_TIMEOUT_MS }),
    });
  }

  /** Stops the probe and closes the client at once (a client that is reconnecting would keep the process alive). */
  async close(): Promise<void> {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
    this.client.removeAllListeners("end");
    if (this.client.isReady) await this.client.close().catch(() => this.client.destroy());
    else if (this.client.isOpen) this.client.destroy();
  }
}

/** One limit's counts: Redis's while it is usable, this process's memory otherwise. */
class FallbackStore implements Store {
  readonly localKeys = false;
  private readonly memory = new MemoryStore();
  private redis: RedisStore | null = null;
  private options: Options | null = null;

  constructor(
    private readonly counts: SharedRateLimitCounts,
    private readonly name: string,
  ) {}

  init(options: Options): void {
    this.options = options;
    this.memory.init(options);
    if (this.counts.usable) this.connected();
  }

  /** (Re)loads the Redis scripts: Redis may have restarted empty, and a load that failed stays failed. */
  connected(): void {
    if (!this.options) return;
    const redis = this.counts.redisStore(this.name);
    redis.init(this.options).catch(() => undefined);
    this.redis = redis;
  }

  private async shared<T>(command: (redis: RedisStore) => Promise<T>, local: () => Promise<T>): Promise<T> {
    const redis = this.redis;
    if (redis && this.counts.usable) {
      try {
        return await command(redis);
      } catch (error) {
        this.counts.away(error);
      }
    }
    return local();
  }

  increment(key: string): Promise<IncrementResponse> {
    return this.shared(
      (redis) => redis.increment(key),
      () => this.memory.increment(key),
    );
  }

  decrement(key: string): Promise<void> {
    return this.shared(
      (redis) => redis.decrement(key),
      () => this.memory.decrement(key),
    );
  }

  resetKey(key: string): Promise<void> {
    return this.shared(
      (redis) => redis.resetKey(key),
      () => this.memory.resetKey(key),
    );
  }

  shutdown(): void {
    this.memory.shutdown();
  }
}
