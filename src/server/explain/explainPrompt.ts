/**
 * Builds the explain conversation: a system prompt, then one user message with the code (language, file name,
 * lines), an optional problem (diagnostic) and what the server knows around it (nearby lines, definitions the
 * code refers to), all within a token budget. Pure: no vscode, no node-llama-cpp.
 *
 * Budget: the prompt may use the context size minus the tokens to generate, minus the prompt format's own
 * tokens and a safety margin. The code comes first; a selection too large for that is cut at a line boundary and
 * the result says so (`truncationNote`). Nearby lines and definitions only get what the code leaves.
 */
import type { ExplainDiagnostic } from "../../shared/protocol";
import { referencedIdentifiers, topLevelDeclarations, type Declaration } from "./definitions";
import type { ExplainConversation } from "./explainGenerator";

export const EXPLAIN_SYSTEM_PROMPT = [
  "You are Pocket Coder, a programming assistant that explains code to a developer reading it in their editor.",
  "Answer in concise Markdown:",
  "- First, one or two sentences on what the code does.",
  "- Then how it works (step by step only where that helps) and why it is written this way.",
  "- Then pitfalls: bugs, edge cases or surprising behaviour, if there are any.",
  "Quote identifiers in `backticks` and put code in fenced code blocks. Do not repeat the whole code back.",
  "The context sections are for reference only: explain the code under \"Code\".",
].join("\n");

export const EXPLAIN_PROBLEM_SYSTEM_PROMPT = [
  "You are Pocket Coder, a programming assistant that explains problems reported in a developer's code.",
  "Answer in concise Markdown:",
  "- First, what the problem means, in one or two sentences.",
  "- Then why it happens in this code.",
  "- Then how to fix it, with a short fenced code block when a change helps.",
  "Quote identifiers in `backticks`. Do not repeat the whole code back.",
  "The context sections are for reference only.",
].join("\n");

export interface ExplainDocument {
  /** How the file is named to the model, e.g. a workspace-relative path. */
  readonly fileName: string;
  readonly languageId: string;
  readonly text: string;
}

export interface ExplainInput {
  readonly document: ExplainDocument;
  /** The code to explain: offsets into `document.text`, start < end. */
  readonly start: number;
  readonly end: number;
  readonly diagnostic?: ExplainDiagnostic;
  /** Other open documents: where definitions of identifiers the code uses are looked up. */
  readonly otherDocuments: readonly ExplainDocument[];
}

export interface ExplainBudget {
  /** Tokens the model's explain sequence holds. */
  readonly contextSize: number;
  /** The setting `pocketCoder.explain.maxTokens`. */
  readonly maxTokens: number;
  /** Tokens the prompt format adds around empty messages (chat template or plain headings). */
  readonly templateOverheadTokens: number;
  readonly countTokens: (text: string) => number;
}

export interface BuiltExplainPrompt {
  readonly conversation: ExplainConversation;
  /** The tokens to generate at most: the setting, or less when the context is small. */
  readonly maxTokens: number;
  /** Set when the code was cut: what was left out, for a person. */
  readonly truncationNote?: string;
  /** The budget's estimate of the prompt's tokens (the runtime counts exactly). */
  readonly estimatedPromptTokens: number;
  /** What went in besides the code, for logs and tests. */
  readonly included: { readonly nearbyLines: number; readonly definitions: readonly string[] };
}

export class ExplainInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExplainInputError";
  }
}

/** Nearby lines of the same document: at most this many above and below the code. */
export const NEARBY_LINES_BEFORE = 30;
export const NEARBY_LINES_AFTER = 15;
/** The most tokens nearby lines and definitions may use, each, when the code leaves room. */
export const NEARBY_TOKENS = 512;
export const DEFINITION_TOKENS = 768;
/** A definition longer than this is shown cut, with a marker line. */
export const MAX_DEFINITION_LINES = 40;
/** The diagnostic text is cut to this many tokens. */
export const DIAGNOSTIC_TOKENS = 256;
/** Documents larger than this are not searched for definitions, and at most this many documents are. */
export const MAX_SEARCHED_DOCUMENT_CHARS = 1_000_000;
export const MAX_SEARCHED_DOCUMENTS = 50;
/** Below this many tokens for the code itself, explaining is pointless: the request fails with advice instead. */
export const MIN_CODE_TOKENS = 64;
const CUT_MARKER_TOKENS = 40;

export function buildExplainPrompt(input: ExplainInput, budget: ExplainBudget): BuiltExplainPrompt {
  const { document } = input;
  const code = document.text.slice(input.start, input.end);
  if (code.trim() === "") throw new ExplainInputError("There is no code to explain: the range is empty or only whitespace.");

  const count = budget.countTokens;
  // Never generate more than half the context: the prompt always keeps the other half.
  const maxTokens = Math.max(1, Math.min(budget.maxTokens, Math.floor(budget.contextSize / 2)));
  const system = input.diagnostic === undefined ? EXPLAIN_SYSTEM_PROMPT : EXPLAIN_PROBLEM_SYSTEM_PROMPT;
  const language = languageName(document.languageId);
  const startLine = lineOf(document.text, input.start);
  const endLine = lineOf(document.text, input.end - (code.endsWith("\n") ? 1 : 0));

  const task = input.diagnostic === undefined
    ? "### Task\nExplain the code above."
    : "### Task\nExplain the problem above: what it means, why it happens here, and how to fix it.";
  const diagnosticSection = input.diagnostic === undefined ? undefined : problemSection(input.diagnostic, count);
  // Section texts are counted one by one; joins and token merges across them are covered by the margin.
  const fixedTokens = budget.templateOverheadTokens + count(system) + count(task) + (diagnosticSection === undefined ? 0 : count(diagnosticSection));
  const margin = 16 + Math.ceil(budget.contextSize / 100);
  let available = budget.contextSize - maxTokens - fixedTokens - margin;

  const codeHeader = (lines: string) => `### Code\n\`${document.fileName}\`, ${lines} (${language}):`;
  const headerTokens = count(codeHeader(lineLabel(startLine, endLine))) + 8;
  const codeRoom = available - headerTokens;
  if (codeRoom < MIN_CODE_TOKENS) {
    throw new ExplainInputError(
      `The model's context (${budget.contextSize} tokens) is too small to explain code with ${maxTokens} tokens of answer. ` +
        "Lower pocketCoder.explain.maxTokens or use a model with a larger context.",
    );
  }

  let fitted = fitCode(code, codeRoom, count);
  // A cut adds a line saying so: make room for it.
  if (fitted.truncated) fitted = fitCode(code, codeRoom - CUT_MARKER_TOKENS, count);
  const shownEndLine = fitted.truncated ? startLine + fitted.keptLines - 1 : endLine;
  const codeLines = lineLabel(startLine, endLine);
  let truncationNote: string | undefined;
  let omittedMarker = "";
  if (fitted.truncated) {
    const total = fitted.totalLines;
    const omitted = total - fitted.keptLines;
    const whole = `The code (${lineLabel(startLine, endLine)}) is too long for the model's context (${formatCount(budget.contextSize)} tokens)`;
    truncationNote = fitted.keptLines === 0
      ? `${whole}: only the first ${formatCount(fitted.keptChars)} characters of its first line were explained.`
      : `${whole}: only ${lineLabel(startLine, shownEndLine)} ${fitted.keptLines === 1 ? "was" : "were"} explained; ` +
        `the last ${formatCount(omitted)} ${omitted === 1 ? "line was" : "lines were"} left out.`;
    omittedMarker = `\n(Cut here: ${fitted.keptLines === 0 ? "the rest of the code" : `the last ${formatCount(omitted)} ${omitted === 1 ? "line" : "lines"}`} did not fit.)`;
  }
  const codeSection = `${codeHeader(codeLines)}\n${fence(fitted.text, document.languageId)}${omittedMarker}`;
  available -= count(codeSection) + 4;

  const sections: string[] = [];
  let nearbyLines = 0;
  const definitionNames: string[] = [];
  if (available > 32) {
    const lines = document.text.split("\n");
    const nearby = nearbySection(lines, startLine, endLine, document, Math.min(NEARBY_TOKENS, available), count);
    if (nearby !== undefined) {
      sections.push(nearby.text);
      nearbyLines = nearby.lines;
      available -= count(nearby.text) + 4;
    }
    // Definitions already in front of the model (in the code or the nearby lines) are not repeated.
    const shown = nearby === undefined ? { start: startLine, end: endLine } : { start: nearby.firstLine, end: nearby.lastLine };
    const definitions = definitionsSection(input, lines, shown, fitted.text, Math.min(DEFINITION_TOKENS, available), count);
    if (definitions !== undefined) {
      sections.push(definitions.text);
      definitionNames.push(...definitions.names);
    }
  }

  const context = sections.length === 0 ? [] : [`### Context\n${sections.join("\n\n")}`];
  const user = [...context, codeSection, ...(diagnosticSection === undefined ? [] : [diagnosticSection]), task].join("\n\n");
  return {
    conversation: { system, user },
    maxTokens,
    ...(truncationNote === undefined ? {} : { truncationNote }),
    estimatedPromptTokens: budget.templateOverheadTokens + count(system) + count(user),
    included: { nearbyLines, definitions: definitionNames },
  };
}

/** The longest head of `code` that fits `maxTokens`, cut at a line boundary (or, for one huge line, at a character). */
export function fitCode(
  code: string, maxTokens: number, count: (text: string) => number,
): { text: string; truncated: boolean; keptLines: number; totalLines: number; keptChars: number } {
  const lines = code.replace(/\n$/, "").split("\n");
  // A token is rarely longer than 16 characters: never hand the tokenizer far more text than could fit.
  const charCap = maxTokens * 16;
  if (code.length <= charCap && count(code) <= maxTokens) {
    return { text: code.replace(/\n$/, ""), truncated: false, keptLines: lines.length, totalLines: lines.length, keptChars: code.length };
  }
  // Binary search on the number of whole lines.
  let low = 0;
  let high = lines.length - 1;
  const prefixLength: number[] = [0];
  for (const line of lines) prefixLength.push((prefixLength.at(-1) ?? 0) + line.length + 1);
  const headText = (n: number) => code.slice(0, Math.max(0, (prefixLength[n] ?? 0) - 1));
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const length = (prefixLength[middle] ?? 0) - 1;
    if (length <= charCap && count(headText(middle)) <= maxTokens) low = middle;
    else high = middle - 1;
  }
  if (low > 0) {
    const text = headText(low);
    return { text, truncated: true, keptLines: low, totalLines: lines.length, keptChars: text.length };
  }
  // Not even the first line fits: cut it by characters.
  const first = lines[0] ?? "";
  let lowChars = 0;
  let highChars = Math.min(first.length, charCap);
  while (lowChars < highChars) {
    const middle = Math.ceil((lowChars + highChars) / 2);
    if (count(first.slice(0, middle)) <= maxTokens) lowChars = middle;
    else highChars = middle - 1;
  }
  const text = first.slice(0, lowChars);
  return { text, truncated: true, keptLines: 0, totalLines: lines.length, keptChars: text.length };
}

function problemSection(diagnostic: ExplainDiagnostic, count: (text: string) => number): string {
  const origin = [diagnostic.source, diagnostic.code].filter((part) => part !== undefined && part !== "").join(" ");
  let message = diagnostic.message.trim();
  if (count(message) > DIAGNOSTIC_TOKENS) {
    let keep = Math.min(message.length, DIAGNOSTIC_TOKENS * 4);
    while (keep > 0 && count(message.slice(0, keep)) > DIAGNOSTIC_TOKENS) keep = Math.floor(keep * 0.8);
    message = `${message.slice(0, keep)}…`;
  }
  return `### Problem\n${origin === "" ? "" : `${origin}: `}${message}`;
}

function nearbySection(
  lines: readonly string[], startLine: number, endLine: number, document: ExplainDocument, maxTokens: number,
  count: (text: string) => number,
): { text: string; lines: number; firstLine: number; lastLine: number } | undefined {
  const header = `Around the code in \`${document.fileName}\`:`;
  const marker = "… (the code to explain) …";
  let room = maxTokens - count(header) - count(marker) - 12;
  let first = startLine;
  let last = endLine;
  let taken = 0;
  // Nearest lines first, two above for each one below: what leads to the code matters more than what follows.
  for (let step = 1; room > 0; step++) {
    let grew = false;
    for (const [line, isBefore] of [[startLine - 2 * step + 1, true], [startLine - 2 * step, true], [endLine + step, false]] as const) {
      if (isBefore ? line < 0 || startLine - line > NEARBY_LINES_BEFORE : line >= lines.length || line - endLine > NEARBY_LINES_AFTER) continue;
      const cost = count(lines[line] ?? "") + 1;
      if (cost > room) {
        room = 0;
        break;
      }
      room -= cost;
      taken += 1;
      grew = true;
      if (isBefore) first = line;
      else last = line;
    }
    if (!grew) break;
  }
  if (taken === 0) return undefined;
  const before = lines.slice(first, startLine);
  const after = lines.slice(endLine + 1, last + 1);
  const body = [...before, marker, ...after].join("\n");
  return { text: `${header}\n${fence(body, document.languageId)}`, lines: taken, firstLine: first, lastLine: last };
}

interface FoundDefinition {
  readonly fileName: string;
  readonly languageId: string;
  readonly name: string;
  readonly text: string;
}

function definitionsSection(
  input: ExplainInput, lines: readonly string[], shown: { start: number; end: number }, code: string, maxTokens: number,
  count: (text: string) => number,
): { text: string; names: string[] } | undefined {
  if (maxTokens < 32) return undefined;
  const wanted = new Set(referencedIdentifiers(code));
  if (wanted.size === 0) return undefined;

  const found: FoundDefinition[] = [];
  const take = (document: ExplainDocument, documentLines: readonly string[], declaration: Declaration) => {
    if (!wanted.has(declaration.name)) return;
    wanted.delete(declaration.name);
    found.push({ fileName: document.fileName, languageId: document.languageId, name: declaration.name, text: declarationText(documentLines, declaration) });
  };
  if (input.document.text.length <= MAX_SEARCHED_DOCUMENT_CHARS) {
    for (const declaration of topLevelDeclarations(lines)) {
      // Already in front of the model: the code itself or the nearby lines.
      if (declaration.endLine >= shown.start && declaration.startLine <= shown.end) continue;
      take(input.document, lines, declaration);
    }
  }
  for (const other of input.otherDocuments.slice(0, MAX_SEARCHED_DOCUMENTS)) {
    if (other.text.length > MAX_SEARCHED_DOCUMENT_CHARS || wanted.size === 0) continue;
    const otherLines = other.text.split("\n");
    for (const declaration of topLevelDeclarations(otherLines)) take(other, otherLines, declaration);
  }
  if (found.length === 0) return undefined;

  const header = "Definitions the code uses:";
  let room = maxTokens - count(header) - 4;
  const parts: string[] = [];
  const names: string[] = [];
  for (const definition of found) {
    const part = `From \`${definition.fileName}\`:\n${fence(definition.text, definition.languageId)}`;
    const cost = count(part) + 2;
    if (cost > room) continue;
    room -= cost;
    parts.push(part);
    names.push(definition.name);
  }
  if (parts.length === 0) return undefined;
  return { text: `${header}\n${parts.join("\n")}`, names };
}

function declarationText(lines: readonly string[], declaration: Declaration): string {
  const end = Math.min(declaration.endLine, declaration.startLine + MAX_DEFINITION_LINES - 1);
  const text = lines.slice(declaration.startLine, end + 1).join("\n");
  return end < declaration.endLine ? `${text}\n… (${declaration.endLine - end} more lines)` : text;
}

/** A fenced code block whose fence is longer than any backtick run inside the code. */
export function fence(code: string, languageId: string): string {
  let longest = 0;
  for (const run of code.matchAll(/`+/g)) longest = Math.max(longest, run[0].length);
  const ticks = "`".repeat(Math.max(3, longest + 1));
  return `${ticks}${fenceLanguage(languageId)}\n${code}\n${ticks}`;
}

/** 0-based line of an offset. */
function lineOf(text: string, offset: number): number {
  let line = 0;
  let index = text.indexOf("\n");
  while (index !== -1 && index < offset) {
    line += 1;
    index = text.indexOf("\n", index + 1);
  }
  return line;
}

function lineLabel(startLine: number, endLine: number): string {
  return startLine === endLine ? `line ${formatCount(startLine + 1)}` : `lines ${formatCount(startLine + 1)}–${formatCount(endLine + 1)}`;
}

function formatCount(value: number): string {
  return value.toLocaleString("en-US");
}

const LANGUAGE_NAMES: Record<string, string> = {
  typescript: "TypeScript", typescriptreact: "TypeScript (TSX)", javascript: "JavaScript", javascriptreact: "JavaScript (JSX)",
  python: "Python", rust: "Rust", go: "Go", java: "Java", kotlin: "Kotlin", csharp: "C#", cpp: "C++", c: "C", ruby: "Ruby",
  php: "PHP", swift: "Swift", shellscript: "shell script", powershell: "PowerShell", sql: "SQL", html: "HTML", css: "CSS",
  scss: "SCSS", json: "JSON", jsonc: "JSON with comments", yaml: "YAML", markdown: "Markdown", lua: "Lua", dart: "Dart",
  scala: "Scala", haskell: "Haskell", elixir: "Elixir", r: "R", plaintext: "plain text", dockerfile: "Dockerfile",
  makefile: "Makefile", vue: "Vue", svelte: "Svelte", zig: "Zig", perl: "Perl", clojure: "Clojure", fsharp: "F#",
};

const FENCE_LANGUAGES: Record<string, string> = {
  typescriptreact: "tsx", javascriptreact: "jsx", shellscript: "sh", csharp: "csharp", plaintext: "", jsonc: "json",
};

export function languageName(languageId: string): string {
  return LANGUAGE_NAMES[languageId] ?? (languageId === "" ? "unknown language" : languageId);
}

function fenceLanguage(languageId: string): string {
  return FENCE_LANGUAGES[languageId] ?? languageId.replace(/[^\w+#.-]/g, "");
}
