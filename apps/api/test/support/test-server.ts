import { PermissionLevel, UserState } from "@portal/core";
import { loadConfig, type Config } from "../../src/config.js";
import { openDatabase, type Database } from "../../src/db/database.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { addMember, insertChat, upsertBan } from "../../src/db/repositories/chat.repository.js";
import { insertUser } from "../../src/db/repositories/user.repository.js";
import type { ChatRow, InviteRow, UserRow } from "../../src/db/schema.js";
import { writeTransaction } from "../../src/db/steps.js";
import { createLogger, type Logger } from "../../src/logger.js";
import { startServer, type RunningServer } from "../../src/server.js";
import { startSession } from "../../src/services/auth.service.js";
import { createServiceDeps, type ServiceDeps } from "../../src/services/context.js";
import { createTestDatabase, type BackendName, type TestDatabase } from "./backends.js";

export interface TestServer extends RunningServer {
  backend: BackendName;
  config: Config;
  /** Log lines the server wrote, parsed. */
  logs: Record<string, unknown>[];
  fixtures: Fixtures;
  stop(): Promise<void>;
}

let counter = 0;

/** A real server on an ephemeral port over a fresh database; rate limits off unless asked. */
export async function startTestServer(
  backend: BackendName,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const database: TestDatabase = await createTestDatabase(backend);
  const config = loadConfig({ PORT: "0", RATE_LIMITS: "off", LOG_LEVEL: "info", WEB_DIST: "", DATABASE_URL: database.url, ...env });
  const logs: Record<string, unknown>[] = [];
  const log: Logger = createLogger(config.logLevel, (line) => {
    logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  const running = await startServer(config, log);
  return {
    ...running,
    backend,
    config,
    logs,
    fixtures: new Fixtures(running.deps),
    async stop() {
      await running.close();
      await database.drop();
    },
  };
}

export interface OpenTestDatabase {
  /** The database's DATABASE_URL, for a second connection to it (another instance, as it were). */
  url: string;
  handle: Database;
  deps: ServiceDeps;
  fixtures: Fixtures;
  /** Closes the connection and drops the database. */
  close(): Promise<void>;
}

/**
 * A fresh, migrated database opened in this process, with the production service wiring (logs
 * silent) and fixtures on it: for tests of the data layer and the services without HTTP.
 */
export async function openTestDatabase(backend: BackendName): Promise<OpenTestDatabase> {
  const database = await createTestDatabase(backend);
  const handle = openDatabase(database.url);
  try {
    await migrateToLatest(handle.db);
  } catch (error) {
    await handle.close();
    await database.drop();
    throw error;
  }
  const deps = createServiceDeps(handle.db, createLogger("silent"));
  return {
    url: database.url,
    handle,
    deps,
    fixtures: new Fixtures(deps),
    async close() {
      await handle.close();
      await database.drop();
    },
  };
}

/** Builds the world a test needs through the same repositories and services the app uses. */
export class Fixtures {
  constructor(private readonly deps: ServiceDeps) {}

  private get db() {
    return this.deps.db;
  }

  async user(
    options: { username?: string; level?: PermissionLevel; state?: UserState; timeoutUntil?: number | null } = {},
  ): Promise<UserRow> {
    counter += 1;
    return writeTransaction(this.db, insertUser({
      username: options.username ?? `user${counter}_${Math.random().toString(36).slice(2, 8)}`,
      avatar_url: null,
      permission_level: options.level ?? PermissionLevel.User,
      state: options.state ?? UserState.Active,
      timeout_until: options.timeoutUntil ?? null,
      created_at: Date.now(),
    }));
  }

  async chat(options: {
    owner: UserRow | null;
    visibility?: ChatRow["visibility"];
    archived?: boolean;
    name?: string;
  }): Promise<ChatRow> {
    return writeTransaction(this.db, insertChat({
      name: options.name ?? "Test chat",
      description: null,
      owner_id: options.owner?.id ?? null,
      visibility: options.visibility ?? "public",
      slug: null,
      archived: options.archived ? 1 : 0,
      created_at: Date.now(),
    }));
  }

  /** A session cookie value for the user. */
  async session(user: UserRow): Promise<string> {
    return (await startSession(this.deps, user)).token;
  }

  async member(chat: ChatRow, user: UserRow): Promise<void> {
    await writeTransaction(this.db, addMember({ chat_id: chat.id, user_id: user.id, joined_at: Date.now(), invite_code: null }));
  }

  async ban(chat: ChatRow, user: UserRow, until: number | null): Promise<void> {
    await writeTransaction(this.db, upsertBan({ chat_id: chat.id, user_id: user.id, until, reason: null, created_at: Date.now() }));
  }

  /** An invite written directly, for states the API cannot produce on demand (expired, used up). */
  async invite(chat: ChatRow, creator: UserRow | null, fields: Partial<Omit<InviteRow, "id" | "chat_id">> = {}): Promise<InviteRow> {
    counter += 1;
    return this.db
      .insertInto("invites")
      .values({
        code: fields.code ?? `fixture${counter}${Math.random().toString(36).slice(2, 10)}`,
        chat_id: chat.id,
        created_by_id: creator?.id ?? null,
        created_at: fields.created_at ?? Date.now(),
        expires_at: fields.expires_at ?? null,
        uses: fields.uses ?? 0,
        max_uses: fields.max_uses ?? null,
        revoked_at: fields.revoked_at ?? null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async inviteRow(code: string): Promise<InviteRow | undefined> {
    return this.db.selectFrom("invites").selectAll().where("code", "=", code).executeTakeFirst();
  }

  async countActive(chat: ChatRow): Promise<number> {
    const now = Date.now();
    const rows = await this.db.selectFrom("invites").selectAll().where("chat_id", "=", chat.id).execute();
    return rows.filter(
      (r) => r.revoked_at === null && (r.expires_at === null || r.expires_at > now) && (r.max_uses === null || r.uses < r.max_uses),
    ).length;
  }
}
