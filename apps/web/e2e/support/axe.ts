/// <reference types="node" />
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const require = createRequire(import.meta.url);
let source: Promise<string> | undefined;

/** axe-core's own build, from the package (never fetched): injected into the page under test. */
function axeSource(): Promise<string> {
  source ??= readFile(require.resolve("axe-core/axe.min.js"), "utf8");
  return source;
}

export interface AxeProblem {
  state: string;
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

interface AxeResult {
  violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[]; failureSummary?: string }[] }[];
}

/**
 * Runs axe-core on the page as it is (WCAG 2.x A and AA, and best practices) and returns its
 * violations of impact serious or critical, named by `state`. (The context needs `bypassCSP`: the
 * app's policy allows no inline script.)
 */
export async function axeProblems(page: Page, state: string): Promise<AxeProblem[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: await axeSource() });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<unknown> } }).axe;
    return (await axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"] },
      resultTypes: ["violations"],
    })) as unknown;
  });
  return (result as AxeResult).violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      state,
      id: v.id,
      impact: v.impact ?? "",
      help: v.help,
      targets: v.nodes.slice(0, 5).map((n) => `${JSON.stringify(n.target)}${n.failureSummary ? `: ${n.failureSummary.replace(/\s+/g, " ")}` : ""}`),
    }));
}
