/**
 * Brackets against the code before the cursor:
 * - cut at a closer that would break the structure: it closes nothing the completion opened and does not match the
 *   innermost opener left open on the cursor line (`foo(bar[0)` → cut before `)`), or it mismatches the
 *   completion's own opener;
 * - when nothing follows the cursor on its line, drop closers at the end of the completion that close openers from
 *   before the cursor when the document's next text already starts with them (`foo(\n  a,\n  b|\n)`: a completion
 *   `, c)` becomes `, c`) — only when no opener from before the cursor is left open (else the document's closer is
 *   for that one), and, for a closer on a line of its own, only at the same indentation as the document's.
 * Closers that the line suffix repeats are handled by the replace range (replaceRange.ts), not removed.
 */
import { analyzeCompletion, scanPrefix, type ScanState } from "./brackets";
import { indentWidth, isBlank } from "./text";
import type { Candidate, PostProcessStep, StepContext } from "./types";

const stateCache = new WeakMap<StepContext, ScanState>();

/** The bracket state at the cursor (computed once per context). */
export function cursorState(ctx: StepContext): ScanState {
  let s = stateCache.get(ctx);
  if (!s) {
    s = scanPrefix(ctx.prefixTail, ctx.linePrefix, ctx.languageId);
    stateCache.set(ctx, s);
  }
  return s;
}

export const cutAtBreakingCloser: PostProcessStep = (c, ctx) => {
  if (ctx.prose) return c;
  const a = analyzeCompletion(c.text, cursorState(ctx), ctx.languageId);
  if (a.breakAt === undefined) return c;
  return { ...c, text: c.text.slice(0, a.breakAt).trimEnd() };
};

export const dropClosersTheSuffixHas: PostProcessStep = (c: Candidate, ctx) => {
  if (ctx.prose || !isBlank(ctx.lineSuffix)) return c;
  const next = ctx.nextNonBlankLine?.trimStart();
  if (!next) return c;
  const a = analyzeCompletion(c.text, cursorState(ctx), ctx.languageId);
  if (a.leftOpen > 0 || a.pendingLeft > 0 || a.consumedAt.length === 0) return c;
  // The run of consumed closers at the very end of the completion (spaces between them allowed).
  const text = c.text.trimEnd();
  let start = text.length;
  let run = "";
  for (let k = a.consumedAt.length - 1; k >= 0; k--) {
    const at = a.consumedAt[k]!;
    if (text.slice(at + 1, start).trim() !== "") break;
    run = text[at]! + run;
    start = at;
  }
  if (run === "" || !next.startsWith(run)) return c;
  const lineStart = text.lastIndexOf("\n", start - 1) + 1;
  const ownLine = text.slice(lineStart, start).trim() === "";
  if (ownLine && indentWidth(text.slice(lineStart), ctx.tabSize) !== indentWidth(ctx.nextNonBlankLine ?? "", ctx.tabSize)) return c;
  return { ...c, text: text.slice(0, start).trimEnd() };
};
