import { cursorState } from "./balanceBrackets";
import { isBlank } from "./text";
import type { PostProcessStep } from "./types";

/**
 * Whitespace at the edges:
 * - trailing spaces on every line (not for prose, where two trailing spaces are a Markdown line break);
 * - trailing blank lines; but when text follows the cursor on its line and the completion ends with a line break plus
 *   indentation, that ending is kept: it puts the rest of the line (e.g. an auto-closed `}`) on its own line;
 * - a trailing space before a line suffix that does not start with a space stays (Tabby's trimSpace rule);
 * - leading spaces when the line prefix already ends with one (no "x =  1");
 * - a single leading space after a line prefix of indentation only: one column is no indentation step, but the space a
 *   tokenizer puts before a word (` AND x` under a block at 10 columns would land at 11) — except inside a block
 *   comment, where ` * ` lines are aligned one column in.
 */
export const trimWhitespace: PostProcessStep = (c, ctx) => {
  const lines = c.text.split("\n");
  const last = lines.length - 1;
  if (!ctx.prose) for (let i = 0; i < last; i++) lines[i] = lines[i]!.trimEnd();
  const lineSuffixBlank = isBlank(ctx.lineSuffix);
  let text: string;
  if (!lineSuffixBlank && last > 0 && isBlank(lines[last]!)) {
    // Keep "\n<indent>" so the line suffix lands on its own line; drop blank lines before it.
    let end = last - 1;
    while (end > 0 && isBlank(lines[end]!)) end--;
    text = [...lines.slice(0, end + 1), lines[last]!].join("\n");
  } else {
    const trimLast = lineSuffixBlank || /^\s/.test(ctx.lineSuffix);
    if (trimLast) lines[last] = lines[last]!.trimEnd();
    text = lines.join("\n");
    if (trimLast) text = text.replace(/\s+$/u, "");
  }
  if (!isBlank(ctx.linePrefix) && /[ \t]$/.test(ctx.linePrefix)) text = text.replace(/^[ \t]+/, "");
  else if (ctx.linePrefix !== "" && isBlank(ctx.linePrefix) && /^ \S/.test(text) && !cursorState(ctx).inBlockComment) text = text.slice(1);
  return text === c.text ? c : { ...c, text };
};
