/**
 * The background jobs' scheduler: runs never overlap, `stop` waits for the run under way and tells
 * it to stop, nothing runs after; and a job whose database cannot be reached logs one warning,
 * not one a run, and does not throw.
 */
import { describe, expect, it } from "vitest";
import { openDatabase } from "./db/database.js";
import { startBackgroundJobs, startPeriodicJob } from "./jobs.js";
import { createLogger } from "./logger.js";
import { createServiceDeps } from "./services/context.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("startPeriodicJob", () => {
  it("never runs twice at once, even when a run outlasts the interval; stop waits for the run under way and none follows", async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    let sawStop = false;
    const job = startPeriodicJob({
      intervalMs: 5,
      firstDelayMs: 1,
      run: async (signal) => {
        running++;
        runs++;
        most = Math.max(most, running);
        await sleep(30);
        if (signal.aborted) sawStop = true;
        running--;
      },
    });
    // Stop while a run is under way (the second or a later one), whatever the machine's speed:
    // waiting a fixed time could land in the gap between two runs.
    const deadline = Date.now() + 10_000;
    while (!(runs >= 2 && running === 1) && Date.now() < deadline) await sleep(1);
    expect(running).toBe(1);
    await job.stop();
    expect(running).toBe(0);
    expect(most).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(sawStop).toBe(true);
    const stoppedAt = runs;
    await sleep(60);
    expect(runs).toBe(stoppedAt);
  });

  it("goes on after a run that throws", async () => {
    let runs = 0;
    const job = startPeriodicJob({
      intervalMs: 5,
      firstDelayMs: 1,
      run: async () => {
        runs++;
        throw new Error("boom");
      },
    });
    const deadline = Date.now() + 10_000;
    while (runs < 3 && Date.now() < deadline) await sleep(10);
    await job.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
  });
});

describe("startBackgroundJobs", () => {
  it("with the database unreachable, each job logs one warning however many runs fail, and the process goes on", async () => {
    // Nothing listens on port 1: every connection is refused at once.
    const database = openDatabase("postgres://postgres@127.0.0.1:1/portal_nowhere", { poolSize: 1 });
    const lines: Record<string, unknown>[] = [];
    const log = createLogger("debug", (line) => lines.push(JSON.parse(line) as Record<string, unknown>));
    const jobs = startBackgroundJobs(createServiceDeps(database.db, log), { expirySweepMs: 10, housekeepingIntervalMs: 10, eventsRetentionDays: 7 }, log);
    const warned = (job: string) => lines.some((line) => line.level === "warn" && String(line.msg).startsWith(job));
    try {
      // Until both jobs have failed at least once (bounded), then many more runs of each.
      const deadline = Date.now() + 10_000;
      while (!(warned("expiry sweep") && warned("housekeeping")) && Date.now() < deadline) await sleep(10);
      await sleep(300);
    } finally {
      await jobs.stop();
      await database.close();
    }
    expect(lines.map((line) => [line.level, line.msg])).toEqual(
      expect.arrayContaining([
        ["warn", "expiry sweep: the database is unavailable; retrying on the next run"],
        ["warn", "housekeeping: the database is unavailable; retrying on the next run"],
      ]),
    );
    expect(lines).toHaveLength(2);
  });
});
