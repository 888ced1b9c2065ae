export * from "./permissions.js";
export * from "./account.js";
export * from "./invite.js";
export * from "./idempotency.js";
export * from "./invite-management.js";
