/** How a SQLite file is opened: the settings the guarantees and the speed figures depend on. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SQLITE_CACHE_MB, openDatabase } from "./database.js";

describe("openDatabase on SQLite", () => {
  const dir = mkdtempSync(join(tmpdir(), "portal-open-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("uses WAL, synchronous NORMAL, foreign keys, no blocking busy handler and a 64 MiB page cache", async () => {
    const database = openDatabase(`file:${join(dir, "a.db")}`);
    const sqlite = database.sqlite!;
    try {
      expect(sqlite.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(sqlite.pragma("synchronous", { simple: true })).toBe(1);
      expect(sqlite.pragma("foreign_keys", { simple: true })).toBe(1);
      // The dialect waits for another process's lock off the event loop (sqlite-dialect.ts).
      expect(sqlite.pragma("busy_timeout", { simple: true })).toBe(0);
      expect(DEFAULT_SQLITE_CACHE_MB).toBe(64);
      expect(sqlite.pragma("cache_size", { simple: true })).toBe(-64 * 1024);
    } finally {
      await database.close();
    }
  });

  it("takes the page cache size it is given (SQLITE_CACHE_MB)", async () => {
    const database = openDatabase(`file:${join(dir, "b.db")}`, { sqliteCacheMb: 8 });
    try {
      expect(database.sqlite!.pragma("cache_size", { simple: true })).toBe(-8 * 1024);
    } finally {
      await database.close();
    }
  });
});
