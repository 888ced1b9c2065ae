/**
 * The benchmark's databases, written fast: the schema comes from the project's own migrations,
 * the owner and the owner's session from its own repositories and services, and the bulk (chats,
 * joiners, a million invites) from prepared better-sqlite3 statements in large transactions.
 */
import { randomBytes } from "node:crypto";
import { INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH } from "@portal/core";
import {
  createLogger,
  createServiceDeps,
  insertUser,
  writeTransaction,
  migrateToLatest,
  openDatabase,
  randomSessionToken,
  sha256Hex,
  startSession,
} from "@portal/api/bench-support";

export interface BaseSeedOptions {
  /** Chats the creates and lists pick from at random. */
  poolChats: number;
  /** Active invites every pool chat starts with (what a list returns). */
  activePerPoolChat: number;
  /** Users, each with a session, who join one after the other. */
  joiners: number;
}

export interface SeedInfo {
  ownerId: number;
  /** The owner's `psession` value; the owner manages every chat of the benchmark. */
  ownerToken: string;
  /** Inclusive id range of the pool chats. */
  poolChats: [number, number];
  /** The chat that is full (20 active invites) and, at scale, carries 100,000 dead ones. */
  busyChatId: number;
  /** The chat the joins go to, and the unlimited invite they use. */
  joinChatId: number;
  joinCode: string;
  /** Joiner n's session token is `${joinerTokenPrefix}${n}`, n = 0 … joiners-1. */
  joinerTokenPrefix: string;
  joiners: number;
  /** Invites with a larger id were created by a run and are deleted between runs. */
  maxInviteId: number;
  seconds: number;
}

const DAY = 86_400_000;

/** Random invite-shaped codes, fast: one random buffer per batch (bias does not matter for seed data). */
function codeMaker(): () => string {
  const size = INVITE_CODE_ALPHABET.length;
  let buffer = randomBytes(0);
  let offset = 0;
  return () => {
    if (offset + INVITE_CODE_LENGTH > buffer.length) {
      buffer = randomBytes(INVITE_CODE_LENGTH * 65_536);
      offset = 0;
    }
    let code = "";
    for (let i = 0; i < INVITE_CODE_LENGTH; i++) code += INVITE_CODE_ALPHABET[buffer[offset + i]! % size];
    offset += INVITE_CODE_LENGTH;
    return code;
  };
}

const INSERT_INVITE =
  "insert into invites (code, chat_id, created_by_id, created_at, expires_at, uses, max_uses, revoked_at) values (?, ?, ?, ?, ?, ?, ?, ?)";

/**
 * The database every figure is measured on first ("empty": no invite history): the owner with a
 * session, `poolChats` private chats with `activePerPoolChat` live invites each, the busy chat with
 * 20 live invites (full), the join chat with one unlimited invite, and `joiners` users with sessions.
 */
export async function seedBase(path: string, options: BaseSeedOptions): Promise<SeedInfo> {
  const started = performance.now();
  const database = openDatabase(`file:${path}`);
  try {
    await migrateToLatest(database.db);
    const sqlite = database.sqlite!;
    const deps = createServiceDeps(database.db, createLogger("silent"));
    const now = Date.now();
    const owner = await writeTransaction(database.db, insertUser({
      username: "bench_owner",
      avatar_url: null,
      permission_level: 0,
      state: 0,
      timeout_until: null,
      created_at: now - 400 * DAY,
    }));
    const ownerToken = (await startSession(deps, owner)).token;
    const code = codeMaker();

    const insertChat = sqlite.prepare(
      "insert into chats (name, description, owner_id, visibility, slug, archived, created_at) values (?, null, ?, ?, null, 0, ?)",
    );
    const insertInvite = sqlite.prepare(INSERT_INVITE);
    const insertUserRow = sqlite.prepare(
      "insert into users (username, avatar_url, permission_level, state, timeout_until, created_at) values (?, null, 0, 0, null, ?)",
    );
    const insertSession = sqlite.prepare("insert into sessions (token_hash, user_id, created_at, expires_at) values (?, ?, ?, ?)");
    const joinerTokenPrefix = `${randomSessionToken()}-`;

    let poolLow = 0;
    let poolHigh = 0;
    let busyChatId = 0;
    let joinChatId = 0;
    let joinCode = "";
    sqlite.transaction(() => {
      for (let i = 0; i < options.poolChats; i++) {
        const id = Number(insertChat.run(`Pool chat ${i}`, owner.id, "private", now - 300 * DAY).lastInsertRowid);
        if (i === 0) poolLow = id;
        poolHigh = id;
        for (let k = 0; k < options.activePerPoolChat; k++) {
          const created = now - (k + 1) * DAY;
          // A mix of live invites: unlimited, limited with uses left, expiring in the future.
          insertInvite.run(code(), id, owner.id, created, k % 3 === 2 ? now + 30 * DAY : null, k % 3 === 1 ? 3 : 0, k % 3 === 1 ? 100 : null, null);
        }
      }
      busyChatId = Number(insertChat.run("Busy chat", owner.id, "public", now - 300 * DAY).lastInsertRowid);
      for (let k = 0; k < 20; k++) insertInvite.run(code(), busyChatId, owner.id, now - (k + 1) * 3_600_000, null, 0, null, null);
      joinChatId = Number(insertChat.run("Join chat", owner.id, "public", now - 300 * DAY).lastInsertRowid);
      joinCode = code();
      insertInvite.run(joinCode, joinChatId, owner.id, now - DAY, null, 0, null, null);
    })();

    const batch = 50_000;
    for (let from = 0; from < options.joiners; from += batch) {
      sqlite.transaction(() => {
        for (let n = from; n < Math.min(from + batch, options.joiners); n++) {
          const userId = Number(insertUserRow.run(`joiner${n}`, now - 100 * DAY).lastInsertRowid);
          insertSession.run(sha256Hex(`${joinerTokenPrefix}${n}`), userId, now, now + 30 * DAY);
        }
      })();
    }
    const maxInviteId = Number(sqlite.prepare("select max(id) from invites").pluck().get());
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    return {
      ownerId: owner.id,
      ownerToken,
      poolChats: [poolLow, poolHigh],
      busyChatId,
      joinChatId,
      joinCode,
      joinerTokenPrefix,
      joiners: options.joiners,
      maxInviteId,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await database.close();
  }
}

export interface ScaleSeedOptions {
  /** Dead invites spread evenly over the pool chats. */
  poolDeadInvites: number;
  /** Dead invites on the busy chat. */
  busyDeadInvites: number;
}

/**
 * Turns a copy of the base database into the large one: dead invites (expired, used up and revoked,
 * in equal shares, created over the past year) over the pool chats and on the busy chat. The live
 * invites stay exactly those of the base, so every request answers the same on both databases and
 * only the history differs.
 */
export async function seedScale(path: string, seed: SeedInfo, options: ScaleSeedOptions): Promise<{ seconds: number; maxInviteId: number; invites: number }> {
  const started = performance.now();
  const database = openDatabase(`file:${path}`);
  try {
    const sqlite = database.sqlite!;
    // Seeding only: a large page cache keeps the random inserts into the code index off the disk.
    sqlite.pragma("cache_size = -262144");
    const insertInvite = sqlite.prepare(INSERT_INVITE);
    const code = codeMaker();
    const now = Date.now();
    const [low, high] = seed.poolChats;
    const poolCount = high - low + 1;
    const dead = (chatId: number, n: number) => {
      const created = now - 2 * DAY - ((n * 7919) % (365 * 24)) * 3_600_000;
      switch (n % 3) {
        case 0: // expired
          insertInvite.run(code(), chatId, seed.ownerId, created, created + DAY, n % 5, null, null);
          break;
        case 1: { // used up
          const max = 1 + (n % 10);
          insertInvite.run(code(), chatId, seed.ownerId, created, null, max, max, null);
          break;
        }
        default: // revoked
          insertInvite.run(code(), chatId, seed.ownerId, created, n % 2 === 0 ? null : created + 30 * DAY, n % 4, n % 2 === 0 ? null : 50, created + DAY);
      }
    };
    const batch = 100_000;
    for (let from = 0; from < options.poolDeadInvites; from += batch) {
      sqlite.transaction(() => {
        for (let n = from; n < Math.min(from + batch, options.poolDeadInvites); n++) dead(low + (n % poolCount), n);
      })();
    }
    for (let from = 0; from < options.busyDeadInvites; from += batch) {
      sqlite.transaction(() => {
        for (let n = from; n < Math.min(from + batch, options.busyDeadInvites); n++) dead(seed.busyChatId, n);
      })();
    }
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
    const maxInviteId = Number(sqlite.prepare("select max(id) from invites").pluck().get());
    const invites = Number(sqlite.prepare("select count(*) from invites").pluck().get());
    return { seconds: (performance.now() - started) / 1000, maxInviteId, invites };
  } finally {
    await database.close();
  }
}
