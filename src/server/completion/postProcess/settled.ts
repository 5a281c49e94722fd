/**
 * Whether more tokens could still change what post-processing makes of a completion, so generation can stop early
 * (a block's end, a single line's end, a loop): on a small CPU every token not generated is ~30 ms the user does not
 * wait. llama.vscode stops at a dedent likewise; Tabby stops at its post-processing's block end.
 */
import { limitScopeByIndentation } from "./limitScope";
import { removeRepeatedBlocks, repeatingTailStart } from "./repetition";
import type { StepContext } from "./types";
import { trimWhitespace } from "./whitespace";

/** Why a completion in progress is settled; undefined while more tokens may still change it. */
export type SettledReason = "lineEnd" | "blockEnd" | "loop";

/**
 * - `lineEnd`: single-line mode and the first line is complete. Exact: post-processing keeps only that line.
 * - `blockEnd`: the indentation scope ends at a line that is complete. Exact: the scope's decision for a line depends
 *   only on that line and the ones before it.
 * - `loop`: the last line ends in a repeated unit, or the complete lines end in a repeated block — the degenerate tail
 *   that post-processing removes when the loop runs on to the token limit, as it nearly always does.
 */
export function settledReason(raw: string, ctx: StepContext): SettledReason | undefined {
  const text = raw.includes("\r") ? raw.replace(/\r\n?/g, "\n") : raw;
  const lastBreak = text.lastIndexOf("\n");
  if (repeatingTailStart(text.slice(lastBreak + 1)) !== undefined) return "loop";
  if (lastBreak < 0) return undefined;
  if (ctx.singleLine) return "lineEnd";

  // Complete lines only: the last one may still grow.
  const complete = { text: text.slice(0, lastBreak), replaceSuffixChars: 0 };
  const deduplicated = removeRepeatedBlocks(complete, ctx);
  if (deduplicated !== complete) return "loop";
  const trimmed = trimWhitespace(complete, ctx) ?? complete;
  return limitScopeByIndentation(trimmed, ctx) !== trimmed ? "blockEnd" : undefined;
}
