import { sampleCode } from "./benchInputs";
import type { SampleDocument, SessionPlan } from "./serverSession";

/** What the simulated user types: a 9-line function. */
export const SNIPPET = [
  "",
  "/** Number of line breaks in [from, to). */",
  "function countLineBreaks(doc: string, from: number, to: number): number {",
  "  let breaks = 0;",
  "  for (let i = from; i < Math.min(to, doc.length); i++) {",
  "    if (doc.charCodeAt(i) === 10) breaks++;",
  "  }",
  "  return breaks;",
  "}",
  "",
].join("\n");

/** Two lines of it: two Enters (each re-reads the suffix) and ~90 keystrokes. */
export const QUICK_SNIPPET = ["", "function countLineBreaks(doc: string, from: number, to: number): number {", "  let breaks = 0;"].join("\n");

/** `--quick`: 1 cold request, 2 typed lines, 1 cursor move. */
export const QUICK_PLAN: SessionPlan = {
  rounds: 1, coldPerRound: 1, midPromptAbortAfterMs: [300, 1500], snippet: QUICK_SNIPPET, cursorMovesPerRound: 1,
  keyDelayMs: [80, 200], pauseMs: [600, 900], pauseAfterWord: 0.15, cursorJumpLines: [10, 40], seed: 7,
};

/** The full run: 3 rounds of 2 cold requests, the whole snippet typed, 5 cursor moves. */
export const FULL_PLAN: SessionPlan = {
  rounds: 3, coldPerRound: 2, midPromptAbortAfterMs: [300, 1500], snippet: SNIPPET, cursorMovesPerRound: 5,
  keyDelayMs: [80, 200], pauseMs: [600, 1000], pauseAfterWord: 0.35, cursorJumpLines: [10, 40], seed: 7,
};

/** The benchmarks' document (bench/data/contextWindow.ts.txt), typed into at the blank line before its "bounded scans" section. */
export function sampleDocument(): SampleDocument {
  const text = sampleCode();
  const marker = "\n// ---- bounded scans";
  const at = text.indexOf(marker);
  if (at < 0) throw new Error("bench/data/contextWindow.ts.txt lacks its insertion marker");
  // The blank line before the marker.
  return { relativePath: "bench/data/contextWindow.ts", text, insertAt: at };
}
