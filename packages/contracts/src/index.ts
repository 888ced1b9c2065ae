export * from "./common.js";
export * from "./messages.js";
export * from "./errors.js";
export * from "./invite.js";
export * from "./chat.js";
export * from "./user.js";
export * from "./time.js";
export * from "./patterns.js";
