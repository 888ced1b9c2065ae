/** The WAL checkpoint worker: it checkpoints off the event loop, the WAL stays bounded, it stops cleanly. */
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger, type LogFields } from "../logger.js";
import { startTestServer } from "../../test/support/test-server.js";
import {
  SERVER_AUTOCHECKPOINT_PAGES,
  SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES,
  startWalCheckpointer,
} from "./checkpointer.js";
import { openDatabase } from "./database.js";

function capturingLogger() {
  const lines: (LogFields & { level: string; msg: string })[] = [];
  const log = createLogger("debug", (line) => lines.push(JSON.parse(line) as LogFields & { level: string; msg: string }));
  return { log, lines };
}

describe("WAL checkpoint worker", () => {
  const dir = mkdtempSync(join(tmpdir(), "portal-checkpoint-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("copies the WAL into the database from its own thread and keeps the WAL bounded under steady writes", async () => {
    const path = join(dir, "bounded.db");
    const database = openDatabase(`file:${path}`);
    const sqlite = database.sqlite!;
    const { log } = capturingLogger();
    sqlite.exec("create table blobs (id integer primary key, body blob not null)");
    const insert = sqlite.prepare("insert into blobs (body) values (?)");
    const body = Buffer.alloc(3000, 7);
    const serverAutocheckpointPages = 200;
    const checkpointer = await startWalCheckpointer(sqlite, log, { intervalMs: 2, serverAutocheckpointPages });
    try {
      expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(serverAutocheckpointPages);
      // About 2 pages per commit, 3,000 commits: 6,000 pages through the WAL, 30 times the bound,
      // with the event loop given to the worker's messages now and then, as a server's would be.
      for (let i = 0; i < 3_000; i++) {
        insert.run(body);
        if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 1));
      }
      const stats = await checkpointer.stats();
      expect(stats.passes).toBeGreaterThan(0);
      expect(stats.pagesCopied).toBeGreaterThan(0);
      // Without the WAL starting over it would hold all 6,000 pages (24 MB; 37 MB measured without
      // the server connection's checkpoint); the checkpoint at 200 pages lets it start over, so it
      // stays within a few times that. A start-over waits for the worker's pass to end, so on a
      // loaded machine the WAL runs further past 200 pages first (4.9 MB seen at load average 20):
      // the bound is ten times the checkpoint, still a third of the unbounded size.
      const walBytes = statSync(`${path}-wal`).size;
      const pageSize = sqlite.pragma("page_size", { simple: true }) as number;
      expect(walBytes).toBeLessThan(10 * serverAutocheckpointPages * (pageSize + 24));
      expect(sqlite.prepare("select count(*) from blobs").pluck().get()).toBe(3_000);
    } finally {
      await checkpointer.stop();
      await database.close();
    }
  });

  it("stop() ends the worker and gives the connection SQLite's default checkpoint back", async () => {
    const database = openDatabase(`file:${join(dir, "stop.db")}`);
    const sqlite = database.sqlite!;
    const { log, lines } = capturingLogger();
    const checkpointer = await startWalCheckpointer(sqlite, log);
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(SERVER_AUTOCHECKPOINT_PAGES);
    await checkpointer.stop();
    expect(sqlite.pragma("wal_autocheckpoint", { simple: true })).toBe(SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES);
    // Stopped twice is stopped; its last counts stay readable.
    await checkpointer.stop();
    expect((await checkpointer.stats()).passes).toBeGreaterThan(0);
    expect(lines.filter((l) => l.level === "error")).toEqual([]);
    await database.close();
  });

  it("refuses to start, naming the file, when the worker cannot open it", async () => {
    const path = join(dir, "moved.db");
    const database = openDatabase(`file:${path}`);
    const { log } = capturingLogger();
    renameSync(path, join(dir, "moved-away.db"));
    try {
      await expect(startWalCheckpointer(database.sqlite!, log)).rejects.toThrow(/unable to open|moved\.db|does not exist/);
      expect(database.sqlite!.pragma("wal_autocheckpoint", { simple: true })).toBe(SQLITE_DEFAULT_AUTOCHECKPOINT_PAGES);
    } finally {
      await database.close();
    }
  });

  it("refuses an in-memory database, which has no WAL", async () => {
    const database = openDatabase("file::memory:");
    const { log } = capturingLogger();
    try {
      await expect(startWalCheckpointer(database.sqlite!, log)).rejects.toThrow(/in-memory/);
    } finally {
      await database.close();
    }
  });

  it("runs in a server on SQLite, and its shutdown leaves the database checkpointed and the WAL gone", async () => {
    const server = await startTestServer("sqlite");
    const path = server.database.sqlite!.name;
    expect(server.checkpointer).not.toBeNull();
    expect(server.database.sqlite!.pragma("wal_autocheckpoint", { simple: true })).toBe(SERVER_AUTOCHECKPOINT_PAGES);
    const owner = await server.fixtures.user();
    const chat = await server.fixtures.chat({ owner });
    for (let i = 0; i < 5; i++) await server.fixtures.invite(chat, owner);
    await server.close();
    // Closing the last connection checkpoints and removes the WAL: nothing was left half-copied.
    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = openDatabase(`file:${path}`);
    try {
      expect(reopened.sqlite!.prepare("select count(*) from invites where chat_id = ?").pluck().get(chat.id)).toBe(5);
      expect(reopened.sqlite!.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      await reopened.close();
      await server.stop();
    }
  });

  it("is not started for PostgreSQL", async () => {
    const server = await startTestServer("postgres");
    try {
      expect(server.checkpointer).toBeNull();
    } finally {
      await server.stop();
    }
  });
});
