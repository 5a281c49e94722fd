import { CLOSER_LIKE, PROSE_LANGUAGES } from "./brackets";
import { isBlank } from "./text";
import type { PostProcessContext, StepContext } from "./types";

/** How much of the suffix the steps look at (characters). */
export const SUFFIX_HEAD_CHARS = 4000;
/** How much of the text above the cursor line the bracket scanner reads (characters). */
export const PREFIX_TAIL_CHARS = 4000;

/** Whether the cursor is in the middle of a line: something other than closers and spaces follows it. */
export function isMidLine(lineSuffix: string): boolean {
  return !CLOSER_LIKE.test(lineSuffix);
}

export function createStepContext(ctx: PostProcessContext): StepContext {
  const suffixHead = ctx.suffix.slice(0, SUFFIX_HEAD_CHARS).replace(/\r\n?/g, "\n");
  const firstBreak = suffixHead.indexOf("\n");
  const lineSuffix = (ctx.lineSuffix ?? (firstBreak >= 0 ? suffixHead.slice(0, firstBreak) : suffixHead)).replace(/\r$/, "");
  const nextLines = firstBreak >= 0 ? suffixHead.slice(firstBreak + 1).split("\n") : [];
  const prefix = ctx.prefixBeforeLine ?? "";
  let prefixTail = prefix.length > PREFIX_TAIL_CHARS ? prefix.slice(prefix.length - PREFIX_TAIL_CHARS) : prefix;
  if (prefixTail.length < prefix.length) {
    const nl = prefixTail.indexOf("\n");
    prefixTail = nl >= 0 ? prefixTail.slice(nl + 1) : "";
  }
  const languageId = (ctx.languageId ?? "").toLowerCase();
  return {
    linePrefix: ctx.linePrefix,
    lineSuffix,
    suffixHead,
    nextLines,
    nextNonBlankLine: nextLines.find((l) => !isBlank(l)),
    prefixTail: prefixTail.replace(/\r\n?/g, "\n"),
    languageId,
    tabSize: ctx.tabSize && ctx.tabSize > 0 ? ctx.tabSize : 4,
    singleLine: ctx.singleLine === true || isMidLine(lineSuffix),
    prose: PROSE_LANGUAGES.has(languageId),
    stopTexts: ctx.stopTexts ?? [],
  };
}
