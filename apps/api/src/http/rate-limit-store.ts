import { MemoryStore, type IncrementResponse, type Options, type Store } from "express-rate-limit";
import { RedisStore, type RedisReply } from "rate-limit-redis";
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
  private probing = false;
  private readonly stores = new Set<FallbackStore>();

  /**
   * Starts connecting and waits at most `waitMs` for the first answer (connected, or refused), so
   * that a server whose Redis is up counts shared from its first request; a Redis that is
   * unreachable never holds up the start: the limits count in memory until it is ready.
   */
  static async connect(url: string, log: Logger, prefix: string, waitMs = 1_000): Promise<SharedRateLimitCounts> {
    const client = redisClient(url);
    const counts = new SharedRateLimitCounts(client, log, prefix);
    let timer: NodeJS.Timeout | undefined;
    const settled = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, waitMs);
      client.once("ready", resolve);
      client.once("error", resolve);
    });
    client.connect().catch((error: unknown) => counts.away(error));
    await settled;
    clearTimeout(timer);
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
      if (this.probing) return; // the last PING is still unanswered
      this.probing = true;
      this.send(["PING"]).then(
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
      sendCommand: (...args: string[]) => this.send(args),
    });
  }

  /**
   * A command that answers within REDIS_COMMAND_TIMEOUT_MS or fails. (node-redis's own command
   * timeout stops waiting only for a command not yet written; one written to a Redis that hangs
   * waits for its answer, which is left to settle on its own here.)
   */
  private send(args: string[]): Promise<RedisReply> {
    const reply = this.client.sendCommand(args) as Promise<RedisReply>;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not answer within ${REDIS_COMMAND_TIMEOUT_MS} ms`)), REDIS_COMMAND_TIMEOUT_MS);
    });
    reply.catch(() => undefined).finally(() => {
      clearTimeout(timer);
      if (args[0] === "PING") this.probing = false;
    });
    return Promise.race([reply, timeout]);
  }

  /**
   * Stops the probe and closes the client at once, unanswered commands and all: a graceful close
   * would wait on a Redis that hangs, and a client still reconnecting would keep the process alive.
   */
  close(): Promise<void> {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
    this.client.removeAllListeners("end");
    if (this.client.isOpen) this.client.destroy();
    return Promise.resolve();
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
