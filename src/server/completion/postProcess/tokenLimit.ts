import { cursorState } from "./balanceBrackets";
import { analyzeCompletion } from "./brackets";
import { isBlank } from "./text";
import type { PostProcessStep } from "./types";

/** A line ending in one of these waits for more (`a +`, `x =`, `f(a,`, `obj.`); `i++` and `i--` are complete. */
const NEEDS_MORE = /(?:[=,.*/%&|^?~]|(?<![+])\+|(?<![-])-)$/;

/**
 * When generation stopped at the token limit, its last line was cut wherever the limit fell (`const c = compute(`):
 * that line is dropped, and the lines before it, which the model finished, stay. When it is the completion's only line,
 * it stays if it is complete enough to show: it leaves no bracket or string of its own open and does not end waiting for
 * an operand; otherwise nothing is shown.
 */
export const dropLineCutByTokenLimit: PostProcessStep = (c, ctx) => {
  const lastBreak = c.text.lastIndexOf("\n");
  const before = lastBreak < 0 ? "" : c.text.slice(0, lastBreak);
  if (!isBlank(before)) return { ...c, text: before };
  const line = c.text.slice(lastBreak + 1).trimEnd();
  if (line === "") return c;
  if (NEEDS_MORE.test(line)) return undefined;
  if (ctx.prose) return c;
  return analyzeCompletion(c.text, cursorState(ctx), ctx.languageId).leftOpen > 0 ? undefined : c;
};
