import type { Kysely } from "kysely";
import pg from "pg";
import {
  EVENTS_CHANNEL,
  lastChatEventId,
  lastEventId,
  lastEventIdsOfChats,
  listChatEventsAfter,
  listEventsAfter,
} from "../db/repositories/event.repository.js";
import type { ChatEventRow, DB } from "../db/schema.js";
import { readSteps } from "../db/steps.js";
import { errorFields, type Logger } from "../logger.js";
import { EventBatch } from "./live-event.js";

/**
 * How this instance learns of new events (SPEC section 11): one feed per process, shared by every
 * stream it serves. A stream subscribes to its chat; the feed reads the event table once per chat
 * (per poll on SQLite) and hands the same batch to every subscriber of the chat, in id order,
 * without gaps: what a subscriber can miss is only what happened before its `ready`, which its
 * own replay from the table covers (docs/architecture.md, "Live events").
 */
export interface ChatSubscriber {
  /** New events of the chat, oldest first; batches come in id order. Must not throw. */
  receive(batch: EventBatch): void;
}

export interface EventFeed {
  /**
   * Registers at once (events from now on are handed to `receive`), then resolves when the feed
   * has a position for the chat: every event of the chat after that position will be delivered,
   * every one up to it was committed before the promise resolved (so a replay read after it sees
   * it). Rejects when the database cannot tell (the subscriber is unregistered then).
   */
  subscribe(chatId: number, subscriber: ChatSubscriber): Promise<() => void>;
  /** Stops reading and listening; subscribers get nothing more. */
  stop(): Promise<void>;
}

export interface FeedOptions {
  db: Kysely<DB>;
  log: Logger;
  /** SQLite: the poll interval while there are subscribers. */
  pollMs: number;
  /** PostgreSQL: the safety poll's interval. */
  safetyPollMs: number;
}

/** Events read per query; a full page is followed by the next at once. */
const PAGE = 500;

/** The LISTEN connection's reconnect delay: from the first to the largest, doubling. */
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;

/** The LISTEN connection's name in pg_stat_activity (operations can tell it from the pool's). */
export const LISTENER_APPLICATION_NAME = "portal-events-listener";

/** The subscribers of each chat. */
class Subscribers {
  readonly byChat = new Map<number, Set<ChatSubscriber>>();

  add(chatId: number, subscriber: ChatSubscriber): Set<ChatSubscriber> {
    let set = this.byChat.get(chatId);
    if (!set) this.byChat.set(chatId, (set = new Set()));
    set.add(subscriber);
    return set;
  }

  /** Answers whether the chat has no subscriber left. */
  remove(chatId: number, subscriber: ChatSubscriber): boolean {
    const set = this.byChat.get(chatId);
    if (!set) return true;
    set.delete(subscriber);
    if (set.size > 0) return false;
    this.byChat.delete(chatId);
    return true;
  }
}

/** Hands one batch to every subscriber of its chat (a copy of the set: a subscriber may leave meanwhile). */
function deliver(set: ReadonlySet<ChatSubscriber>, batch: EventBatch, log: Logger): void {
  for (const subscriber of [...set]) {
    try {
      subscriber.receive(batch);
    } catch (error) {
      log.error("event delivery to a stream failed", errorFields(error));
    }
  }
}

/** Logs the first failure of a streak as a warning and the recovery, not every retry. */
class FailureLog {
  #failing = false;
  constructor(
    private readonly log: Logger,
    private readonly what: string,
  ) {}

  failed(error: unknown): void {
    if (this.#failing) return;
    this.#failing = true;
    this.log.warn(`${this.what} failed; retrying`, errorFields(error));
  }

  succeeded(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.log.info(`${this.what} works again`);
  }
}

/**
 * SQLite: ids are in commit order over the whole file (writers take turns), so one cursor over
 * every chat does: each `pollMs`, while anyone is subscribed, the events after it. Several
 * processes on one file each poll for themselves; the query is a range of the primary key.
 */
export class SqlitePollingFeed implements EventFeed {
  readonly #subscribers = new Subscribers();
  #cursor: number | null = null;
  #starting: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #polling = false;
  #stopped = false;
  readonly #failures: FailureLog;

  constructor(private readonly options: FeedOptions) {
    this.#failures = new FailureLog(options.log, "reading new events");
  }

  async subscribe(chatId: number, subscriber: ChatSubscriber): Promise<() => void> {
    this.#subscribers.add(chatId, subscriber);
    const unsubscribe = () => void this.#subscribers.remove(chatId, subscriber);
    try {
      await this.#start();
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  /** The cursor: the newest event id when polling starts (a subscriber replays what is before it). */
  #start(): Promise<void> {
    if (this.#stopped) return Promise.reject(new Error("the event feed is stopped"));
    if (this.#cursor !== null) return Promise.resolve();
    this.#starting ??= readSteps(this.options.db, lastEventId())
      .then((id) => {
        this.#cursor = id;
        this.#schedule();
      })
      .finally(() => {
        this.#starting = null;
      });
    return this.#starting;
  }

  #schedule(): void {
    if (this.#timer || this.#polling || this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#poll();
    }, this.options.pollMs);
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    try {
      for (;;) {
        if (this.#subscribers.byChat.size === 0 || this.#cursor === null || this.#stopped) break;
        const rows = await readSteps(this.options.db, listEventsAfter(this.#cursor, PAGE));
        if (this.#stopped) break;
        this.#deliver(rows);
        if (rows.length < PAGE) break;
      }
      this.#failures.succeeded();
    } catch (error) {
      this.#failures.failed(error);
    } finally {
      this.#polling = false;
      // Nobody left: stop, and start from the newest event again when someone subscribes.
      if (this.#subscribers.byChat.size === 0) this.#cursor = null;
      else this.#schedule();
    }
  }

  #deliver(rows: readonly ChatEventRow[]): void {
    if (rows.length === 0) return;
    this.#cursor = rows[rows.length - 1]!.id;
    const byChat = new Map<number, ChatEventRow[]>();
    for (const row of rows) {
      if (!this.#subscribers.byChat.has(row.chat_id)) continue;
      let list = byChat.get(row.chat_id);
      if (!list) byChat.set(row.chat_id, (list = []));
      list.push(row);
    }
    for (const [chatId, list] of byChat) {
      const set = this.#subscribers.byChat.get(chatId);
      if (set) deliver(set, EventBatch.ofRows(list), this.options.log);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#subscribers.byChat.clear();
  }
}

/** A subscribed chat on PostgreSQL: its own cursor, and at most one read of it at a time. */
interface PgChannel {
  chatId: number;
  subscribers: Set<ChatSubscriber>;
  /** Every event of the chat up to this id was delivered (or precedes every subscriber); null until known. */
  cursor: number | null;
  ready: Promise<void>;
  reading: boolean;
  /** Something may have been committed since the read in progress started: read again after it. */
  again: boolean;
}

export interface PostgresFeedOptions extends FeedOptions {
  databaseUrl: string;
}

/**
 * PostgreSQL: ids are in commit order within a chat only (each chat's events are inserted under a
 * lock of the chat, taken last), so each subscribed chat has its own cursor. One connection per
 * instance LISTENs on EVENTS_CHANNEL; a notification (payload: the chat id, sent at the commit)
 * wakes one read of that chat's events after its cursor, whatever the number of its subscribers.
 * The notification is only the wake-up; the table is the record: after the LISTEN connection is
 * lost and made again, every subscribed chat is read from its cursor (what was committed while it
 * was down), and a slow safety poll asks for the newest id of every subscribed chat in one query
 * (what a notification that never came would have announced).
 */
export class PostgresListenFeed implements EventFeed {
  readonly #channels = new Map<number, PgChannel>();
  #client: pg.Client | null = null;
  #connecting = false;
  #reconnectTimer: NodeJS.Timeout | null = null;
  #reconnectDelayMs = RECONNECT_FIRST_MS;
  /** The LISTEN connection was up once and then lost: say so when it is back. */
  #lost = false;
  #safetyTimer: NodeJS.Timeout | null = null;
  #stopped = false;
  readonly #failures: FailureLog;
  readonly #safetyFailures: FailureLog;

  constructor(private readonly options: PostgresFeedOptions) {
    this.#failures = new FailureLog(options.log, "reading a chat's new events");
    this.#safetyFailures = new FailureLog(options.log, "the event safety poll");
  }

  async subscribe(chatId: number, subscriber: ChatSubscriber): Promise<() => void> {
    if (this.#stopped) throw new Error("the event feed is stopped");
    this.#startListening();
    let channel = this.#channels.get(chatId);
    if (!channel) {
      channel = { chatId, subscribers: new Set(), cursor: null, ready: Promise.resolve(), reading: false, again: false };
      channel.ready = this.#position(channel);
      this.#channels.set(chatId, channel);
      this.#scheduleSafetyPoll();
    }
    channel.subscribers.add(subscriber);
    const owner = channel;
    const unsubscribe = () => {
      owner.subscribers.delete(subscriber);
      if (owner.subscribers.size === 0 && this.#channels.get(chatId) === owner) this.#channels.delete(chatId);
    };
    try {
      await owner.ready;
    } catch (error) {
      unsubscribe();
      throw error;
    }
    return unsubscribe;
  }

  /** The chat's newest event id is where its cursor starts; a channel whose start failed is dropped. */
  async #position(channel: PgChannel): Promise<void> {
    try {
      channel.cursor = await readSteps(this.options.db, lastChatEventId(channel.chatId));
    } catch (error) {
      if (this.#channels.get(channel.chatId) === channel) this.#channels.delete(channel.chatId);
      throw error;
    }
    if (channel.again) this.#read(channel);
  }

  /** Reads the chat's events after its cursor, now or (one read at a time) right after the current one. */
  #read(channel: PgChannel): void {
    if (channel.cursor === null || channel.reading) {
      channel.again = true;
      return;
    }
    channel.reading = true;
    channel.again = false;
    void this.#readAll(channel).finally(() => {
      channel.reading = false;
      if (channel.again && !this.#stopped && this.#channels.get(channel.chatId) === channel) this.#read(channel);
    });
  }

  async #readAll(channel: PgChannel): Promise<void> {
    try {
      for (;;) {
        const rows = await readSteps(this.options.db, listChatEventsAfter(channel.chatId, channel.cursor!, PAGE));
        if (this.#stopped || this.#channels.get(channel.chatId) !== channel) return;
        if (rows.length > 0) {
          channel.cursor = rows[rows.length - 1]!.id;
          deliver(channel.subscribers, EventBatch.ofRows(rows), this.options.log);
        }
        if (rows.length < PAGE) break;
      }
      this.#failures.succeeded();
    } catch (error) {
      // Not read again at once (the database may be away): the safety poll tries again.
      this.#failures.failed(error);
    }
  }

  #scheduleSafetyPoll(): void {
    if (this.#safetyTimer || this.#stopped || this.#channels.size === 0) return;
    this.#safetyTimer = setTimeout(() => {
      this.#safetyTimer = null;
      void this.#safetyPoll().finally(() => this.#scheduleSafetyPoll());
    }, this.options.safetyPollMs);
    this.#safetyTimer.unref();
  }

  async #safetyPoll(): Promise<void> {
    const channels = [...this.#channels.values()].filter((channel) => channel.cursor !== null);
    if (channels.length === 0) return;
    try {
      const newest = await readSteps(this.options.db, lastEventIdsOfChats(channels.map((channel) => channel.chatId)));
      for (const channel of channels) {
        if ((newest.get(channel.chatId) ?? 0) > channel.cursor! && this.#channels.get(channel.chatId) === channel) this.#read(channel);
      }
      this.#safetyFailures.succeeded();
    } catch (error) {
      this.#safetyFailures.failed(error);
    }
  }

  /** Opens the LISTEN connection unless it is open or being opened. */
  #startListening(): void {
    if (this.#client || this.#connecting || this.#reconnectTimer || this.#stopped) return;
    this.#connecting = true;
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      keepAlive: true,
      connectionTimeoutMillis: 10_000,
      application_name: LISTENER_APPLICATION_NAME,
    });
    let gone = false;
    const lost = (error?: Error) => {
      if (gone) return;
      gone = true;
      void client.end().catch(() => undefined);
      if (this.#client === client) this.#client = null;
      this.#connecting = false;
      if (this.#stopped) return;
      if (!this.#lost) {
        this.#lost = true;
        this.options.log.warn("event listener connection lost; reconnecting", error ? errorFields(error) : {});
      }
      this.#reconnectTimer = setTimeout(() => {
        this.#reconnectTimer = null;
        this.#startListening();
      }, this.#reconnectDelayMs);
      this.#reconnectTimer.unref();
      this.#reconnectDelayMs = Math.min(this.#reconnectDelayMs * 2, RECONNECT_MAX_MS);
    };
    client.on("error", lost);
    client.on("end", () => lost());
    client.on("notification", (message) => {
      if (message.channel !== EVENTS_CHANNEL) return;
      const channel = this.#channels.get(Number(message.payload));
      if (channel) this.#read(channel);
    });
    client
      .connect()
      .then(() => client.query(`LISTEN ${EVENTS_CHANNEL}`))
      .then(() => {
        if (gone) return;
        this.#connecting = false;
        if (this.#stopped) {
          void client.end().catch(() => undefined);
          return;
        }
        this.#client = client;
        this.#reconnectDelayMs = RECONNECT_FIRST_MS;
        if (this.#lost) {
          this.#lost = false;
          this.options.log.info("event listener reconnected: catching up every subscribed chat", { chats: this.#channels.size });
        }
        // What was committed before LISTEN took effect announced itself to nobody: read every chat.
        for (const channel of this.#channels.values()) this.#read(channel);
      })
      .catch((error: unknown) => lost(error instanceof Error ? error : new Error(String(error))));
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    if (this.#safetyTimer) clearTimeout(this.#safetyTimer);
    this.#reconnectTimer = null;
    this.#safetyTimer = null;
    this.#channels.clear();
    const client = this.#client;
    this.#client = null;
    if (client) await client.end().catch(() => undefined);
  }
}
