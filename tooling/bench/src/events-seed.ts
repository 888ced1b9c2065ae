/**
 * The events benchmarks' databases, the same on SQLite and PostgreSQL (written through the
 * project's own Kysely handle, in batches): the schema from the project's migrations, an owner
 * (a User) with a session, `chats` public chats of the owner with `invitesPerChat` live invites
 * each, and `managers` Mods with sessions. A Mod can act on a User, so every Mod manages every chat
 * (SPEC section 2): that is what lets 100 users hold the 1,000 streams the 10-per-user limit allows.
 */
import { randomBytes } from "node:crypto";
import { INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH } from "@portal/core";
import { migrateToLatest, openDatabase, randomSessionToken, sha256Hex } from "@portal/api/bench-support";

export interface EventsSeedOptions {
  chats: number;
  invitesPerChat: number;
  managers: number;
}

export interface EventsSeed {
  ownerId: number;
  /** The owner's `psession`: the creates are the owner's. */
  ownerToken: string;
  /** Inclusive id range of the chats. */
  poolChats: [number, number];
  /** Manager n's session token is `${managerTokenPrefix}${n}`, n = 0 … managers-1. */
  managerTokenPrefix: string;
  managers: number;
  /** Invites and events with larger ids were made by a run. */
  maxInviteId: number;
  maxEventId: number;
  seconds: number;
}

const DAY = 86_400_000;
const BATCH = 500;

function code(): string {
  const bytes = randomBytes(INVITE_CODE_LENGTH);
  let out = "";
  for (const byte of bytes) out += INVITE_CODE_ALPHABET[byte % INVITE_CODE_ALPHABET.length];
  return out;
}

async function inBatches<T>(rows: T[], write: (batch: T[]) => Promise<unknown>): Promise<void> {
  for (let from = 0; from < rows.length; from += BATCH) await write(rows.slice(from, from + BATCH));
}

export async function seedEvents(url: string, options: EventsSeedOptions): Promise<EventsSeed> {
  const started = performance.now();
  const database = openDatabase(url);
  try {
    const { db } = database;
    await migrateToLatest(db);
    const now = Date.now();
    const owner = await db
      .insertInto("users")
      .values({ username: "bench_owner", avatar_url: null, permission_level: 0, state: 0, timeout_until: null, created_at: now - 400 * DAY })
      .returning("id")
      .executeTakeFirstOrThrow();
    const ownerToken = randomSessionToken();
    await db.insertInto("sessions").values({ token_hash: sha256Hex(ownerToken), user_id: owner.id, created_at: now, expires_at: now + 30 * DAY }).execute();

    const chatRows = Array.from({ length: options.chats }, (_, i) => ({
      name: `Events chat ${i}`,
      description: null,
      owner_id: owner.id,
      visibility: "public" as const,
      slug: null,
      archived: 0,
      created_at: now - 300 * DAY,
    }));
    const chatIds: number[] = [];
    await inBatches(chatRows, async (batch) => {
      const ids = await db.insertInto("chats").values(batch).returning("id").execute();
      chatIds.push(...ids.map((r) => r.id));
    });
    const invites = chatIds.flatMap((chatId) =>
      Array.from({ length: options.invitesPerChat }, (_, k) => ({
        code: code(),
        chat_id: chatId,
        created_by_id: owner.id,
        created_at: now - (k + 1) * DAY,
        expires_at: null,
        uses: 0,
        max_uses: null,
        revoked_at: null,
      })),
    );
    await inBatches(invites, (batch) => db.insertInto("invites").values(batch).execute());

    const managerTokenPrefix = `${randomSessionToken()}-`;
    const managers = Array.from({ length: options.managers }, (_, n) => ({
      username: `bench_mod${n}`,
      avatar_url: null,
      permission_level: 1,
      state: 0,
      timeout_until: null,
      created_at: now - 100 * DAY,
    }));
    const managerIds: number[] = [];
    await inBatches(managers, async (batch) => {
      const ids = await db.insertInto("users").values(batch).returning("id").execute();
      managerIds.push(...ids.map((r) => r.id));
    });
    const sessions = managerIds.map((userId, n) => ({ token_hash: sha256Hex(`${managerTokenPrefix}${n}`), user_id: userId, created_at: now, expires_at: now + 30 * DAY }));
    await inBatches(sessions, (batch) => db.insertInto("sessions").values(batch).execute());

    const [low, high] = [Math.min(...chatIds), Math.max(...chatIds)];
    // The load generator picks a chat as a random id of the range.
    if (high - low + 1 !== chatIds.length) throw new Error(`the seeded chats' ids are not one range (${chatIds.length} chats from ${low} to ${high})`);
    const maxInvite = await db.selectFrom("invites").select((eb) => eb.fn.max("id").as("id")).executeTakeFirst();
    const maxEvent = await db.selectFrom("chat_events").select((eb) => eb.fn.max("id").as("id")).executeTakeFirst();
    database.sqlite?.pragma("wal_checkpoint(TRUNCATE)");
    return {
      ownerId: owner.id,
      ownerToken,
      poolChats: [low, high],
      managerTokenPrefix,
      managers: options.managers,
      maxInviteId: Number(maxInvite?.id ?? 0),
      maxEventId: Number(maxEvent?.id ?? 0),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await database.close();
  }
}
