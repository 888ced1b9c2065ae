/**
 * Seeds one side's database for ab.ts with that side's own seed module (and so its own
 * migrations): BENCH_INPUT names the module (a file URL) and the options; prints the SeedInfo as
 * one JSON line. It imports nothing of this checkout's api, so only that side's code is loaded.
 */
import { childInputJson } from "./config.js";
import type { BaseSeedOptions, SeedInfo } from "./seed.js";

interface AbSeedInput {
  module: string;
  path: string;
  options: BaseSeedOptions;
}

const raw = childInputJson();
if (!raw) throw new Error("BENCH_INPUT is not set: this script is started by tooling/bench/dist/ab.js");
const input = JSON.parse(raw) as AbSeedInput;
const seed = (await import(input.module)) as { seedBase(path: string, options: BaseSeedOptions): Promise<SeedInfo> };
process.stdout.write(`${JSON.stringify(await seed.seedBase(input.path, input.options))}\n`);
