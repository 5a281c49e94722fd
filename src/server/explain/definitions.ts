/**
 * Finds the definitions an explanation benefits from, without a language server: top-level declarations
 * (unindented `function`, `class`, `def`, `fn`, `type`, `const` … lines and the block under them) of the
 * identifiers a piece of code mentions. Deliberately simple and language-agnostic. Pure.
 */

export interface Declaration {
  readonly name: string;
  /** 0-based, inclusive; includes the comment lines right above the declaration. */
  readonly startLine: number;
  readonly endLine: number;
}

const IDENTIFIER = /[A-Za-z_$][\w$]*/g;

/** Keywords and very common words that are never worth looking up. */
const STOP_WORDS = new Set([
  "if", "else", "for", "while", "do", "return", "function", "class", "const", "let", "var", "new", "this", "self", "true",
  "false", "null", "undefined", "None", "True", "False", "def", "fn", "func", "import", "from", "export", "default", "async",
  "await", "yield", "try", "catch", "finally", "throw", "raise", "switch", "case", "break", "continue", "in", "of", "is",
  "not", "and", "or", "as", "with", "pass", "lambda", "struct", "enum", "impl", "pub", "use", "mut", "match", "type",
  "interface", "extends", "implements", "public", "private", "protected", "static", "void", "int", "string", "number",
  "boolean", "bool", "char", "float", "double", "long", "println", "print", "console", "log", "string", "typeof", "instanceof",
]);

/** The distinct identifiers in `code` (at least two characters, no keywords), in order of first use. */
export function referencedIdentifiers(code: string): string[] {
  const seen = new Set<string>();
  for (const match of code.matchAll(IDENTIFIER)) {
    const name = match[0];
    if (name.length >= 2 && !STOP_WORDS.has(name)) seen.add(name);
  }
  return [...seen];
}

const MODIFIERS =
  "(?:(?:export|default|declare|abstract|async|pub(?:\\([^)]*\\))?|public|private|protected|internal|static|final|sealed|" +
  "data|open|inline|extern|unsafe|override|readonly|const(?=\\s+(?:fn|enum)))\\s+)*";
const KEYWORDS =
  "(?:function\\*?|def|fn|func|fun|class|interface|struct|enum|trait|type|typedef(?:\\s+(?:struct|enum|union))?|const|let|var|" +
  "static|module|namespace|record|object|union|macro_rules!)";
/** `[modifiers] keyword name`, e.g. `export async function load`, `pub(crate) struct Cache`, `def parse`. */
const KEYWORD_DECLARATION = new RegExp(`^${MODIFIERS}(${KEYWORDS})\\s+(?:\\([^)]*\\)\\s*)?([A-Za-z_$][\\w$]*)`);
/** After these keywords a second word means the first was a C-style type: `static int count`, `const char *name`. */
const TYPE_PREFIX_KEYWORDS = new Set(["const", "static", "let", "var"]);
/** `#define NAME` */
const C_MACRO = /^#\s*define\s+([A-Za-z_]\w*)/;
/** A C/C++/Java-style function definition at column 0: `static int parse_line(const char *s) {` (not a prototype). */
const C_FUNCTION = /^(?:[A-Za-z_][\w:<>,*&\s]*?[\s*&])([A-Za-z_]\w*)\s*\([^;]*$/;
/** A top-level assignment: `MAX_SIZE = 10`, `handler: Handler = …`, `Point = namedtuple(…)`. */
const ASSIGNMENT = /^([A-Za-z_$][\w$]*)\s*(?::[^=]*)?=(?![=>])/;
const CONTROL_WORDS = new Set(["if", "for", "while", "switch", "return", "else", "do", "case", "sizeof"]);

/** The name declared by an unindented line, or undefined. */
export function declaredName(line: string): string | undefined {
  if (line === "" || /^\s/.test(line)) return undefined;
  const keyword = KEYWORD_DECLARATION.exec(line);
  if (keyword?.[1] !== undefined && keyword[2] !== undefined) {
    const typeFirst = TYPE_PREFIX_KEYWORDS.has(keyword[1]) && /^\s*[A-Za-z_$*&]/.test(line.slice(keyword[0].length));
    if (!typeFirst) return keyword[2];
  }
  const macro = C_MACRO.exec(line);
  if (macro?.[1] !== undefined) return macro[1];
  const assignment = ASSIGNMENT.exec(line);
  if (assignment?.[1] !== undefined) return assignment[1];
  const cFunction = C_FUNCTION.exec(line);
  if (cFunction?.[1] !== undefined && !CONTROL_WORDS.has(cFunction[1])) return cFunction[1];
  return undefined;
}

const COMMENT_LINE = /^\s*(?:\/\/|#(?!\s*(?:define|include|if|endif|pragma))|\/\*|\*|--|;|"""|''')/;
const DECORATOR_LINE = /^@[\w.]+/;
const CLOSER_LINE = /^(?:[}\])]|end\b|fi\b|esac\b)/;
const MAX_LEADING_COMMENT_LINES = 12;

/** Every top-level declaration in `lines`, with the extent of its block. */
export function topLevelDeclarations(lines: readonly string[]): Declaration[] {
  const declarations: Declaration[] = [];
  for (let line = 0; line < lines.length; line++) {
    const name = declaredName(lines[line] ?? "");
    if (name === undefined) continue;
    const endLine = blockEnd(lines, line);
    declarations.push({ name, startLine: leadingCommentStart(lines, line), endLine });
    line = endLine;
  }
  return declarations;
}

/** The last line of the block that starts at `start`: until the next unindented line (a closing bracket included). */
function blockEnd(lines: readonly string[], start: number): number {
  let lastContent = start;
  for (let line = start + 1; line < lines.length; line++) {
    const text = lines[line] ?? "";
    if (text.trim() === "") continue;
    if (/^\s/.test(text)) {
      lastContent = line;
      continue;
    }
    return CLOSER_LINE.test(text) ? line : lastContent;
  }
  return lastContent;
}

function leadingCommentStart(lines: readonly string[], line: number): number {
  let start = line;
  while (start > 0 && line - start < MAX_LEADING_COMMENT_LINES) {
    const previous = lines[start - 1] ?? "";
    if (!COMMENT_LINE.test(previous) && !DECORATOR_LINE.test(previous)) break;
    start -= 1;
  }
  return start;
}
