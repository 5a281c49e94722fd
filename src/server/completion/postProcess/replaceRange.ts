/**
 * How many characters of the line suffix the completion replaces. The final text is always
 * `linePrefix + insertText + lineSuffix.slice(replaceSuffixChars)`; the range stays on the cursor line.
 *
 * - Brackets: when the completion closes openers from before the cursor (and leaves nothing of its own open), the
 *   line suffix's leading closers that it already wrote are replaced — the auto-closed `)` of `foo(|)` for `a, b)`,
 *   or `")` of `log("|")` for `", x)`. Closers the suffix lacks are skipped (`foo("|)` + `x")` replaces the `)`).
 * - Text overlap: when the completion's last line ends with the start of the line suffix (`x = [|]` + `1, 2]`), that
 *   part is replaced. Accepted when it covers the whole rest of the line, or when it does not cut a word in two and is
 *   not a 1–2 character word piece (`x = 1` before `1 + y` is not an overlap). Mid-line, a completion that reaches the
 *   text after the cursor has already ended before it (midLine.ts), so only shorter overlaps are left here.
 * After bracket closers, the text overlap is also looked for in the rest of the line suffix (`parseInt(|);` +
 * `input, 10) || 0;` replaces `);`). The largest result wins (all replace a prefix of the line suffix).
 */
import { analyzeCompletion } from "./brackets";
import { cursorState } from "./balanceBrackets";
import { isBlank, isWordChar, suffixPrefixOverlaps } from "./text";
import type { PostProcessStep, StepContext } from "./types";

function bracketReplace(text: string, ctx: StepContext): number {
  if (ctx.prose) return 0;
  const a = analyzeCompletion(text, cursorState(ctx), ctx.languageId);
  if (a.leftOpen > 0 || a.consumed.length === 0) return 0;
  const ls = ctx.lineSuffix;
  let j = 0;
  for (const ch of a.consumed) {
    if (ls[j] === ch) j++;
  }
  // Only a leading run of closer characters can be "already written".
  let k = 0;
  while (k < j && /[)\]}"'`]/.test(ls[k]!)) k++;
  return k;
}

function overlapReplace(text: string, lineSuffix: string): number {
  const ls = lineSuffix.trimEnd();
  if (ls.length === 0) return 0;
  const lastLine = text.slice(text.lastIndexOf("\n") + 1);
  for (const k of suffixPrefixOverlaps(lastLine, ls)) {
    if (k === ls.length) return k;
    const overlap = ls.slice(0, k);
    const hasWord = /[\p{L}\p{N}_$]/u.test(overlap);
    if (hasWord && k <= 2) continue;
    const p = lastLine.length - k;
    const startsCleanly = p === 0 || !isWordChar(lastLine[p - 1]) || !isWordChar(lastLine[p]);
    const endsCleanly = !isWordChar(ls[k - 1]) || !isWordChar(ls[k]);
    if (startsCleanly && endsCleanly) return k;
  }
  return 0;
}

export const computeReplaceRange: PostProcessStep = (c, ctx) => {
  if (isBlank(ctx.lineSuffix)) return c.replaceSuffixChars === 0 ? c : { ...c, replaceSuffixChars: 0 };
  const ls = ctx.lineSuffix;
  const b = bracketReplace(c.text, ctx);
  // After the closers, the rest of the line may be repeated too (`parseInt(|);` + `input, 10) || 0;`).
  const afterBrackets = b > 0 ? b + overlapReplace(c.text, ls.slice(b)) : 0;
  const n = Math.min(ls.length, Math.max(afterBrackets, overlapReplace(c.text, ls)));
  return n === c.replaceSuffixChars ? c : { ...c, replaceSuffixChars: n };
};
