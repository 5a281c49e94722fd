/**
 * Degenerate repetition, the signature of a small model looping:
 * - a block of lines repeated verbatim right after itself (any period up to MAX_PERIOD lines), anywhere in the
 *   completion: the first copy is kept and everything after it dropped (what follows a loop is not to be trusted);
 * - its last line ends in a short unit repeated many times ("a, a, a, a, a, a").
 * Verbatim comparison (so enumerations like `x.push(1); x.push(2); …` stay), one pass for every period instead of
 * Tabby's separate line and block filters, which only examine the tail.
 */
import { isBlank } from "./text";
import type { PostProcessStep } from "./types";

/** Longest repeated block looked for, in lines; the scan is O(MAX_PERIOD × lines). */
const MAX_PERIOD = 16;

/** Extra verbatim copies needed to call a block of `period` lines degenerate (a line three times in a row, a pair
 * three times, a longer block twice). */
function copiesNeeded(period: number): number {
  return period <= 2 ? 2 : 1;
}

/** Keeps the first copy of the earliest repeated block and drops everything after it. */
export const removeRepeatedBlocks: PostProcessStep = (c, ctx) => {
  const all = c.text.split("\n");
  if (all.length < 3) return c;
  // The first line is compared as the whole cursor line.
  const lines = all.map((l, i) => (i === 0 ? ctx.linePrefix + l : l).trimEnd());
  // The last line may still grow (or be cut by the token limit): compare complete lines only.
  const lastComplete = lines.length - 2;
  let keepUntil = lines.length; // exclusive
  for (let p = 1; p <= MAX_PERIOD && 2 * p <= lastComplete + 1; p++) {
    const needed = p * copiesNeeded(p);
    let run = 0;
    for (let i = p; i <= lastComplete; i++) {
      run = lines[i] === lines[i - p] ? run + 1 : 0;
      if (run < needed) continue;
      const blockStart = i - run + 1 - p;
      // Runs of blank lines are not degenerate (trailing ones are trimmed elsewhere).
      if (lines.slice(blockStart, blockStart + p).every(isBlank)) continue;
      keepUntil = Math.min(keepUntil, blockStart + p);
      break;
    }
  }
  if (keepUntil >= lines.length) return c;
  return { ...c, text: all.slice(0, keepUntil).join("\n").trimEnd() };
};

/** Start index of a repeated unit at the end of `line` (unit of ≥3 chars ×6, or ≥10 chars ×4; with a letter or digit and
 * at least two distinct characters), or undefined. O(80 × line length). */
export function repeatingTailStart(line: string): number | undefined {
  const len = line.length;
  let best: number | undefined;
  for (let q = 3; q <= 80 && q * 4 <= len; q++) {
    let j = len - 1;
    while (j - q >= 0 && line[j] === line[j - q]) j--;
    const run = len - 1 - j; // chars equal to the char q before them
    const copies = Math.floor(run / q) + 1;
    if (copies < (q >= 10 ? 4 : 6)) continue;
    const start = len - copies * q;
    const unit = line.slice(len - q);
    // A unit of one repeated character ("000", "===") is a literal or a divider, not a loop.
    if (!/[\p{L}\p{N}]/u.test(unit) || new Set(unit).size < 2) continue;
    if (best === undefined || start < best) best = start;
  }
  return best;
}

/** Drops the last non-blank line when it ends in a repeated unit; drops the completion when that is its only line. */
export const removeRepeatingLineEnd: PostProcessStep = (c) => {
  const lines = c.text.split("\n");
  let idx = lines.length - 1;
  while (idx >= 0 && isBlank(lines[idx]!)) idx--;
  if (idx < 0) return c;
  if (repeatingTailStart(lines[idx]!) === undefined) return c;
  if (idx === 0) return undefined;
  return { ...c, text: lines.slice(0, idx).join("\n").trimEnd() };
};
