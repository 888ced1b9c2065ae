/**
 * Several processes opening one brand-new SQLite file at once (servers started together on a fresh
 * database, issue 18): the switch to WAL waits for another process's lock instead of failing.
 * SQLite itself answers that switch SQLITE_BUSY at once, whatever the busy timeout.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "./database.js";

const API_DIR = fileURLToPath(new URL("../..", import.meta.url));

/**
 * Another process that creates the file in rollback mode (as the first of several servers does
 * before it switches) and holds its write lock for `holdMs`, or until this process is gone.
 * Resolves once it holds the lock.
 */
async function holdWriteLock(path: string, holdMs: number): Promise<{ stop(): Promise<void> }> {
  const source = `
    const db = new (require("better-sqlite3"))(${JSON.stringify(path)});
    db.exec("begin immediate; create table holder (x)");
    console.log("locked");
    setTimeout(() => { db.exec("commit"); db.close(); process.exit(0); }, ${holdMs});
    process.stdin.once("end", () => process.exit(0)).resume();
  `;
  const child = spawn(process.execPath, ["-e", source], { cwd: API_DIR, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once("exit", (code) => reject(new Error(`the lock holder exited with ${code} before holding the lock`)));
      createInterface({ input: child.stdout! }).on("line", (line) => line === "locked" && resolve());
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop };
}

describe("opening a new SQLite file while another process holds its write lock", () => {
  const dir = mkdtempSync(join(tmpdir(), "portal-wal-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("waits for the lock, then switches the file to WAL", async () => {
    const path = join(dir, "a.db");
    const holder = await holdWriteLock(path, 1_000);
    try {
      const database = openDatabase(`file:${path}`, { openTimeoutMs: 60_000 });
      try {
        expect(database.sqlite!.pragma("journal_mode", { simple: true })).toBe("wal");
        // The other process's transaction committed before the switch, not lost to it.
        expect(database.sqlite!.prepare("select count(*) as n from sqlite_master where name = 'holder'").get()).toEqual({ n: 1 });
      } finally {
        await database.close();
      }
    } finally {
      await holder.stop();
    }
  });

  it("gives up with SQLITE_BUSY once the busy timeout has passed", async () => {
    const path = join(dir, "b.db");
    const holder = await holdWriteLock(path, 600_000);
    try {
      expect(() => openDatabase(`file:${path}`, { openTimeoutMs: 200 })).toThrow(/database is locked/);
    } finally {
      await holder.stop();
    }
  });
});
