/**
 * Never repeat text that already follows the cursor (lines): when nothing follows the cursor on its line, trailing
 * lines of the completion that equal the document's next non-blank lines (indentation included, trailing spaces not)
 * are dropped; when every line of the completion is such a line, the completion is dropped (llama.vscode's
 * "repeats the next line" and Tabby's removeDuplicatedBlockClosingLine, generalised to any number of lines).
 * The completion's first line is compared as the whole cursor line (line prefix + its text).
 */
import { isBlank } from "./text";
import type { PostProcessStep } from "./types";

const MAX_COMPARED_LINES = 60;

export const removeLinesTheSuffixHas: PostProcessStep = (c, ctx) => {
  if (!isBlank(ctx.lineSuffix)) return c;
  const lines = c.text.split("\n");
  const full = lines.map((l, i) => (i === 0 ? ctx.linePrefix + l : l).trimEnd());
  const contentIdx: number[] = [];
  for (let i = 0; i < full.length; i++) if (!isBlank(full[i]!)) contentIdx.push(i);
  if (contentIdx.length === 0) return c;
  const next: string[] = [];
  for (const l of ctx.nextLines) {
    if (next.length >= Math.min(contentIdx.length, MAX_COMPARED_LINES)) break;
    if (!isBlank(l)) next.push(l.trimEnd());
  }
  // Largest m: the last m content lines of the completion equal the first m content lines after the cursor line.
  for (let m = Math.min(contentIdx.length, next.length); m >= 1; m--) {
    let same = true;
    for (let j = 0; j < m && same; j++) same = full[contentIdx[contentIdx.length - m + j]!] === next[j];
    if (!same) continue;
    const firstDup = contentIdx[contentIdx.length - m]!;
    if (firstDup === 0) return undefined;
    return { ...c, text: lines.slice(0, firstDup).join("\n").trimEnd() };
  }
  return c;
};
