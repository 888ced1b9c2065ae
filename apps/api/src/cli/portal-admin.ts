#!/usr/bin/env node
import { parseArgs, type ParseArgsConfig } from "node:util";
import { PERMISSION_LEVEL_NAMES } from "@portal/core";
import { loadConfig, ConfigError } from "../config.js";
import { openDatabase, type Database } from "../db/database.js";
import { migrateToLatest } from "../db/migrate.js";
import { createLogger } from "../logger.js";
import {
  archiveChat,
  banUser,
  createChat,
  createSessionFor,
  createUser,
  DEFAULT_PURGE_AGE_DAYS,
  deleteUser,
  mintLoginCode,
  purgeInvites,
  setUserLevel,
  setUserState,
  unbanUser,
} from "../services/admin.service.js";
import { createServiceDeps, type ServiceDeps } from "../services/context.js";
import { AppError } from "../services/errors.js";

/*
 * `portal-admin`: the operator's CLI (SPEC section 8). Argument parsing and printing only; every
 * rule lives in services/admin.service.ts.
 */

const PROGRAM = "portal-admin";

/** A mistake in the command line itself: shown with a pointer to --help. */
class UsageError extends Error {
  override readonly name = "UsageError";
}

type Values = Partial<Record<OptionName, string>>;

interface Output {
  json: object;
  text: string;
}

interface Command {
  usage: string;
  /** Options this command takes; `--json` and `--help` go with every command. */
  options: readonly OptionName[];
  required: readonly OptionName[];
  run(ctx: { deps: ServiceDeps; migrated: string[] }, values: Values): Promise<Output>;
}

const OPTIONS = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
  username: { type: "string" },
  user: { type: "string" },
  level: { type: "string" },
  state: { type: "string" },
  until: { type: "string" },
  name: { type: "string" },
  visibility: { type: "string" },
  owner: { type: "string" },
  description: { type: "string" },
  slug: { type: "string" },
  chat: { type: "string" },
  reason: { type: "string" },
  "older-than-days": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

type OptionName = Exclude<keyof typeof OPTIONS, "json" | "help">;

/** `values` after the `required` check: the option is there. */
function req(values: Values, name: OptionName): string {
  const value = values[name];
  if (value === undefined) throw new Error(`--${name} was not checked`);
  return value;
}

function chatIdOption(values: Values): number {
  const raw = req(values, "chat");
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < 1) {
    throw new UsageError(`--chat must be a chat id, a positive integer (got '${raw}')`);
  }
  return Number(raw);
}

function daysOption(values: Values): number | undefined {
  const raw = values["older-than-days"];
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`--older-than-days must be a whole number of days, 0 or more (got '${raw}')`);
  }
  return Number(raw);
}

const levelName = (level: number): string => PERMISSION_LEVEL_NAMES[level] ?? String(level);

const COMMANDS: Record<string, Command> = {
  migrate: {
    usage: "migrate",
    options: [],
    required: [],
    async run({ migrated }) {
      return {
        json: { migrated },
        text: migrated.length === 0 ? "database is up to date" : `applied migrations: ${migrated.join(", ")}`,
      };
    },
  },
  "user create": {
    usage: "user create --username U [--level user|mod|admin|owner]",
    options: ["username", "level"],
    required: ["username"],
    async run({ deps }, values) {
      const user = await createUser(deps, { username: req(values, "username"), level: values.level });
      return { json: user, text: `created user ${user.username} (id ${user.id}, level ${levelName(user.permission_level)})` };
    },
  },
  "user set-level": {
    usage: "user set-level --user U --level user|mod|admin|owner",
    options: ["user", "level"],
    required: ["user", "level"],
    async run({ deps }, values) {
      const { user, changed } = await setUserLevel(deps, { user: req(values, "user"), level: req(values, "level") });
      const who = `user ${user.username} (id ${user.id})`;
      return {
        json: user,
        text: changed
          ? `${who} is now level ${levelName(user.permission_level)}; their sessions were ended`
          : `${who} already has level ${levelName(user.permission_level)}; nothing changed`,
      };
    },
  },
  "user set-state": {
    usage: "user set-state --user U --state active|timeout|banned [--until ISO]",
    options: ["user", "state", "until"],
    required: ["user", "state"],
    async run({ deps }, values) {
      const user = await setUserState(deps, { user: req(values, "user"), state: req(values, "state"), until: values.until });
      const until = user.timeout_until === null ? "" : ` until ${user.timeout_until}`;
      return { json: user, text: `user ${user.username} (id ${user.id}) is now ${req(values, "state")}${until}` };
    },
  },
  "user delete": {
    usage: "user delete --user U",
    options: ["user"],
    required: ["user"],
    async run({ deps }, values) {
      const result = await deleteUser(deps, { user: req(values, "user") });
      return { json: result, text: `deleted user ${req(values, "user")} (id ${result.deleted})` };
    },
  },
  "chat create": {
    usage: "chat create --name N --visibility private|public|official [--owner U] [--description D] [--slug S]",
    options: ["name", "visibility", "owner", "description", "slug"],
    required: ["name", "visibility"],
    async run({ deps }, values) {
      const chat = await createChat(deps, {
        name: req(values, "name"),
        visibility: req(values, "visibility"),
        owner: values.owner,
        description: values.description,
        slug: values.slug,
      });
      const owner = chat.owner_id === null ? "no owner" : `owner id ${chat.owner_id}`;
      return { json: chat, text: `created ${chat.visibility} chat '${chat.name}' (id ${chat.id}, ${owner})` };
    },
  },
  "chat archive": {
    usage: "chat archive --chat ID",
    options: ["chat"],
    required: ["chat"],
    async run({ deps }, values) {
      const chat = await archiveChat(deps, { chatId: chatIdOption(values) });
      return { json: chat, text: `archived chat '${chat.name}' (id ${chat.id})` };
    },
  },
  "chat ban": {
    usage: "chat ban --chat ID --user U [--until ISO] [--reason R]",
    options: ["chat", "user", "until", "reason"],
    required: ["chat", "user"],
    async run({ deps }, values) {
      const ban = await banUser(deps, {
        chatId: chatIdOption(values),
        user: req(values, "user"),
        until: values.until,
        reason: values.reason,
      });
      const until = ban.until === null ? "permanently" : `until ${ban.until}`;
      return { json: ban, text: `banned user ${req(values, "user")} (id ${ban.user_id}) from chat ${ban.chat_id} ${until}` };
    },
  },
  "chat unban": {
    usage: "chat unban --chat ID --user U",
    options: ["chat", "user"],
    required: ["chat", "user"],
    async run({ deps }, values) {
      const result = await unbanUser(deps, { chatId: chatIdOption(values), user: req(values, "user") });
      return { json: result, text: `unbanned user ${req(values, "user")} (id ${result.user_id}) from chat ${result.chat_id}` };
    },
  },
  "session create": {
    usage: "session create --user U",
    options: ["user"],
    required: ["user"],
    async run({ deps }, values) {
      const session = await createSessionFor(deps, { user: req(values, "user") });
      return {
        json: session,
        text: `psession token for user id ${session.user_id} (expires ${session.expires_at}): ${session.token}`,
      };
    },
  },
  "login-code": {
    usage: "login-code --user U",
    options: ["user"],
    required: ["user"],
    async run({ deps }, values) {
      const login = await mintLoginCode(deps, { user: req(values, "user") });
      return { json: login, text: `login code for ${req(values, "user")}: ${login.code} (single use, expires ${login.expires_at})` };
    },
  },
  "invites purge": {
    usage: `invites purge [--older-than-days N]   (default ${DEFAULT_PURGE_AGE_DAYS})`,
    options: ["older-than-days"],
    required: [],
    async run({ deps }, values) {
      const days = daysOption(values);
      const result = await purgeInvites(deps, { olderThanDays: days });
      return {
        json: result,
        text:
          `purged ${result.purged} revoked, expired or used-up invites older than ${days ?? DEFAULT_PURGE_AGE_DAYS} days, ` +
          `and ${result.idempotency_keys_purged} Idempotency-Key answers past their 24 hours`,
      };
    },
  },
};

/** Words that take a subcommand: `user`, `chat`, `session`, `invites`. */
const GROUPS = new Set(Object.keys(COMMANDS).flatMap((name) => name.split(" ").slice(0, -1)));

const USAGE = `Usage: ${PROGRAM} <command> [options] [--json]

Works on the database named by DATABASE_URL (default file:./data/portal.db); brings it to the
latest schema first. --user U takes a username or a numeric user id. Times (ISO) are ISO 8601
with a UTC offset, such as 2026-05-01T00:00:00Z.

Commands:
${Object.values(COMMANDS)
  .map((command) => `  ${PROGRAM} ${command.usage}`)
  .join("\n")}

Options:
  --json      print exactly one JSON object on stdout
  -h, --help  show this help
`;

interface Invocation {
  command: Command;
  values: Values;
  json: boolean;
}

function parseOptions(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // node:util's wording is long ("…place it at the end of the command after '--'…"); keep what matters.
    const unknown = /^Unknown option '([^']+)'/.exec(message);
    if (unknown) throw new UsageError(`unknown option '${unknown[1]}'`);
    const missing = /^Option '(\S+)(?: <value>)?' argument missing/.exec(message);
    if (missing) throw new UsageError(`${missing[1]} needs a value`);
    const ambiguous = /^Option '(\S+)' argument is ambiguous/.exec(message);
    if (ambiguous) throw new UsageError(`${ambiguous[1]} needs a value (for one that starts with a dash, write ${ambiguous[1]}=-value)`);
    throw new UsageError(message);
  }
}

/** What to run, or null for --help; throws UsageError for anything it cannot make sense of. */
function parseInvocation(argv: string[]): Invocation | null {
  const { values, positionals } = parseOptions(argv);
  if (values.help) return null;
  const [first, second, ...rest] = positionals;
  if (first === undefined) throw new UsageError("no command given");
  const isGroup = GROUPS.has(first);
  const name = isGroup && second !== undefined ? `${first} ${second}` : first;
  const command = COMMANDS[name];
  if (!command) {
    if (isGroup) {
      const subcommands = Object.keys(COMMANDS)
        .filter((key) => key.startsWith(`${first} `))
        .map((key) => key.slice(first.length + 1));
      const got = second === undefined ? "nothing" : `'${second}'`;
      throw new UsageError(`'${first}' needs one of ${subcommands.join(", ")} (got ${got})`);
    }
    throw new UsageError(`unknown command '${first}'`);
  }
  const extra = isGroup ? rest : [second, ...rest].filter((p) => p !== undefined);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}' after '${name}'`);

  const given: Values = {};
  for (const [key, value] of Object.entries(values)) {
    if (key === "json" || key === "help") continue;
    const option = key as OptionName;
    if (!command.options.includes(option)) {
      throw new UsageError(`'${name}' takes no --${option}: ${PROGRAM} ${command.usage}`);
    }
    given[option] = value as string;
  }
  const missing = command.required.find((option) => given[option] === undefined);
  if (missing) throw new UsageError(`'${name}' needs --${missing}: ${PROGRAM} ${command.usage}`);
  return { command, values: given, json: values.json === true };
}

/** The database could not be opened or migrated: most often DATABASE_URL names the wrong thing. */
class DatabaseUnavailable extends Error {
  override readonly name = "DatabaseUnavailable";
  constructor(cause: unknown) {
    // Never the URL itself: a PostgreSQL URL may carry a password.
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`cannot use the database that DATABASE_URL names (check it): ${reason}`, { cause });
  }
}

async function execute(invocation: Invocation): Promise<Output> {
  const config = loadConfig();
  let database: Database;
  try {
    database = openDatabase(config.databaseUrl, {
      poolSize: config.databasePoolSize,
      sqliteCacheMb: config.sqliteCacheMb,
      busyTimeoutMs: config.dbBusyTimeoutMs,
    });
  } catch (error) {
    throw new DatabaseUnavailable(error);
  }
  try {
    const migrated = await migrateToLatest(database.db).catch((error: unknown) => {
      throw new DatabaseUnavailable(error);
    });
    const deps = createServiceDeps(database.db, createLogger("silent"));
    return await invocation.command.run({ deps, migrated }, invocation.values);
  } finally {
    await database.close();
  }
}

function failureMessage(error: unknown): string {
  if (error instanceof UsageError) return `${error.message} (run ${PROGRAM} --help for usage)`;
  if (error instanceof AppError || error instanceof ConfigError || error instanceof DatabaseUnavailable) return error.message;
  // Not a mistake of the operator's (the database is unreachable, a migration failed…): still one line.
  if (error instanceof Error) return `unexpected ${error.name}: ${error.message}`;
  return `unexpected error: ${String(error)}`;
}

async function main(argv: string[]): Promise<number> {
  try {
    const invocation = parseInvocation(argv);
    if (invocation === null) {
      process.stdout.write(USAGE);
      return 0;
    }
    const output = await execute(invocation);
    process.stdout.write(`${invocation.json ? JSON.stringify(output.json) : output.text}\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`${PROGRAM}: ${failureMessage(error).replace(/\s*\n\s*/g, " ")}\n`);
    return 1;
  }
}

// exitCode rather than process.exit(): stdout is flushed before the process ends.
process.exitCode = await main(process.argv.slice(2));
