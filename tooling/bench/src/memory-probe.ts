/**
 * Preloaded into the server by the events benchmark's memory scenario only
 * (`node --expose-gc --import …/memory-probe.js apps/api/dist/main.js`): on SIGUSR2 it runs two
 * full garbage collections (the second takes what the first one's finalizers let go) and prints
 * `process.memoryUsage()` as one JSON line on stdout, numbered, for the bench to read. Nothing of it
 * is in the product; without --expose-gc it measures without collecting, and says so.
 */
let sample = 0;
process.on("SIGUSR2", () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  sample += 1;
  process.stdout.write(`${JSON.stringify({ benchMemory: process.memoryUsage(), gc: gc !== undefined, sample })}\n`);
});
