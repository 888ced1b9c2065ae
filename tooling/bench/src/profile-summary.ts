/**
 * Where the time goes in a `node --cpu-prof` profile: self time by package and by function, and
 * inclusive time of chosen functions. Usage:
 *   node tooling/bench/dist/profile-summary.js <file.cpuprofile | folder> [top=30] [inclusive function names, comma-separated]
 * Profiles come from `BENCH_CPU_PROF=<dir> npm run bench`: a folder per measured process, a profile
 * per thread in it; given the folder, the main thread's is read.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The package a script belongs to: the app, a workspace package, an npm package, or Node itself. */
export function packageOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules !== -1) {
    const rest = url.slice(modules + "/node_modules/".length).split("/");
    return rest[0]!.startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const app = /\/apps\/api\/dist\/(.+)$/.exec(url);
  if (app) return `app:${app[1]!.split("/").slice(0, -1).join("/") || "."}`;
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace) return `@portal/${workspace[1]}`;
  return url;
}

function shortUrl(url: string): string {
  const modules = url.lastIndexOf("/node_modules/");
  if (modules !== -1) return url.slice(modules + "/node_modules/".length);
  const dist = url.indexOf("/dist/");
  return dist !== -1 ? url.slice(url.lastIndexOf("/", dist - 1) + 1) : url;
}

export function summarize(profile: Profile, top: number, inclusiveNames: string[]): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byPackage = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = byId.get(id)!.callFrame;
    const pkg = packageOf(frame.url, frame.functionName);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + time);
    const key = `${frame.functionName || "(anonymous)"}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + time);
    // Inclusive: count the sample once for every named function on its stack.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)!.callFrame.functionName;
      if (inclusiveNames.includes(name) && !seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + time);
      }
    }
  }
  const busy = total - (byPackage.get("(idle)") ?? 0);
  const pct = (t: number, of: number) => `${((100 * t) / of).toFixed(1).padStart(5)}%`;
  const lines = [
    `profile: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages are of busy time)`,
    "",
    "self time by package:",
  ];
  for (const [pkg, time] of [...byPackage].filter(([p]) => p !== "(idle)").sort((a, b) => b[1] - a[1]).slice(0, 25)) {
    lines.push(`  ${pct(time, busy)}  ${pkg}`);
  }
  lines.push("", `top ${top} functions by self time:`);
  for (const [name, time] of [...byFunction].filter(([n]) => !n.startsWith("(idle)")).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    lines.push(`  ${pct(time, busy)}  ${name}`);
  }
  if (inclusiveNames.length > 0) {
    lines.push("", "inclusive time:");
    for (const name of inclusiveNames) lines.push(`  ${pct(inclusive.get(name) ?? 0, busy)}  ${name}`);
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The profile to read: the file itself, or in a process's folder of profiles (BENCH_CPU_PROF/<name>)
 * its main thread's, the one Node names with thread id 0.
 */
function profileFile(path: string): string {
  if (!statSync(path).isDirectory()) return path;
  const main = readdirSync(path).filter((name) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(name));
  if (main.length !== 1) throw new Error(`${path}: expected one main-thread profile (CPU.*.<pid>.0.*.cpuprofile), found ${main.length}`);
  return join(path, main[0]!);
}

const [path, top = "30", names = ""] = process.argv.slice(2);
if (!path) {
  process.stderr.write("usage: node tooling/bench/dist/profile-summary.js <file.cpuprofile | a process's profile folder> [top] [inclusive names, comma-separated]\n");
  process.exit(2);
}
const file = profileFile(path);
process.stdout.write(`${file}\n`);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
process.stdout.write(summarize(profile, Number(top), names.split(",").filter(Boolean)));
