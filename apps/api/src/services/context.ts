import type { Kysely } from "kysely";
import { randomInviteCode, randomLoginCode, randomSessionToken } from "./secrets.js";
import type { DB } from "../db/schema.js";
import type { LiveEvents } from "../live/index.js";
import type { Logger } from "../logger.js";

/** What every use case needs; tests pass their own clock and code generator. */
export interface ServiceDeps {
  db: Kysely<DB>;
  /** Epoch milliseconds. */
  now: () => number;
  newInviteCode: () => string;
  newSessionToken: () => string;
  newLoginCode: () => string;
  log: Logger;
  /** Live event delivery of this instance (live/); set by server.ts, absent where nothing streams (the CLI, unit tests). */
  live?: LiveEvents;
}

/** The production wiring: the wall clock and the CSPRNG. */
export function createServiceDeps(db: Kysely<DB>, log: Logger): ServiceDeps {
  return {
    db,
    now: () => Date.now(),
    newInviteCode: randomInviteCode,
    newSessionToken: randomSessionToken,
    newLoginCode: randomLoginCode,
    log,
  };
}
