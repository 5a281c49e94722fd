/**
 * Stops a multi-line completion at the end of the current block, by indentation (after Tabby's
 * limitScopeByIndentation, with changes: a line back at the statement's level after a block is only a continuation
 * when it looks like one — `} else {`, `elif x:`, `} catch (e) {`, `}).then(() => {` — and after a block the
 * completion finished, a new top-level unit or a blank-line-separated statement ends it; Tabby's version runs on
 * through every top-level function of a module).
 *
 * `ref` is the indentation of the statement being completed: the cursor line's (when it has text before the cursor),
 * else that of the completion's first line. Then, line by line:
 * - deeper than `ref`: inside a block the completion opened — keep going;
 * - at `ref`, after a deeper block: a continuation keeps going; a closing line (`}`, `});`, `end`, `</div>`) is kept,
 *   unless the document's next line already is that closer or is deeper (the block goes on there) — then the
 *   completion ends before it;
 * - at `ref`, a line that only opens a block (`{` in Allman style): the block of the statement above — keep going;
 * - at `ref`, a closing line the completion opened nothing for (on an empty cursor line): it closes the block that
 *   holds the cursor, which the completion thereby finished;
 * - at `ref`, a statement: kept, except when the completion continues text already on the cursor line or fills the
 *   body of a block opened on it (then only that statement and its block are wanted), and except right after a block
 *   the completion finished when that block is top-level (ref 0: one function, class… at a time) or a blank line
 *   separates them (a new paragraph of code);
 * - shallower than `ref`: the enclosing block ends; a closing line is kept only when the document does not close it
 *   already (its next non-blank line must be shallower than `ref` and not the same closer at the same indentation).
 * Lines that start inside a multi-line string or a block comment are text, whatever their indentation: skipped.
 * When text follows the cursor on its line, the document's next line does not follow the completion (the line suffix
 * does), so closers are not compared with it; the replace range then handles a closer that the suffix repeats.
 */
import { cursorState } from "./balanceBrackets";
import { linesStartingInText } from "./brackets";
import { indentWidth, isBlank } from "./text";
import type { PostProcessStep, StepContext } from "./types";

const CLOSER_LINE = /^(?:[)\]}]+[)\]};,]*(?:\s*while\s*\(.*\)\s*;?)?|end[;,)\]]*|fi|done|esac|endif|endfor|endwhile|endfunction|endmodule|endclass|<\/[\w.:-]+>)$/;
/** A line that only opens a block: in Allman style the header's `{` stands on its own line at the header's level. */
const OPENER_LINE = /^[{([]$/;
const CONTINUATION_LINE = /^(?:[)\]}]+\s*)?(?:else|elif|elsif|elseif|except|catch|finally|rescue|ensure|when|case|default)\b/;

export function isCloserLine(line: string): boolean {
  return CLOSER_LINE.test(line.trim());
}

export function isContinuationLine(line: string): boolean {
  const t = line.trim();
  if (CONTINUATION_LINE.test(t)) return true;
  // "}).then(() => {", "}, {": closes and opens again.
  return /^[)\]}]/.test(t) && /[{([:]$/.test(t);
}

/** Whether the document's next line is this closing line: the same closer at the same indentation (a `}` at another
 * indentation closes another block). */
function duplicatesNextLine(line: string, ctx: StepContext): boolean {
  const next = ctx.nextNonBlankLine;
  if (next === undefined || indentWidth(line, ctx.tabSize) !== indentWidth(next, ctx.tabSize)) return false;
  const a = line.trim();
  const b = next.trim();
  return a.startsWith(b) || b.startsWith(a);
}

export const limitScopeByIndentation: PostProcessStep = (c, ctx) => {
  if (ctx.prose) return c;
  const lines = c.text.split("\n");
  if (lines.length < 2) return c;
  const tab = ctx.tabSize;
  const first = lines[0]!;
  const lineHasText = !isBlank(ctx.linePrefix);
  // Lines that start inside a multi-line string or a block comment are text, not statements: they are skipped.
  const inText = linesStartingInText(c.text, cursorState(ctx), ctx.languageId);
  let ref: number;
  if (!isBlank(ctx.linePrefix)) ref = indentWidth(ctx.linePrefix, tab);
  else if (!isBlank(first)) ref = indentWidth(ctx.linePrefix + first, tab);
  else {
    const firstText = lines.find((l, i) => i > 0 && !isBlank(l) && !inText[i]);
    if (firstText === undefined) return c;
    ref = indentWidth(firstText, tab);
  }
  // One statement only: the completion continues text on the cursor line, or fills the body of a block whose header
  // is the cursor line (`if (x) {|`). Otherwise (cursor on an empty line, or after a complete statement) further
  // statements at the same level are welcome.
  const firstBody = lines.find((l, i) => i > 0 && !isBlank(l) && !inText[i]);
  const oneStatement =
    lineHasText && (!isBlank(first) || (firstBody !== undefined && indentWidth(firstBody, tab) > ref));
  // The document's next line follows the completion only when nothing follows the cursor on its line.
  const nextFollows = isBlank(ctx.lineSuffix);
  const next = nextFollows ? ctx.nextNonBlankLine : undefined;
  const nextIndent = next === undefined ? undefined : indentWidth(next, tab);

  let keep = lines.length;
  let wentDeeper = false;
  // A completion that starts by closing a block (on an empty cursor line) closes the one that holds the cursor.
  let blockEnded = !lineHasText && isCloserLine(first);
  let sawBlank = false;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (inText[i]) continue;
    if (isBlank(line)) {
      sawBlank = true;
      continue;
    }
    const blankBefore = sawBlank;
    sawBlank = false;
    const indent = indentWidth(line, tab);
    if (indent > ref) {
      wentDeeper = true;
      continue;
    }
    if (indent < ref) {
      // Shallower than the statement: the enclosing block ends here.
      const allowed =
        isCloserLine(line) && (!nextFollows || nextIndent === undefined || (nextIndent < ref && !duplicatesNextLine(line, ctx)));
      keep = allowed ? i + 1 : i;
      break;
    }
    // indent === ref
    if (OPENER_LINE.test(line.trim())) {
      // Allman style: the block of the statement above opens here.
      wentDeeper = false;
      continue;
    }
    if (wentDeeper) {
      wentDeeper = false;
      if (isContinuationLine(line)) continue;
      if (isCloserLine(line)) {
        const allowed = !nextFollows || nextIndent === undefined || (nextIndent <= ref && !(nextIndent === indent && duplicatesNextLine(line, ctx)));
        if (!allowed) {
          keep = i;
          break;
        }
        blockEnded = true;
        continue;
      }
      blockEnded = true; // a dedent without a closing line (Python): the block ended before this statement
    } else if (!oneStatement && isCloserLine(line)) {
      // A closing line the completion opened nothing for: it closes the block that holds the cursor.
      blockEnded = true;
      continue;
    }
    if (oneStatement || (blockEnded && (ref === 0 || blankBefore))) {
      keep = i;
      break;
    }
    blockEnded = false;
  }
  if (keep >= lines.length) return c;
  return { ...c, text: lines.slice(0, keep).join("\n").trimEnd() };
};
