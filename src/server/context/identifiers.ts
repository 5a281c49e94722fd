/** Identifiers in code, with where they are. Pure. */

export interface IdentifierAt {
  readonly name: string;
  readonly line: number;
  readonly character: number;
}

const IDENTIFIER = /[A-Za-z_$][\w$]*/g;

/** Keywords and built-ins that no definition lookup or ranking should spend time on. */
export const COMMON_WORDS: ReadonlySet<string> = new Set([
  "if", "else", "for", "while", "do", "return", "function", "class", "const", "let", "var", "new", "this", "self", "true",
  "false", "null", "undefined", "None", "True", "False", "def", "fn", "func", "import", "from", "export", "default", "async",
  "await", "yield", "try", "catch", "finally", "throw", "raise", "switch", "case", "break", "continue", "in", "of", "is",
  "not", "and", "or", "as", "with", "pass", "lambda", "struct", "enum", "impl", "pub", "use", "mut", "match", "type",
  "interface", "extends", "implements", "public", "private", "protected", "static", "void", "int", "string", "number",
  "boolean", "bool", "char", "float", "double", "long", "typeof", "instanceof", "readonly", "super", "any", "unknown",
  "never", "object", "keyof", "elif", "package", "delete", "get", "set", "declare", "abstract", "override",
]);

/** The worth-looking-up identifiers of `text` (at least two characters, no keywords), in order. */
export function identifiersIn(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(IDENTIFIER)) {
    if (match[0].length >= 2 && !COMMON_WORDS.has(match[0])) names.push(match[0]);
  }
  return names;
}

/**
 * The distinct identifiers on the cursor line and the `linesAbove` lines above it, nearest the cursor first, without
 * the word being typed at the cursor (its definition does not exist yet), at most `max`.
 */
export function identifiersNearCursor(text: string, offset: number, cursorLine = lineOf(text, offset), linesAbove = 1, max = 8): IdentifierAt[] {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const lineEndIndex = text.indexOf("\n", offset);
  const lineEnd = lineEndIndex < 0 ? text.length : lineEndIndex;

  const lines: Array<{ line: number; start: number; text: string }> = [{ line: cursorLine, start: lineStart, text: text.slice(lineStart, lineEnd) }];
  let start = lineStart;
  for (let above = 1; above <= linesAbove && start > 0; above++) {
    const previousStart = text.lastIndexOf("\n", start - 2) + 1;
    lines.push({ line: cursorLine - above, start: previousStart, text: text.slice(previousStart, start - 1) });
    start = previousStart;
  }

  const found: Array<IdentifierAt & { distance: number }> = [];
  const seen = new Set<string>();
  for (const { line, start: at, text: lineText } of lines) {
    for (const match of lineText.matchAll(IDENTIFIER)) {
      const name = match[0];
      const from = at + (match.index ?? 0);
      if (from <= offset && offset <= from + name.length && line === cursorLine) continue;
      if (name.length < 2 || COMMON_WORDS.has(name) || seen.has(name) || /^\d/.test(name)) continue;
      seen.add(name);
      found.push({ name, line, character: from - at, distance: Math.abs(from - offset) + (line === cursorLine ? 0 : 10_000) });
    }
  }
  return found.sort((a, b) => a.distance - b.distance).slice(0, max).map(({ name, line, character }) => ({ name, line, character }));
}

function lineOf(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
