/**
 * Plain patterns the schemas use, importable without zod (`@portal/contracts/patterns`), so the
 * web app can check a shape without shipping the schema library.
 */

/** An invite code as it may appear in a path: 1–64 letters or digits. */
export const INVITE_CODE_PATTERN = /^[A-Za-z0-9]{1,64}$/;
