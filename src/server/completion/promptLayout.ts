/**
 * Where the prompt's stable part starts and ends, chosen so the model's KV cache can be reused. Pure: no vscode.
 *
 * A FIM prompt reads `head…split` (the stable prefix), the suffix, then `split…cursor` (the recent prefix) after the
 * middle token. Tokens are reused only up to the first difference with the previous prompt, so:
 *
 * - The split stays where the previous prompt put it while the user types on below it — Enter included — as long as
 *   the text from it to the cursor fits `recentTokens` (and `recentLines`): new text only appends to the recent
 *   prefix, and the suffix (which follows the stable prefix) is not re-read for the lines above. A fresh split at the
 *   cursor line's start would move the suffix on every Enter (~250 tokens). A move down re-reads only the lines moved
 *   over and the suffix, with no KV shifting.
 * - The head stays where the previous prompt put it while the stable prefix from it still fits the budget and keeps
 *   at least `minKeptShare` of what a fresh window would hold: moving the cursor up then re-reads only the suffix,
 *   not the ~1,000 tokens of lines above (a fresh window would start higher, so every token would differ).
 * - The suffix stays what the previous prompt had while the split stays and the document still holds that text right
 *   after the cursor (typing at the cursor never changes it). A fresh window would often cut it a line shorter after
 *   an Enter — in a file shorter than the prefix budget the suffix gets the prefix's unused budget, which typing uses
 *   up — and every token of the suffix would be read again.
 *
 * A move down past the recent prefix's cap starts a fresh window; the runtime then shifts cached chunks into place.
 */
import type { ContextWindow } from "./contextWindow";

/** The boundaries of the prompt last sent to the model. */
export interface PromptAnchor {
  /** Which document (its path); other documents start fresh. */
  readonly documentKey: string;
  /** Offset of the stable prefix's first character (a line start). */
  readonly head: number;
  /** Offset where the stable prefix ends and the recent prefix begins (a line start). */
  readonly split: number;
  /** The stable prefix's text, to tell whether the document still holds it at `head`. */
  readonly stablePrefix: string;
  /** The text after the cursor that the prompt held. */
  readonly suffix: string;
}

export interface PromptLayoutLimits {
  /** Token budget of the stable prefix. */
  readonly prefixTokens: number;
  /** Token cap of the recent prefix (split to cursor). */
  readonly recentTokens: number;
  /** Most whole lines between the split and the cursor line. */
  readonly recentLines: number;
  /** A kept head must give the stable prefix at least this share of a fresh window's tokens. */
  readonly minKeptShare: number;
}

export const DEFAULT_LAYOUT_LIMITS: Omit<PromptLayoutLimits, "prefixTokens" | "recentTokens"> = { recentLines: 64, minKeptShare: 0.5 };

export interface PromptLayout {
  readonly stablePrefix: string;
  readonly recentPrefix: string;
  readonly suffix: string;
  /** What to remember for the next request; undefined when the cursor line was cut (no line boundary to keep). */
  readonly anchor: PromptAnchor | undefined;
  /** Which previous boundaries were kept (for logs and tests). */
  readonly kept: { readonly head: boolean; readonly split: boolean; readonly suffix: boolean };
}

export function planPromptLayout(
  document: string,
  cursor: number,
  window: ContextWindow,
  documentKey: string,
  previous: PromptAnchor | undefined,
  limits: PromptLayoutLimits,
  countTokens: (text: string) => number,
): PromptLayout {
  const lineStart = window.lineStart;
  // A cursor line longer than its cap was cut mid-line: the window's pieces are not contiguous, keep them as they are.
  if (!isLineStart(document, lineStart)) {
    return {
      stablePrefix: window.prefixBeforeLine, recentPrefix: window.linePrefix, suffix: window.suffix, anchor: undefined,
      kept: { head: false, split: false, suffix: false },
    };
  }
  const prior = usableAnchor(document, documentKey, previous);
  const split = prior !== undefined && keepsSplit(document, cursor, lineStart, prior, limits, countTokens) ? prior.split : lineStart;

  let head = Math.min(window.prefixStart, split);
  if (prior !== undefined && prior.head <= split && prior.head !== head) {
    if (prior.split === split) {
      head = prior.head;
    } else {
      const tokens = countTokens(document.slice(prior.head, split));
      if (tokens <= limits.prefixTokens && tokens >= limits.minKeptShare * window.prefixTokenCount) head = prior.head;
    }
  }

  const keptSplit = prior !== undefined && split === prior.split;
  const keptSuffix = keptSplit && prior.suffix !== window.suffix && document.startsWith(prior.suffix, cursor);
  const suffix = keptSuffix ? prior.suffix : window.suffix;
  const stablePrefix = document.slice(head, split);
  return {
    stablePrefix,
    recentPrefix: document.slice(split, cursor),
    suffix,
    anchor: { documentKey, head, split, stablePrefix, suffix },
    kept: { head: prior !== undefined && head === prior.head, split: keptSplit, suffix: keptSplit && suffix === prior.suffix },
  };
}

/**
 * The previous anchor when the next prompt will keep its split and head (the user typed on below the split): the
 * caller then needs no fresh window above the cursor, only its line and suffix. Undefined otherwise.
 */
export function anchorKeptWhileTyping(
  document: string, cursor: number, documentKey: string, previous: PromptAnchor | undefined, limits: PromptLayoutLimits,
  countTokens: (text: string) => number,
): PromptAnchor | undefined {
  const prior = usableAnchor(document, documentKey, previous);
  if (prior === undefined || prior.split > cursor) return undefined;
  const lineStart = document.lastIndexOf("\n", cursor - 1) + 1;
  return lineStart >= prior.split && keepsSplit(document, cursor, lineStart, prior, limits, countTokens) ? prior : undefined;
}

function usableAnchor(document: string, documentKey: string, previous: PromptAnchor | undefined): PromptAnchor | undefined {
  return previous !== undefined && previous.documentKey === documentKey && holdsPrefix(document, previous) ? previous : undefined;
}

/** Whether the split can stay at `prior.split` for a cursor on the line starting at `lineStart`. */
function keepsSplit(
  document: string, cursor: number, lineStart: number, prior: PromptAnchor, limits: PromptLayoutLimits, countTokens: (text: string) => number,
): boolean {
  if (prior.split === lineStart) return true;
  return prior.split < lineStart && isLineStart(document, prior.split) &&
    linesBetween(document, prior.split, lineStart) <= limits.recentLines &&
    countTokens(document.slice(prior.split, cursor)) <= limits.recentTokens;
}

function isLineStart(document: string, offset: number): boolean {
  return offset === 0 || document.charCodeAt(offset - 1) === 10;
}

/** Whether the document still holds the anchor's stable prefix where it was (edits above it move or change it). */
function holdsPrefix(document: string, anchor: PromptAnchor): boolean {
  return anchor.head + anchor.stablePrefix.length === anchor.split && document.startsWith(anchor.stablePrefix, anchor.head);
}

function linesBetween(document: string, from: number, to: number): number {
  let lines = 0;
  for (let i = from; i < to; i++) if (document.charCodeAt(i) === 10) lines++;
  return lines;
}
