/**
 * Degenerate repetition, the signature of a small model looping until its token limit:
 * - the completion ends in a block of lines repeated verbatim (any period up to MAX_PERIOD lines);
 * - its last line ends in a short unit repeated many times ("a, a, a, a, a, a").
 * Only the tail is examined, like Tabby's removeRepetitiveLines/Blocks, but with exact comparison (so enumerations like
 * `x.push(1); x.push(2); …` stay) and one pass for every period instead of separate line and block filters.
 */
import { isBlank } from "./text";
import type { PostProcessStep } from "./types";

/** Longest repeated block looked for, in lines; the scan is O(MAX_PERIOD × lines). */
const MAX_PERIOD = 16;

/** Extra verbatim copies needed to call a block of `period` lines degenerate. */
function copiesNeeded(period: number): number {
  return period <= 2 ? (period === 1 ? 3 : 2) : 1;
}

/** Keeps the first copy of a repeated tail block and drops the rest (plus a possibly cut last line). */
export const removeRepetitiveTail: PostProcessStep = (c, ctx) => {
  const all = c.text.split("\n");
  if (all.length < 3) return c;
  // The first line is compared as the whole cursor line.
  const lines = all.map((l, i) => (i === 0 ? ctx.linePrefix + l : l).trimEnd());
  const n = lines.length;
  // The last line may be cut mid-way by the token limit: compare complete lines only.
  const lastComplete = n - 2;
  let keepUntil = n; // exclusive, in `lines`
  for (let p = 1; p <= MAX_PERIOD && 2 * p <= n - 1; p++) {
    let i = lastComplete;
    while (i - p >= 0 && lines[i] === lines[i - p]) i--;
    const run = lastComplete - i;
    if (run < p * copiesNeeded(p)) continue;
    // Lines [i+1-p, i] hold one copy; everything after it repeats it.
    // Runs of blank lines are not degenerate (trailing ones are trimmed elsewhere).
    if (lines.slice(i + 1 - p, i + 1).every(isBlank)) continue;
    keepUntil = Math.min(keepUntil, i + 1);
  }
  if (keepUntil >= n) return c;
  const text = all.slice(0, keepUntil).join("\n").trimEnd();
  return { ...c, text };
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
