/**
 * Post-processing of a raw model completion: a pipeline of small pure steps, composed here.
 *
 * Order:
 *  1. normalizeNewlines, cutAtStopTexts     — clean input; after a stop at the token limit, dropLineCutByTokenLimit
 *     removeLinePrefixEcho                  — a restated line prefix is not inserted again
 *  2. enforceSingleLine                     — mid-line cursor / IntelliSense selection / asked for (only the first
 *                                             line is the completion, so only it is judged below)
 *  3. removeRepeatedBlocks, removeRepeatingLineEnd — degenerate loops (before anything reasons about structure)
 *  4. trimWhitespace                        — line ends, leading space after a space or indentation
 *     stopAtTextAfterCursor                 — mid-line, the completion ends where it reaches the user's text
 *  5. limitScopeByIndentation               — stop at the end of the current block
 *  6. cutAtBreakingCloser                   — a closer that would break the structure ends the completion
 *  7. removeLinesTheSuffixHas, dropClosersTheSuffixHas — never repeat what follows the cursor (lines, closers)
 *  8. computeReplaceRange                   — line-suffix characters the completion also writes are replaced
 *  9. dropEmpty                             — nothing left worth showing
 */
import { createStepContext } from "./context";
import { cutAtBreakingCloser, dropClosersTheSuffixHas } from "./balanceBrackets";
import { dropEmpty } from "./dropEmpty";
import { limitScopeByIndentation } from "./limitScope";
import { cutAtStopTexts, normalizeNewlines } from "./normalize";
import { computeReplaceRange } from "./replaceRange";
import { removeRepeatingLineEnd, removeRepeatedBlocks } from "./repetition";
import { enforceSingleLine } from "./singleLine";
import { removeLinesTheSuffixHas } from "./suffixDuplicates";
import { dropLineCutByTokenLimit } from "./tokenLimit";
import { removeLinePrefixEcho } from "./prefixEcho";
import { stopAtTextAfterCursor } from "./midLine";
import type { StopReason } from "../textGenerator";
import type { Candidate, PostProcessContext, PostProcessResult, PostProcessStep, StepContext } from "./types";
import { trimWhitespace } from "./whitespace";

export type { Candidate, PostProcessContext, PostProcessResult, PostProcessStep, StepContext } from "./types";
export { createStepContext, isMidLine } from "./context";
export { normalizeNewlines, cutAtStopTexts } from "./normalize";
export { removeRepeatedBlocks, removeRepeatingLineEnd, repeatingTailStart } from "./repetition";
export { enforceSingleLine } from "./singleLine";
export { dropLineCutByTokenLimit } from "./tokenLimit";
export { removeLinePrefixEcho } from "./prefixEcho";
export { stopAtTextAfterCursor } from "./midLine";
export { trimWhitespace } from "./whitespace";
export { limitScopeByIndentation, isCloserLine, isContinuationLine } from "./limitScope";
export { cutAtBreakingCloser, dropClosersTheSuffixHas } from "./balanceBrackets";
export { removeLinesTheSuffixHas } from "./suffixDuplicates";
export { computeReplaceRange } from "./replaceRange";
export { dropEmpty } from "./dropEmpty";
export { settledReason, type SettledReason } from "./settled";
export { scanPrefix, analyzeCompletion } from "./brackets";

export interface NamedStep {
  readonly name: string;
  readonly run: PostProcessStep;
}

export const POST_PROCESS_STEPS: readonly NamedStep[] = [
  { name: "normalizeNewlines", run: normalizeNewlines },
  { name: "cutAtStopTexts", run: cutAtStopTexts },
  { name: "removeLinePrefixEcho", run: removeLinePrefixEcho },
  { name: "enforceSingleLine", run: enforceSingleLine },
  { name: "removeRepeatedBlocks", run: removeRepeatedBlocks },
  { name: "removeRepeatingLineEnd", run: removeRepeatingLineEnd },
  { name: "trimWhitespace", run: trimWhitespace },
  { name: "stopAtTextAfterCursor", run: stopAtTextAfterCursor },
  { name: "limitScopeByIndentation", run: limitScopeByIndentation },
  { name: "cutAtBreakingCloser", run: cutAtBreakingCloser },
  { name: "removeLinesTheSuffixHas", run: removeLinesTheSuffixHas },
  { name: "dropClosersTheSuffixHas", run: dropClosersTheSuffixHas },
  { name: "computeReplaceRange", run: computeReplaceRange },
  { name: "dropEmpty", run: dropEmpty },
];

/** The steps after generation stopped at the token limit: its cut last line goes first. */
const STEPS_AFTER_TOKEN_LIMIT: readonly NamedStep[] = POST_PROCESS_STEPS.flatMap((step) =>
  step.name === "cutAtStopTexts" ? [step, { name: "dropLineCutByTokenLimit", run: dropLineCutByTokenLimit }] : [step]);

export interface PostProcessOptions {
  /** Steps to run (default POST_PROCESS_STEPS, with dropLineCutByTokenLimit after a stop at the token limit). */
  readonly steps?: readonly NamedStep[];
  /** Why generation stopped (absent: it finished). */
  readonly stopReason?: StopReason;
  /** Called after every step that changed or dropped the candidate (for logs and debugging). */
  readonly trace?: (step: string, before: Candidate, after: Candidate | undefined) => void;
}

/**
 * Turns a raw completion into what to show, or undefined when nothing is worth showing.
 * The editor should insert `insertText` at the cursor replacing `replaceSuffixChars` characters after it.
 */
export function postProcessCompletion(raw: string, context: PostProcessContext, options: PostProcessOptions = {}): PostProcessResult | undefined {
  return postProcessInContext(raw, createStepContext(context), options);
}

/** postProcessCompletion with a step context made beforehand (what it derives from the document is computed once). */
export function postProcessInContext(raw: string, ctx: StepContext, options: PostProcessOptions = {}): PostProcessResult | undefined {
  let c: Candidate | undefined = { text: raw, replaceSuffixChars: 0 };
  for (const step of options.steps ?? (options.stopReason === "maxTokens" ? STEPS_AFTER_TOKEN_LIMIT : POST_PROCESS_STEPS)) {
    const before: Candidate = c;
    c = step.run(before, ctx);
    if (options.trace && c !== before) options.trace(step.name, before, c);
    if (c === undefined) return undefined;
  }
  return { insertText: c.text, replaceSuffixChars: c.replaceSuffixChars };
}
