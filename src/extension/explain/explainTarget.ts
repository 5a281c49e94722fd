// What "Explain Selection" explains when nothing is selected: the smallest symbol around the cursor (from the
// document symbol providers), else the indentation block around it, else the cursor's line.
// Pure (no vscode import): positions and ranges are plain objects shaped like vscode's, so unit tests need no editor.

export interface Pos {
  readonly line: number;
  readonly character: number;
}

export interface RangeLike {
  readonly start: Pos;
  readonly end: Pos;
}

/** A DocumentSymbol or a SymbolInformation, as `vscode.executeDocumentSymbolProvider` returns them. */
export interface SymbolLike {
  readonly name: string;
  readonly range?: RangeLike;
  readonly location?: { readonly range: RangeLike };
  readonly children?: readonly SymbolLike[];
}

export type TargetKind = "selection" | "symbol" | "block" | "line";

export interface ExplainTarget {
  readonly kind: TargetKind;
  readonly range: RangeLike;
  /** The symbol's name, for the panel's title. */
  readonly name?: string;
}

export interface TargetInput {
  readonly lines: readonly string[];
  readonly selection: RangeLike;
  readonly symbols: readonly SymbolLike[];
}

/** The code to explain, or undefined when there is none (an empty or blank document). */
export function resolveExplainTarget(input: TargetInput): ExplainTarget | undefined {
  const { lines, selection } = input;
  if (lines.every((line) => line.trim() === "")) return undefined;
  if (!isEmptyRange(selection) && textOf(lines, selection).trim() !== "") return { kind: "selection", range: selection };
  return enclosingTarget(lines, selection.start, input.symbols, Number.POSITIVE_INFINITY);
}

/**
 * For "Explain this problem": the code around a diagnostic. The enclosing symbol or block when it is short enough
 * to be about the problem, else a few lines around it.
 */
export function resolveProblemTarget(lines: readonly string[], diagnostic: RangeLike, symbols: readonly SymbolLike[], maxLines = 60): ExplainTarget {
  const around = enclosingTarget(lines, diagnostic.start, symbols, maxLines);
  if (around !== undefined && around.kind !== "line") return around;
  const first = Math.max(0, diagnostic.start.line - 3);
  const last = Math.min(lines.length - 1, Math.max(diagnostic.end.line, diagnostic.start.line) + 3);
  return { kind: "block", range: fullLines(lines, first, last) };
}

function enclosingTarget(lines: readonly string[], cursor: Pos, symbols: readonly SymbolLike[], maxLines: number): ExplainTarget | undefined {
  const symbol = smallestEnclosingSymbol(symbols, cursor, maxLines);
  if (symbol !== undefined) return { kind: "symbol", range: fullLines(lines, symbol.range.start.line, symbol.range.end.line), name: symbol.name };
  const block = indentationBlock(lines, cursor.line);
  if (block !== undefined && block.last - block.first + 1 <= maxLines) return { kind: "block", range: fullLines(lines, block.first, block.last) };
  const line = nearestNonBlankLine(lines, cursor.line);
  return line === undefined ? undefined : { kind: "line", range: fullLines(lines, line, line) };
}

/** The smallest symbol (by lines) that contains `cursor` and spans more than one line. */
export function smallestEnclosingSymbol(
  symbols: readonly SymbolLike[], cursor: Pos, maxLines = Number.POSITIVE_INFINITY,
): { name: string; range: RangeLike } | undefined {
  let best: { name: string; range: RangeLike } | undefined;
  const visit = (list: readonly SymbolLike[]) => {
    for (const symbol of list) {
      const range = symbol.range ?? symbol.location?.range;
      if (range === undefined) continue;
      if (contains(range, cursor)) {
        const span = range.end.line - range.start.line;
        if (span >= 1 && span + 1 <= maxLines && (best === undefined || span < best.range.end.line - best.range.start.line)) {
          best = { name: symbol.name, range };
        }
      }
      // SymbolInformation lists are flat; DocumentSymbols nest. Children may lie outside a parent's range in odd providers.
      if (symbol.children !== undefined) visit(symbol.children);
    }
  };
  visit(symbols);
  return best;
}

/**
 * The indentation block around `line`: the line itself when it opens a block (the next non-blank line is indented
 * deeper), else the nearest less-indented line above; then every following line indented deeper than that header,
 * plus a closing bracket / `end` line at the header's indentation. Undefined when `line` is at the top level and
 * opens nothing.
 */
export function indentationBlock(lines: readonly string[], line: number): { first: number; last: number } | undefined {
  const at = nearestNonBlankLine(lines, line);
  if (at === undefined) return undefined;
  let header: number | undefined;
  const next = nextNonBlankLine(lines, at + 1);
  if (next !== undefined && indentOf(lines[next] ?? "") > indentOf(lines[at] ?? "")) {
    header = at;
  } else if (CLOSER.test(lines[at] ?? "")) {
    // A closing bracket belongs to the block it closes: its opener is the nearest line above at the same indentation.
    const indent = indentOf(lines[at] ?? "");
    for (let above = at - 1; above >= 0 && header === undefined; above--) {
      const text = lines[above] ?? "";
      if (text.trim() !== "" && indentOf(text) <= indent) header = indentOf(text) === indent && !CLOSER.test(text) ? above : -1;
    }
    if (header === -1) header = undefined;
  } else {
    const indent = indentOf(lines[at] ?? "");
    for (let above = at - 1; above >= 0 && header === undefined; above--) {
      const text = lines[above] ?? "";
      if (text.trim() !== "" && indentOf(text) < indent) header = above;
    }
  }
  if (header === undefined) return undefined;
  const headerIndent = indentOf(lines[header] ?? "");
  let last = header;
  for (let below = header + 1; below < lines.length; below++) {
    const text = lines[below] ?? "";
    if (text.trim() === "") continue;
    if (indentOf(text) > headerIndent) {
      last = below;
      continue;
    }
    if (indentOf(text) === headerIndent && CLOSER.test(text)) last = below;
    break;
  }
  return last === header ? undefined : { first: header, last };
}

const CLOSER = /^\s*(?:[}\])]|end\b)/;

/** Tabs count as four columns. */
function indentOf(line: string): number {
  let width = 0;
  for (const character of line) {
    if (character === " ") width += 1;
    else if (character === "\t") width += 4;
    else break;
  }
  return width;
}

function nearestNonBlankLine(lines: readonly string[], line: number): number | undefined {
  for (let distance = 0; distance < lines.length; distance++) {
    for (const candidate of [line - distance, line + distance]) {
      if (candidate >= 0 && candidate < lines.length && (lines[candidate] ?? "").trim() !== "") return candidate;
    }
  }
  return undefined;
}

function nextNonBlankLine(lines: readonly string[], from: number): number | undefined {
  for (let line = from; line < lines.length; line++) if ((lines[line] ?? "").trim() !== "") return line;
  return undefined;
}

function fullLines(lines: readonly string[], first: number, last: number): RangeLike {
  return { start: { line: first, character: 0 }, end: { line: last, character: (lines[last] ?? "").length } };
}

function contains(range: RangeLike, position: Pos): boolean {
  return compare(range.start, position) <= 0 && compare(position, range.end) <= 0;
}

function compare(a: Pos, b: Pos): number {
  return a.line !== b.line ? a.line - b.line : a.character - b.character;
}

function isEmptyRange(range: RangeLike): boolean {
  return compare(range.start, range.end) === 0;
}

function textOf(lines: readonly string[], range: RangeLike): string {
  const [start, end] = compare(range.start, range.end) <= 0 ? [range.start, range.end] : [range.end, range.start];
  if (start.line === end.line) return (lines[start.line] ?? "").slice(start.character, end.character);
  const parts = [(lines[start.line] ?? "").slice(start.character), ...lines.slice(start.line + 1, end.line), (lines[end.line] ?? "").slice(0, end.character)];
  return parts.join("\n");
}

/** "add.ts · lines 3–9 · typescript" */
export function describeTarget(fileName: string, range: RangeLike, languageId: string): string {
  const first = range.start.line + 1;
  const last = range.end.line + (range.end.character === 0 && range.end.line > range.start.line ? 0 : 1);
  return `${fileName} · ${first === last ? `line ${first}` : `lines ${first}–${last}`} · ${languageId}`;
}

export function titleOf(target: ExplainTarget): string {
  switch (target.kind) {
    case "symbol":
      return `Explain \`${target.name ?? "symbol"}\``;
    case "selection":
      return "Explain selection";
    case "block":
      return "Explain block";
    case "line":
      return `Explain line ${target.range.start.line + 1}`;
  }
}
