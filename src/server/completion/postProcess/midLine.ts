import { isMidLine } from "./context";
import { isWordChar } from "./text";
import type { PostProcessStep } from "./types";

/** Shortest match of the text after the cursor that counts as reaching it. */
const MIN_MATCH_CHARS = 3;

/**
 * Mid-line, the text after the cursor is the user's: where the completion reaches it — writes all of it, or its start
 * from a word boundary to a word boundary with a word in it — the completion ends, and only what it adds before that text is
 * inserted. Whether the model then repeats the rest of the line (`console.log(|message);` + `error, message);` →
 * `error, `) or rewrites it (`console.log(|, "p1", )` + `"Hello", "p1", p1);` → `"Hello"`), the user's text stays as
 * it is. Matches of closers and punctuation only are left to the bracket logic and the replace range.
 */
export const stopAtTextAfterCursor: PostProcessStep = (c, ctx) => {
  const ls = ctx.lineSuffix.trimEnd();
  if (!isMidLine(ls)) return c;
  const text = c.text;
  for (let p = 1; p < text.length; p++) {
    if (text[p] !== ls[0]) continue;
    if (isWordChar(text[p - 1]) && isWordChar(text[p])) continue; // starts inside a word
    let k = 0;
    while (k < ls.length && p + k < text.length && text[p + k] === ls[k]) k++;
    // All of the line's rest, or a part of it with a word in it.
    if (k < MIN_MATCH_CHARS || (k < ls.length && !/[\p{L}\p{N}_$]/u.test(ls.slice(0, k)))) continue;
    if (k < ls.length && isWordChar(ls[k - 1]) && isWordChar(ls[k])) continue; // ends inside a word
    return { ...c, text: text.slice(0, p) };
  }
  return c;
};
