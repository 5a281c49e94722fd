/**
 * Never repeat text that already follows the cursor (lines): trailing lines of the completion that equal the
 * document's next non-blank lines are dropped; when every line of the completion is such a line, the completion is
 * dropped (llama.vscode's "repeats the next line" and Tabby's removeDuplicatedBlockClosingLine, generalised to any
 * number of lines). Lines are compared as they would stand in the document: the completion's first line after the
 * line prefix, its last line before the rest of the cursor line (an auto-closed `;` or `)` the completion may also
 * write). Lines are the same with the same indentation; a model also re-indents what it copies, so two or more lines
 * with code in them match at any indentation too — unless the first of them is the body of a header the completion
 * just wrote (`if b:` then a deeper copy of the line below the cursor is new code), and never a closers-only line (a
 * `}` elsewhere closes another block).
 */
import { indentWidth, isBlank, suffixPrefixOverlaps } from "./text";
import type { PostProcessStep } from "./types";

const MAX_COMPARED_LINES = 60;

/** A line that ends by opening a block or a header's body: `{`, `(`, `[`, `:`. */
const OPENS_BLOCK = /[{([:]\s*$/;

/** The line with trailing spaces removed, and its content (indentation dropped, inner runs of spaces as one) when it
 * has a letter or digit; closers-only lines are compared verbatim. */
function lineKey(line: string): { readonly verbatim: string; readonly content: string | undefined } {
  const verbatim = line.trimEnd();
  return { verbatim, content: /[\p{L}\p{N}]/u.test(verbatim) ? verbatim.trim().replace(/\s+/g, " ") : undefined };
}

function sameLine(a: ReturnType<typeof lineKey>, b: ReturnType<typeof lineKey>, anyIndent: boolean): boolean {
  return a.verbatim === b.verbatim || (anyIndent && a.content !== undefined && a.content === b.content);
}

export const removeLinesTheSuffixHas: PostProcessStep = (c, ctx) => {
  const lines = c.text.split("\n");
  const last = lines.length - 1;
  const full = lines.map((l, i) => lineKey(i === 0 ? ctx.linePrefix + l : l));
  // The rest of the cursor line follows the last line, unless the completion writes it too (replaced then).
  const lineSuffix = ctx.lineSuffix.trimEnd();
  const lastLine = last === 0 ? ctx.linePrefix + lines[0]! : lines[last]!;
  const lastVariants = isBlank(lineSuffix)
    ? [full[last]!]
    : [0, ...suffixPrefixOverlaps(lastLine, lineSuffix)].map((k) => lineKey(lastLine + lineSuffix.slice(k)));
  const isContent = (i: number) => (i === last ? lastVariants.some((v) => v.verbatim.trim() !== "") : !isBlank(full[i]!.verbatim));
  const contentIdx: number[] = [];
  for (let i = 0; i < full.length; i++) if (isContent(i)) contentIdx.push(i);
  if (contentIdx.length === 0) return c;
  const next: ReturnType<typeof lineKey>[] = [];
  for (const l of ctx.nextLines) {
    if (next.length >= Math.min(contentIdx.length, MAX_COMPARED_LINES)) break;
    if (!isBlank(l)) next.push(lineKey(l));
  }
  // Largest m: the last m content lines of the completion equal the first m content lines after the cursor line.
  for (let m = Math.min(contentIdx.length, next.length); m >= 1; m--) {
    const firstDup = contentIdx[contentIdx.length - m]!;
    const before = contentIdx[contentIdx.length - m - 1];
    const isBody = before !== undefined && OPENS_BLOCK.test(full[before]!.verbatim) &&
      indentWidth(full[firstDup]!.verbatim, ctx.tabSize) > indentWidth(full[before]!.verbatim, ctx.tabSize);
    const anyIndent = m >= 2 && !isBody;
    let same = true;
    for (let j = 0; j < m && same; j++) {
      const i = contentIdx[contentIdx.length - m + j]!;
      same = i === last ? lastVariants.some((v) => sameLine(v, next[j]!, anyIndent)) : sameLine(full[i]!, next[j]!, anyIndent);
    }
    if (!same) continue;
    if (firstDup === 0) return undefined;
    return { ...c, text: lines.slice(0, firstDup).join("\n").trimEnd() };
  }
  return c;
};
