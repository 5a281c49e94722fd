/**
 * A small, language-aware-enough bracket scanner: skips strings and comments, tracks the openers left open before the
 * cursor, and reads a completion against them. Linear in the text it is given; the prefix is scanned from a bounded
 * tail that starts at a line start.
 */

export type Opener = "(" | "[" | "{";
const OPENER_OF: Record<string, Opener> = { ")": "(", "]": "[", "}": "{" };

interface Syntax {
  readonly lineComments: readonly string[];
  readonly blockComment: readonly [string, string] | undefined;
  /** Quotes whose strings may span lines. */
  readonly multilineQuotes: readonly string[];
  /** Quotes whose strings end at the line end at the latest. */
  readonly lineQuotes: readonly string[];
  /** Matches the first character of any of the above or a bracket: in code, the scanner skips to the next match. */
  readonly nextTrigger: RegExp;
}

function syntaxOf(shape: Omit<Syntax, "nextTrigger">): Syntax {
  const starts = [...shape.lineComments, ...(shape.blockComment ?? []), ...shape.multilineQuotes, ...shape.lineQuotes, "(", "[", "{", ")", "]", "}"];
  const chars = [...new Set(starts.map((text) => text[0]!))].map((char) => `\\${char}`).join("");
  return { ...shape, nextTrigger: new RegExp(`[${chars}]`, "g") };
}

const C_LIKE = syntaxOf({ lineComments: ["//"], blockComment: ["/*", "*/"], multilineQuotes: ["`"], lineQuotes: ['"', "'"] });
const HASH = syntaxOf({ lineComments: ["#"], blockComment: undefined, multilineQuotes: ['"""', "'''"], lineQuotes: ['"', "'"] });
const DASH = syntaxOf({ lineComments: ["--"], blockComment: undefined, multilineQuotes: [], lineQuotes: ['"', "'"] });

const HASH_LANGUAGES = new Set([
  "python", "ruby", "shellscript", "bash", "sh", "zsh", "perl", "r", "yaml", "toml", "dockerfile", "makefile",
  "powershell", "elixir", "julia", "nim", "coffeescript", "crystal", "gdscript", "cmake", "properties", "ini",
]);
const DASH_LANGUAGES = new Set(["sql", "lua", "haskell", "elm", "ada", "purescript"]);
/** Languages where the bracket logic is not applied. */
export const PROSE_LANGUAGES = new Set(["markdown", "plaintext", "text", "restructuredtext", "asciidoc", "latex", "tex", "log"]);

export function syntaxFor(languageId: string): Syntax {
  if (HASH_LANGUAGES.has(languageId)) return HASH;
  if (DASH_LANGUAGES.has(languageId)) return DASH;
  return C_LIKE;
}

/** An opener left open before the cursor. */
export interface PendingOpener {
  readonly char: Opener;
  /** Whether it is on the cursor line (then it is trusted when judging a completion's closers). */
  readonly onCursorLine: boolean;
}

export interface ScanState {
  readonly pending: readonly PendingOpener[];
  /** The quote of the string the cursor is in (opened before the cursor), if any. */
  readonly openQuote: string | undefined;
  /** Inside a block comment at the cursor. */
  readonly inBlockComment: boolean;
}

type Mode = { kind: "code" } | { kind: "lineComment" } | { kind: "blockComment" } | { kind: "string"; quote: string };

function startsWithAt(s: string, i: number, token: string): boolean {
  return s.startsWith(token, i);
}

/** Scans the prefix (lines above + the cursor line's prefix) and returns the state at the cursor. */
export function scanPrefix(prefixTail: string, linePrefix: string, languageId: string): ScanState {
  const syntax = syntaxFor(languageId);
  const stack: PendingOpener[] = [];
  let mode = { kind: "code" } as Mode;
  const scanPart = (s: string, onCursorLine: boolean): void => {
    for (let i = 0; i < s.length; i++) {
      const ch = s[i]!;
      // Comments are skipped whole (the prefix tail is thousands of characters, scanned for every completion).
      if (mode.kind === "lineComment") {
        const lineEnd = s.indexOf("\n", i);
        if (lineEnd < 0) break;
        mode = { kind: "code" };
        i = lineEnd;
        continue;
      }
      if (mode.kind === "blockComment") {
        const end = syntax.blockComment?.[1] ?? "";
        const at = end === "" ? -1 : s.indexOf(end, i);
        if (at < 0) break;
        mode = { kind: "code" };
        i = at + end.length - 1;
        continue;
      }
      if (mode.kind === "string") {
        if (ch === "\\") {
          i++;
          continue;
        }
        if (startsWithAt(s, i, mode.quote)) {
          i += mode.quote.length - 1;
          mode = { kind: "code" };
        } else if (ch === "\n" && syntax.lineQuotes.includes(mode.quote)) {
          mode = { kind: "code" };
        }
        continue;
      }
      // code: only brackets and the starts of comments and strings matter
      syntax.nextTrigger.lastIndex = i;
      const trigger = syntax.nextTrigger.exec(s);
      if (trigger === null) break;
      if (trigger.index > i) {
        i = trigger.index - 1;
        continue;
      }
      if (syntax.lineComments.some((t) => startsWithAt(s, i, t))) {
        mode = { kind: "lineComment" };
        continue;
      }
      if (syntax.blockComment && startsWithAt(s, i, syntax.blockComment[0])) {
        mode = { kind: "blockComment" };
        i += syntax.blockComment[0].length - 1;
        continue;
      }
      const quote = quoteAt(s, i, syntax);
      if (quote) {
        mode = { kind: "string", quote };
        i += quote.length - 1;
        continue;
      }
      if (ch === "(" || ch === "[" || ch === "{") {
        stack.push({ char: ch, onCursorLine });
      } else if (ch === ")" || ch === "]" || ch === "}") {
        const opener = OPENER_OF[ch];
        // Recover from scanner confusion (regex literals, unbalanced text): pop down to the matching opener if any.
        for (let k = stack.length - 1; k >= 0; k--) {
          if (stack[k]!.char === opener) {
            stack.length = k;
            break;
          }
        }
      }
    }
  };
  scanPart(prefixTail, false);
  if (mode.kind === "lineComment") mode = { kind: "code" }; // the tail ends at a line break
  scanPart(linePrefix, true);
  return {
    pending: stack,
    openQuote: mode.kind === "string" ? mode.quote : undefined,
    inBlockComment: mode.kind === "blockComment",
  };
}

function quoteAt(s: string, i: number, syntax: Syntax): string | undefined {
  for (const q of syntax.multilineQuotes) if (startsWithAt(s, i, q)) return q;
  for (const q of syntax.lineQuotes) if (startsWithAt(s, i, q)) return q;
  return undefined;
}

export interface CompletionBrackets {
  /** Index of the first closer that would break the structure (mismatches an opener it must close), if any. */
  readonly breakAt: number | undefined;
  /** Closers (and the closing quote) the completion writes for openers before the cursor, in order. */
  readonly consumed: string;
  /** Index in the completion of each consumed closer. */
  readonly consumedAt: readonly number[];
  /** Openers the completion leaves open (its own), or a string it leaves open. */
  readonly leftOpen: number;
  /** Openers from before the cursor still open after the completion (as far as the scanned window knows). */
  readonly pendingLeft: number;
}

/** Reads a completion against the state at the cursor. Stops at the first structure-breaking closer. */
export function analyzeCompletion(text: string, state: ScanState, languageId: string): CompletionBrackets {
  const syntax = syntaxFor(languageId);
  const pending = state.pending.slice();
  const local: Opener[] = [];
  let consumed = "";
  const consumedAt: number[] = [];
  let mode = modeAtCursor(state);
  let stringFromPrefix = state.openQuote !== undefined;
  let breakAt: number | undefined;
  for (let i = 0; i < text.length; i++) {
    const read = readNonCode(text, i, mode, syntax);
    if (read !== undefined) {
      if (stringFromPrefix && mode.kind === "string" && read.mode.kind === "code") {
        // The string the cursor is in ends here: closed by its quote (consumed), or by the line's end.
        if (read.closedQuote) {
          consumed += mode.quote;
          consumedAt.push(i);
        }
        stringFromPrefix = false;
      }
      mode = read.mode;
      i = read.last;
      continue;
    }
    const ch = text[i]!;
    if (ch === "(" || ch === "[" || ch === "{") {
      local.push(ch);
      continue;
    }
    if (ch !== ")" && ch !== "]" && ch !== "}") continue;
    const opener = OPENER_OF[ch]!;
    if (local.length > 0) {
      if (local[local.length - 1] === opener) {
        local.pop();
        continue;
      }
      breakAt = i;
      break;
    }
    const top = pending[pending.length - 1];
    if (top === undefined) continue; // closes something outside the window: nothing to judge it by
    if (top.char === opener) {
      pending.pop();
      consumed += ch;
      consumedAt.push(i);
      continue;
    }
    if (top.onCursorLine) {
      // The cursor line left `top` open, and this closer does not close it.
      breakAt = i;
      break;
    }
    // An opener from lines above may be a scanner artefact: accept the closer if it matches one deeper down.
    const k = findLastIndex(pending, (p) => p.char === opener);
    if (k >= 0) {
      pending.length = k;
      consumed += ch;
      consumedAt.push(i);
    }
  }
  const leftOpen = local.length + (mode.kind === "string" && !stringFromPrefix ? 1 : 0);
  return { breakAt, consumed, consumedAt, leftOpen, pendingLeft: pending.length };
}

/**
 * For each line of a completion, whether it starts inside a string that spans lines (a Python triple-quoted string,
 * a template literal) or a block comment, opened before the cursor or by the completion: such a line is text, and its
 * indentation says nothing about the code's structure. Linear in the text.
 */
export function linesStartingInText(text: string, state: ScanState, languageId: string): boolean[] {
  const syntax = syntaxFor(languageId);
  let mode = modeAtCursor(state);
  const out: boolean[] = [false];
  for (let i = 0; i < text.length; i++) {
    const read = readNonCode(text, i, mode, syntax);
    const last = read?.last ?? i;
    if (read !== undefined) mode = read.mode;
    for (let j = i; j <= last; j++) if (text[j] === "\n") out.push(mode.kind !== "code");
    i = last;
  }
  return out;
}

function modeAtCursor(state: ScanState): Mode {
  return state.openQuote ? { kind: "string", quote: state.openQuote } : state.inBlockComment ? { kind: "blockComment" } : { kind: "code" };
}

/**
 * Reads comments and strings one step at `i` in `mode`: the index of the last character the step covers, the mode
 * after it, and whether it closed a string with its quote. Undefined where `text[i]` is code outside both.
 */
function readNonCode(text: string, i: number, mode: Mode, syntax: Syntax): { mode: Mode; last: number; closedQuote?: boolean } | undefined {
  const ch = text[i]!;
  if (mode.kind === "lineComment") return { mode: ch === "\n" ? { kind: "code" } : mode, last: i };
  if (mode.kind === "blockComment") {
    const end = syntax.blockComment?.[1] ?? "";
    return end && startsWithAt(text, i, end) ? { mode: { kind: "code" }, last: i + end.length - 1 } : { mode, last: i };
  }
  if (mode.kind === "string") {
    if (ch === "\\") return { mode, last: Math.min(i + 1, text.length - 1) };
    if (startsWithAt(text, i, mode.quote)) return { mode: { kind: "code" }, last: i + mode.quote.length - 1, closedQuote: true };
    if (ch === "\n" && syntax.lineQuotes.includes(mode.quote)) return { mode: { kind: "code" }, last: i };
    return { mode, last: i };
  }
  if (syntax.lineComments.some((t) => startsWithAt(text, i, t))) return { mode: { kind: "lineComment" }, last: i };
  if (syntax.blockComment && startsWithAt(text, i, syntax.blockComment[0])) return { mode: { kind: "blockComment" }, last: i + syntax.blockComment[0].length - 1 };
  const quote = quoteAt(text, i, syntax);
  return quote ? { mode: { kind: "string", quote }, last: i + quote.length - 1 } : undefined;
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

/** Characters that may follow the cursor without making it "mid-line" (auto-closed pairs and statement ends). */
export const CLOSER_LIKE = /^[\s)\]}>"'`;,]*$/;
