/**
 * What the benchmark (`tooling/bench`, the package `@portal/bench`) takes from the api, as the
 * subpath export `@portal/api/bench-support`: the built server it starts, the database as the
 * server opens it, the service wiring, and the prepared queries its raw-SQL floor runs. Nothing
 * else of the api is reachable from the bench, and nothing here is part of the product.
 */
import { fileURLToPath } from "node:url";

/** The built server, as production runs it (`node dist/main.js`): the bench starts it as a process. */
export const SERVER_ENTRY = fileURLToPath(new URL("./main.js", import.meta.url));

export { startWalCheckpointer } from "./db/checkpointer.js";
export { openDatabase, type Database } from "./db/database.js";
export { migrateToLatest } from "./db/migrate.js";
export { insertEvent } from "./db/repositories/event.repository.js";
export { chatWithActiveInviteCount, insertInvite } from "./db/repositories/invite.repository.js";
export { findUserById, insertUser } from "./db/repositories/user.repository.js";
export type { InviteRow } from "./db/schema.js";
export { readSteps, writeTransaction } from "./db/steps.js";
export { createLogger } from "./logger.js";
export { startSession } from "./services/auth.service.js";
export { createServiceDeps } from "./services/context.js";
export { createInvite } from "./services/invite.service.js";
export { toInviteDto } from "./services/mappers.js";
export { randomInviteCode, randomSessionToken, sha256Hex } from "./services/secrets.js";
