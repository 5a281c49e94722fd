/**
 * The part of a declaration worth its tokens in a prompt: the whole declaration when it is short, else its signature
 * (a function's header with the body elided; a class's or interface's header with its members' signatures). Pure and
 * language-agnostic: brace blocks, or indentation blocks where a header ends with a colon.
 */

export interface SnippetLimits {
  /** A declaration up to this many lines and characters is kept whole. */
  readonly wholeLines: number;
  readonly wholeChars: number;
  /** The most characters of a signature or outline. */
  readonly maxChars: number;
}

export const DEFAULT_SNIPPET_LIMITS: SnippetLimits = { wholeLines: 12, wholeChars: 600, maxChars: 700 };

export interface DeclarationSnippet {
  /** 0-based lines of the declaration in its file, inclusive. */
  readonly startLine: number;
  readonly endLine: number;
  readonly text: string;
}

const CONTAINER = /\b(?:class|interface|enum|struct|trait|impl|namespace|module|object|record|protocol|extension)\b/;
const COMMENT = /^\s*(?:\/\/|\/\*|\*|#(?![[!])|--|""")/;
const MAX_HEADER_LINES = 8;
const MAX_DOC_COMMENT_LINES = 4;

/**
 * The snippet of the declaration at `startLine` (its first line, or the line of its name) to `endLine` (inclusive; the
 * same line when the editor gave only the name's range: the block is then found from the text).
 */
export function declarationSnippet(lines: readonly string[], startLine: number, endLine: number, limits = DEFAULT_SNIPPET_LIMITS): DeclarationSnippet | undefined {
  if (startLine < 0 || startLine >= lines.length) return undefined;
  const start = startLine;
  let end = Math.min(lines.length - 1, Math.max(endLine, start));
  if (end === start) end = blockEnd(lines, start);
  const header = headerEnd(lines, start, end);
  const body = lines.slice(start, end + 1);
  const doc = docComment(lines, start);

  const whole = body.join("\n");
  if (body.length <= limits.wholeLines && whole.length <= limits.wholeChars) {
    const withDoc = doc.length > 0 && body.length + doc.length <= limits.wholeLines + 2 ? `${doc.join("\n")}\n${whole}` : whole;
    return { startLine: start, endLine: end, text: `${withDoc}\n` };
  }

  const headerLines = lines.slice(start, header + 1);
  const headerText = headerLines.join("\n");
  const indent = leadingSpace(lines[start] ?? "");
  const braced = /\{\s*$/.test(headerText);
  const isContainer = CONTAINER.test(headerText);
  let text: string;
  if (isContainer && header < end) {
    text = `${headerText}\n${outline(lines, header + 1, braced ? end - 1 : end, limits.maxChars - headerText.length).join("\n")}`;
    if (braced) text += `\n${lines[end] ?? `${indent}}`}`;
  } else if (braced) {
    text = `${headerText}\n${indent}  …\n${indent}}`;
  } else if (/:\s*$/.test(headerText)) {
    text = `${headerText}\n${indent}    ...`;
  } else {
    text = headerText;
  }
  return { startLine: start, endLine: end, text: `${cutToChars(text, limits.maxChars)}\n` };
}

/** The last line of the declaration starting at `start`: its braces' close, or the end of its indented block. */
export function blockEnd(lines: readonly string[], start: number): number {
  let depth = 0;
  let opened = false;
  for (let line = start; line < lines.length; line++) {
    const text = stripStringsAndComments(lines[line] ?? "");
    for (const c of text) {
      if (c === "{" || c === "(" || c === "[") {
        depth++;
        if (c === "{") opened = true;
      } else if (c === "}" || c === ")" || c === "]") {
        depth--;
      }
    }
    if (depth <= 0 && (opened || /;\s*$/.test(text) || (line > start && depth < 0))) return line;
    if (!opened && depth <= 0 && /:\s*$/.test(text)) return indentedBlockEnd(lines, line);
    if (!opened && line - start >= MAX_HEADER_LINES && depth <= 0) return line;
  }
  return lines.length - 1;
}

/** The header's last line: where the parameters close and the body opens (or the declaration ends). */
function headerEnd(lines: readonly string[], start: number, end: number): number {
  let depth = 0;
  for (let line = start; line <= end && line - start < MAX_HEADER_LINES; line++) {
    const text = stripStringsAndComments(lines[line] ?? "");
    for (const c of text) {
      if (c === "(" || c === "[" || c === "<") depth++;
      else if (c === ")" || c === "]" || c === ">") depth = Math.max(0, depth - 1);
    }
    if (depth === 0 && /(?:\{|:|;|=>)\s*$/.test(text)) return line;
  }
  return start;
}

function indentedBlockEnd(lines: readonly string[], headerLine: number): number {
  const indent = leadingSpace(lines[headerLine] ?? "").length;
  let last = headerLine;
  for (let line = headerLine + 1; line < lines.length; line++) {
    const text = lines[line] ?? "";
    if (text.trim() === "") continue;
    if (leadingSpace(text).length <= indent) break;
    last = line;
  }
  return last;
}

/** The signatures of a container's direct members, within `maxChars`. */
function outline(lines: readonly string[], from: number, to: number, maxChars: number): string[] {
  const members: string[] = [];
  let used = 0;
  let depth = 0;
  const memberIndent = firstContentIndent(lines, from, to);
  for (let line = from; line <= to; line++) {
    const raw = lines[line] ?? "";
    const code = stripStringsAndComments(raw);
    const atMemberLevel = depth === 0 && raw.trim() !== "" && !COMMENT.test(raw) && leadingSpace(raw).length === memberIndent;
    for (const c of code) {
      if (c === "{") depth++;
      else if (c === "}") depth = Math.max(0, depth - 1);
    }
    if (!atMemberLevel || /^\s*[)}\]]/.test(raw)) continue;
    const signature = depth > 0 ? raw.replace(/\{\s*$/, "{ … }") : raw;
    if (used + signature.length + 1 > maxChars) {
      members.push(`${" ".repeat(memberIndent)}…`);
      break;
    }
    members.push(signature);
    used += signature.length + 1;
    // A member whose body opened on its line: skip the body (depth returns to 0 at its close).
  }
  return members;
}

function firstContentIndent(lines: readonly string[], from: number, to: number): number {
  for (let line = from; line <= to; line++) {
    const text = lines[line] ?? "";
    if (text.trim() !== "" && !COMMENT.test(text)) return leadingSpace(text).length;
  }
  return 0;
}

/** Up to a few comment lines right above the declaration (its documentation). */
function docComment(lines: readonly string[], start: number): string[] {
  const doc: string[] = [];
  for (let line = start - 1; line >= 0 && doc.length < MAX_DOC_COMMENT_LINES; line--) {
    const text = lines[line] ?? "";
    if (!COMMENT.test(text) && !/^\s*\*\//.test(text)) break;
    doc.unshift(text);
  }
  // Only a complete comment: a block comment cut at its top would read as code.
  return doc.length > 0 && /^\s*(?:\/\*|\/\/|#)/.test(doc[0] ?? "") ? doc : [];
}

/** The line with string literals and line comments blanked, so their brackets are not counted. */
function stripStringsAndComments(line: string): string {
  return line
    .replace(/(["'`])(?:\\.|(?!\1).)*\1/g, "\"\"")
    .replace(/\/\/.*$/, "")
    .replace(/\/\*.*?\*\//g, "");
}

function leadingSpace(line: string): string {
  return /^\s*/.exec(line)?.[0] ?? "";
}

function cutToChars(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const cut = text.lastIndexOf("\n", maxChars);
  return cut > 0 ? text.slice(0, cut) : text.slice(0, maxChars);
}
