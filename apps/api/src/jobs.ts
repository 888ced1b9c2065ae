import { isDatabaseUnavailable } from "./db/availability.js";
import { errorFields, type Logger } from "./logger.js";
import type { ServiceDeps } from "./services/context.js";
import { DEFAULT_EXPIRY_SWEEP_LIMITS, recordPassedExpiries } from "./services/expiry.service.js";
import { DEFAULT_PURGE_LIMITS, purgedAnything, runHousekeeping } from "./services/housekeeping.service.js";

/**
 * The background jobs every instance runs (SPEC section 11), each safe to run on many instances
 * at once: the expiry sweep, which records `invite.expired` exactly once, and housekeeping, which
 * purges what is past its time.
 */

/** A job that runs again and again until stopped. */
export interface PeriodicJob {
  /** No further run starts; resolves when the one under way (told to stop between batches) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `run` first after `firstDelayMs`, then `intervalMs` after the end of each run, so that two
 * runs of a job never overlap however long one takes. The timers are unref'd: a job never keeps
 * the process alive. `run` gets a signal that is aborted when the job is stopped.
 */
export function startPeriodicJob(options: { intervalMs: number; firstDelayMs: number; run: (signal: AbortSignal) => Promise<void> }): PeriodicJob {
  const stopping = new AbortController();
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  const schedule = (delayMs: number) => {
    timer = setTimeout(() => {
      timer = null;
      running = options
        .run(stopping.signal)
        .catch(() => undefined)
        .finally(() => {
          running = null;
          if (!stopping.signal.aborted) schedule(options.intervalMs);
        });
    }, delayMs);
    timer.unref();
  };
  schedule(options.firstDelayMs);
  return {
    async stop() {
      stopping.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}

/**
 * Logs a job's failures once a streak, not once a run (the sweep runs every second): a database
 * that cannot serve as a warning (the next run retries by itself), anything else as an error; and
 * one line when the job runs fine again.
 */
function failureLog(log: Logger, job: string) {
  let failing: "unavailable" | "error" | null = null;
  return {
    failed(error: unknown) {
      const kind = isDatabaseUnavailable(error) ? "unavailable" : "error";
      if (failing === kind) return;
      failing = kind;
      if (kind === "unavailable") log.warn(`${job}: the database is unavailable; retrying on the next run`, errorFields(error));
      else log.error(`${job} failed; retrying on the next run`, errorFields(error));
    },
    succeeded() {
      if (failing !== null) log.info(`${job}: running again`);
      failing = null;
    },
  };
}

export interface BackgroundJobsConfig {
  expirySweepMs: number;
  housekeepingIntervalMs: number;
  eventsRetentionDays: number;
}

/** Housekeeping's first run comes this soon after start (or after one interval, if that is shorter). */
const HOUSEKEEPING_FIRST_RUN_MS = 10_000;

/** Starts both jobs; `stop` stops both (before the database closes). */
export function startBackgroundJobs(deps: ServiceDeps, config: BackgroundJobsConfig, log: Logger): PeriodicJob {
  const expiry = failureLog(log, "expiry sweep");
  const sweep = startPeriodicJob({
    intervalMs: config.expirySweepMs,
    firstDelayMs: config.expirySweepMs,
    run: async (signal) => {
      try {
        const recorded = await recordPassedExpiries(deps, { ...DEFAULT_EXPIRY_SWEEP_LIMITS, signal });
        if (recorded > 0) log.debug("invite expiries recorded", { recorded });
        expiry.succeeded();
      } catch (error) {
        expiry.failed(error);
      }
    },
  });
  const housekeepingFailures = failureLog(log, "housekeeping");
  const housekeeping = startPeriodicJob({
    intervalMs: config.housekeepingIntervalMs,
    firstDelayMs: Math.min(HOUSEKEEPING_FIRST_RUN_MS, config.housekeepingIntervalMs),
    run: async (signal) => {
      const started = Date.now();
      try {
        const purged = await runHousekeeping(deps, {
          eventsRetentionDays: config.eventsRetentionDays,
          limits: { ...DEFAULT_PURGE_LIMITS, signal },
        });
        if (purgedAnything(purged)) log.info("housekeeping purged", { ...purged, duration_ms: Date.now() - started });
        housekeepingFailures.succeeded();
      } catch (error) {
        housekeepingFailures.failed(error);
      }
    },
  });
  return {
    async stop() {
      await Promise.all([sweep.stop(), housekeeping.stop()]);
    },
  };
}
