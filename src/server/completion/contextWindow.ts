/**
 * Chooses the part of the document the model sees around the cursor. Pure, no vscode.
 *
 * - `prefixBeforeLine`: whole lines above the cursor line, ending at the cursor line's start.
 * - `linePrefix` / `lineSuffix`: the cursor line before / after the cursor (`lineSuffix` without the line break).
 * - `suffix`: text after the cursor: `lineSuffix`, its line break, then whole lines.
 *
 * Budgets (tokens, counted with the caller's `countTokens`):
 * - `prefixTokens` is for `prefixBeforeLine` only: the cursor line's own prefix has its own cap
 *   (`linePrefixTokens`), so typing on a line never changes `prefixBeforeLine` (the prompt's stable part, cached in
 *   the KV cache) — only `linePrefix` grows.
 * - `suffixTokens` covers the whole `suffix`, `lineSuffix` included (capped by `lineSuffixTokens`).
 * - Budget one side cannot use (document start/end reached) goes to the other side (`shareUnusedBudget`, default on).
 *   Both results stay stable while typing on a line, since neither depends on the cursor column.
 *
 * Cost: never scans or tokenizes the whole document. Every search for a line break is bounded by the budget times
 * {@link MAX_CHARS_PER_TOKEN}; the window is first estimated by characters ({@link CHARS_PER_TOKEN_GUESS}), then
 * refined by counting chunks of whole lines (halving a chunk that does not fit), and counted once more as a whole when
 * it was assembled from several chunks. A line that is longer than the bound (minified code) ends the window there.
 * The cursor line is the only one ever cut mid-line: `linePrefix` keeps its tail, starting at a multiple of
 * {@link LINE_CUT_QUANTUM} characters so the cut does not move on every keystroke (the lines above are still used
 * when the line's start was found; when even the line start is beyond the scan bound, `prefixBeforeLine` is empty),
 * and `lineSuffix` keeps its head (then `suffix` is just that head).
 */

export interface ContextWindowOptions {
  /** Token budget for the lines above the cursor line. */
  readonly prefixTokens: number;
  /** Token budget for the text after the cursor (rest of the cursor line included). */
  readonly suffixTokens: number;
  readonly countTokens: (text: string) => number;
  /** Cap for the cursor line's prefix (default 256). Not taken from `prefixTokens`. */
  readonly linePrefixTokens?: number;
  /** Cap for the rest of the cursor line (default 256). `lineSuffix` is reported up to this cap even when the suffix
   * budget is smaller (post-processing needs it); `suffix` only takes what fits in `suffixTokens`. */
  readonly lineSuffixTokens?: number;
  /** Give the budget one side cannot use to the other side (default true). */
  readonly shareUnusedBudget?: boolean;
}

export interface ContextWindow {
  readonly prefixBeforeLine: string;
  readonly linePrefix: string;
  readonly lineSuffix: string;
  readonly suffix: string;
  /** Document offset where `prefixBeforeLine` starts (equals `lineStart` when it is empty). */
  readonly prefixStart: number;
  /** Document offset where `linePrefix` starts (the cursor line's start unless the line was cut). */
  readonly lineStart: number;
  /** Document offset just after `suffix`. */
  readonly suffixEnd: number;
  /** Tokens counted for `prefixBeforeLine` and `suffix` (sums of chunk counts unless verified as a whole). */
  readonly prefixTokenCount: number;
  readonly suffixTokenCount: number;
  /** Whether text before `prefixStart` / after `suffixEnd` was left out. */
  readonly prefixTruncated: boolean;
  readonly suffixTruncated: boolean;
}

/** First guess of characters per token (code is ~3–4). */
export const CHARS_PER_TOKEN_GUESS = 4;
/** No search for a line break goes further than budget × this many characters. */
export const MAX_CHARS_PER_TOKEN = 32;
/** Window chunks above the cursor start just after multiples of this many characters (see fitBackward). */
export const CHUNK_GRID = 512;
/** A cut inside the cursor line starts at a multiple of this many characters. */
export const LINE_CUT_QUANTUM = 128;
/** The cursor line's start and end are looked for this far at most (a plain character scan: ~0.3 ms). */
export const LINE_SCAN_CHARS = 256 * 1024;

const DEFAULT_LINE_TOKENS = 256;

type Count = (text: string) => number;

export function buildContextWindow(document: string, cursorOffset: number, options: ContextWindowOptions): ContextWindow {
  const count = options.countTokens;
  const cursor = Math.max(0, Math.min(document.length, Math.floor(cursorOffset)));
  const prefixBudget = Math.max(0, Math.floor(options.prefixTokens));
  const suffixBudget = Math.max(0, Math.floor(options.suffixTokens));
  const linePrefixCap = Math.max(1, Math.floor(options.linePrefixTokens ?? DEFAULT_LINE_TOKENS));
  const lineSuffixCap = Math.max(0, Math.floor(options.lineSuffixTokens ?? DEFAULT_LINE_TOKENS));
  const share = options.shareUnusedBudget ?? true;

  // ---- cursor line, before the cursor ----
  const lineScan = Math.max(LINE_SCAN_CHARS, Math.max(linePrefixCap, prefixBudget) * MAX_CHARS_PER_TOKEN);
  const foundLineStart = lineStartBackward(document, cursor, Math.max(0, cursor - lineScan));
  const lineKnown = foundLineStart >= 0;
  let lineStart = lineKnown ? foundLineStart : Math.max(0, cursor - lineScan);
  lineStart = capLinePrefixStart(document, lineStart, cursor, linePrefixCap, count);
  const linePrefix = document.slice(lineStart, cursor);

  // ---- lines above: only when the cursor line's start is known (else there is no line boundary to stop at) ----
  const lineStartOfPrefix = lineKnown ? foundLineStart : lineStart;
  let prefix: Fit = { start: lineStartOfPrefix, used: 0, stop: "longLine", chunks: 0 };
  if (lineKnown) prefix = fitBackward(document, lineStartOfPrefix, prefixBudget, count, { start: lineStartOfPrefix, used: 0, stop: "budget", chunks: 0 });

  // ---- after the cursor; the prefix's unusable budget goes to the suffix ----
  const extraForSuffix = share && prefix.stop !== "budget" ? Math.max(0, prefixBudget - prefix.used) : 0;
  const suffix = fitSuffix(document, cursor, suffixBudget + extraForSuffix, lineSuffixCap, count);

  // ---- and the suffix's unusable budget goes to the prefix ----
  if (share && prefix.stop === "budget" && suffix.stop !== "budget") {
    const spare = suffixBudget - suffix.used;
    if (spare > 0) prefix = fitBackward(document, lineStartOfPrefix, prefixBudget + spare, count, prefix);
  }

  const prefixBeforeLine = document.slice(prefix.start, lineStartOfPrefix);
  return {
    prefixBeforeLine,
    linePrefix,
    lineSuffix: suffix.lineSuffix,
    suffix: document.slice(cursor, suffix.end),
    prefixStart: prefix.start,
    lineStart,
    suffixEnd: suffix.end,
    prefixTokenCount: prefix.used,
    suffixTokenCount: suffix.used,
    prefixTruncated: prefix.start > 0,
    suffixTruncated: suffix.end < document.length,
  };
}

// ---------------------------------------------------------------------------------------------------------------

/** Why a window stopped growing: it reached the document's edge, the budget, or a line too long to scan past. */
type Stop = "edge" | "budget" | "longLine";

interface Fit {
  /** Window start (a line start). */
  readonly start: number;
  readonly used: number;
  readonly stop: Stop;
  /** How many counted chunks the window consists of (1 ⇒ `used` is exact). */
  readonly chunks: number;
}

/**
 * Grows a window of whole lines upward from `init.start` (≤ `end`) while it fits in `budget`.
 *
 * Chunks start at the first line start after a multiple of {@link CHUNK_GRID} characters (while they are large), so
 * the chunks above the cursor are the same texts from one request to the next — typing and Enter change offsets only
 * below them — and the caller's token counter can answer from its cache.
 */
function fitBackward(doc: string, end: number, budget: number, count: Count, init: Fit): Fit {
  let start = init.start;
  let used = init.used;
  let chunks = init.chunks;
  let stop: Stop = "budget";
  let guessChars = Math.max(1, (budget - used) * CHARS_PER_TOKEN_GUESS);
  let first = true;
  while (start > 0 && used < budget) {
    const remaining = budget - used;
    const floor = Math.max(0, start - remaining * MAX_CHARS_PER_TOKEN);
    guessChars = Math.min(guessChars, Math.max(1, remaining * CHARS_PER_TOKEN_GUESS));
    // The chunk: whole lines in [chunkStart, start), about guessChars long (the first one only up to the grid point
    // below, when that is nearer), at least one line.
    const large = guessChars >= 2 * CHUNK_GRID;
    // Large chunks are a power of two of characters long: the remaining budget shifts a little with every Enter, and
    // chunk boundaries must not follow it.
    const step = large ? 2 ** Math.floor(Math.log2(guessChars)) : guessChars;
    const target = first && start - alignDown(start - 1) <= step ? start - 1 : start - step;
    const aligned = large ? alignDown(target) : target;
    first = false;
    let chunkStart = lineStartAtOrAfter(doc, Math.max(floor, aligned), start);
    if (chunkStart >= start) {
      // Less than one line in the guess: take exactly the previous line (bounded search).
      chunkStart = lineStartBackward(doc, start - 1, floor);
      if (chunkStart < 0) {
        stop = "longLine";
        break;
      }
    }
    const n = count(doc.slice(chunkStart, start));
    if (n <= remaining) {
      used += n;
      start = chunkStart;
      chunks++;
      continue;
    }
    if (isSingleLine(doc, chunkStart, start)) break;
    guessChars = Math.max(1, Math.floor((start - chunkStart) / 2));
  }
  if (start === 0) stop = "edge";
  if (chunks > 1 && start < end) {
    // Chunk counts are nearly additive; make the result exact, dropping top lines if it is over.
    used = count(doc.slice(start, end));
    chunks = 1;
    while (used > budget && start < end) {
      const dropChars = Math.max(1, Math.ceil(((end - start) * (used - budget)) / used));
      start = lineStartAtOrAfter(doc, Math.min(end, start + dropChars), end);
      used = start < end ? count(doc.slice(start, end)) : 0;
      stop = "budget";
    }
  }
  return { start, used, stop, chunks };
}

interface SuffixFit {
  readonly end: number;
  readonly used: number;
  readonly lineSuffix: string;
  readonly stop: Stop;
}

function fitSuffix(doc: string, cursor: number, budget: number, lineCap: number, count: Count): SuffixFit {
  const scanLimit = Math.min(doc.length, cursor + Math.max(LINE_SCAN_CHARS, Math.max(lineCap, budget, 1) * MAX_CHARS_PER_TOKEN));
  const nl = indexOfNewline(doc, cursor, scanLimit);
  const lineEnd = nl >= 0 ? nl : scanLimit;
  const lineWhole = nl >= 0 || scanLimit === doc.length;
  let lineSuffixEnd = lineEnd;
  if (lineSuffixEnd > cursor && doc.charCodeAt(lineSuffixEnd - 1) === 13 /* \r */ && lineWhole) lineSuffixEnd--;

  // The rest of the cursor line as reported (capped by lineCap, keeping its head), and as much of it as the budget takes.
  const line = capHead(doc, cursor, lineSuffixEnd, lineCap, count);
  const lineSuffix = doc.slice(cursor, line.end);
  if (line.used > budget) {
    const head = capHead(doc, cursor, line.end, budget, count);
    return { end: head.end, used: head.used, lineSuffix, stop: "budget" };
  }
  if (line.end < lineSuffixEnd || !lineWhole || nl < 0) {
    // Cut line, or the document ends on this line.
    return { end: line.end, used: line.used, lineSuffix, stop: line.end === doc.length ? "edge" : line.end < lineSuffixEnd ? "budget" : "longLine" };
  }
  // Whole cursor line including its line break, then whole lines.
  const afterLine = nl + 1;
  const used = count(doc.slice(cursor, afterLine));
  if (used > budget) return { end: line.end, used: line.used, lineSuffix, stop: "budget" };
  const fit = fitForward(doc, afterLine, budget, used, count);
  return { end: fit.end, used: fit.used, lineSuffix, stop: fit.stop };
}

/** The longest head of [from, to) within `cap` tokens (estimated by characters first for very long text). */
function capHead(doc: string, from: number, to: number, cap: number, count: Count): { end: number; used: number } {
  let end = to;
  if (end - from > cap * MAX_CHARS_PER_TOKEN) end = avoidSplitSurrogateEnd(doc, from + cap * CHARS_PER_TOKEN_GUESS);
  let used = end > from ? count(doc.slice(from, end)) : 0;
  while (used > cap && end > from) {
    const keep = Math.floor((((end - from) * cap) / used) * 0.9);
    end = avoidSplitSurrogateEnd(doc, from + Math.max(0, keep));
    used = end > from ? count(doc.slice(from, end)) : 0;
  }
  return { end, used };
}

/** Grows a window of whole lines downward from `start` while it fits; `used` tokens are already spent. */
function fitForward(doc: string, start: number, budget: number, usedBefore: number, count: Count): { end: number; used: number; stop: Stop } {
  let end = start;
  let used = usedBefore;
  let chunks = 0;
  let stop: Stop = "budget";
  let guessChars = Math.max(1, (budget - used) * CHARS_PER_TOKEN_GUESS);
  while (end < doc.length && used < budget) {
    const remaining = budget - used;
    const ceiling = Math.min(doc.length, end + remaining * MAX_CHARS_PER_TOKEN);
    guessChars = Math.min(guessChars, Math.max(1, remaining * CHARS_PER_TOKEN_GUESS));
    let chunkEnd = lineEndAtOrBefore(doc, end, Math.min(doc.length, end + guessChars));
    if (chunkEnd <= end) {
      const nl = indexOfNewline(doc, end, ceiling);
      if (nl >= 0) chunkEnd = nl + 1;
      else if (ceiling === doc.length) chunkEnd = doc.length;
      else {
        stop = "longLine";
        break;
      }
    }
    const n = count(doc.slice(end, chunkEnd));
    if (n <= remaining) {
      used += n;
      end = chunkEnd;
      chunks++;
      continue;
    }
    if (isSingleLine(doc, end, chunkEnd)) break;
    guessChars = Math.max(1, Math.floor((chunkEnd - end) / 2));
  }
  if (end >= doc.length) stop = "edge";
  if (chunks > 1) {
    used = usedBefore + count(doc.slice(start, end));
    while (used > budget && end > start) {
      const dropChars = Math.max(1, Math.ceil(((end - start) * (used - budget)) / Math.max(1, used - usedBefore)));
      end = lineEndBefore(doc, start, end - dropChars);
      used = usedBefore + (end > start ? count(doc.slice(start, end)) : 0);
      stop = "budget";
    }
  }
  return { end, used, stop };
}

/** Moves `lineStart` forward (to a multiple of LINE_CUT_QUANTUM) until the text up to the cursor fits in `cap`. */
function capLinePrefixStart(doc: string, lineStart: number, cursor: number, cap: number, count: Count): number {
  if (cursor <= lineStart) return lineStart;
  let start = lineStart;
  // A line far longer than the cap is not counted whole: go straight to the estimate.
  let n = cursor - start > cap * MAX_CHARS_PER_TOKEN ? Number.POSITIVE_INFINITY : count(doc.slice(start, cursor));
  if (n <= cap) return start;
  // Estimate by characters first, then shrink by counting.
  let keep = Math.min(cursor - start, cap * CHARS_PER_TOKEN_GUESS);
  for (;;) {
    const cut = Math.ceil((cursor - keep) / LINE_CUT_QUANTUM) * LINE_CUT_QUANTUM;
    start = avoidSplitSurrogateStart(doc, Math.min(cursor, Math.max(lineStart, cut)));
    n = start < cursor ? count(doc.slice(start, cursor)) : 0;
    if (n <= cap || start >= cursor) return start;
    keep = Math.floor(((cursor - start) * cap) / n * 0.9);
  }
}

function alignDown(offset: number): number {
  return Math.max(0, Math.floor(offset / CHUNK_GRID) * CHUNK_GRID);
}

// ---- bounded scans ------------------------------------------------------------------------------------------------

/** Start of the line containing position `pos - 1`… precisely: index after the last "\n" in [floor, pos); 0 if the
 * scan reaches the document start; -1 if no line break is found down to `floor` (> 0). */
function lineStartBackward(doc: string, pos: number, floor: number): number {
  for (let i = pos - 1; i >= floor; i--) {
    if (doc.charCodeAt(i) === 10) return i + 1;
  }
  return floor === 0 ? 0 : -1;
}

/** The first line start at or after `pos` and at most `limit` (returns `limit` when there is none before it). */
function lineStartAtOrAfter(doc: string, pos: number, limit: number): number {
  if (pos <= 0) return 0;
  if (doc.charCodeAt(pos - 1) === 10) return pos;
  const nl = indexOfNewline(doc, pos, limit);
  return nl >= 0 ? nl + 1 : limit;
}

/** The last line end (index after a "\n") in (from, pos], or `from` when there is none; `doc.length` counts as one. */
function lineEndAtOrBefore(doc: string, from: number, pos: number): number {
  if (pos >= doc.length) return doc.length;
  for (let i = pos - 1; i >= from; i--) {
    if (doc.charCodeAt(i) === 10) return i + 1;
  }
  return from;
}

/** The last line end (index after a "\n") in (from, pos], or `from` when there is none. */
function lineEndBefore(doc: string, from: number, pos: number): number {
  for (let i = Math.min(pos, doc.length) - 1; i >= from; i--) {
    if (doc.charCodeAt(i) === 10) return i + 1;
  }
  return from;
}

/** Index of the first "\n" in [from, limit), or -1. Bounded: never looks at or past `limit`. */
function indexOfNewline(doc: string, from: number, limit: number): number {
  const end = Math.min(limit, doc.length);
  for (let i = from; i < end; i++) {
    if (doc.charCodeAt(i) === 10) return i;
  }
  return -1;
}

/** Whether [from, to) holds at most one line break, at its very end. */
function isSingleLine(doc: string, from: number, to: number): boolean {
  const i = indexOfNewline(doc, from, to);
  return i < 0 || i >= to - 1;
}

function avoidSplitSurrogateStart(doc: string, pos: number): number {
  const c = doc.charCodeAt(pos);
  return c >= 0xdc00 && c <= 0xdfff ? pos + 1 : pos;
}

function avoidSplitSurrogateEnd(doc: string, pos: number): number {
  const c = doc.charCodeAt(pos - 1);
  return c >= 0xd800 && c <= 0xdbff ? pos - 1 : pos;
}
