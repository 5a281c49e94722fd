/**
 * Small helpers shared by the FIM family modules. Pure: no vscode, no node-llama-cpp.
 *
 * Prompt contract (all families):
 * - `special` pieces are control tokens, written with the exact token text of the vocabulary.
 * - `text` pieces are literal user text. Concatenating every piece's text gives the exact prompt string the
 *   family intends (for SentencePiece vocabularies the "dummy prefix" space of the reference encoders is written
 *   out explicitly as a " " where the reference puts one, so the server must tokenize text pieces literally).
 * - Stable content comes first (cross-file context, then the lines above the cursor line, then the suffix) and
 *   the text typed since the split (`recentPrefix`: the cursor line's prefix, and lines entered since) comes last, so
 *   typing only appends tokens (KV-cache reuse).
 * - Empty text pieces are dropped, so golden layouts do not depend on empty strings.
 */
import type { ContextFile, FimPromptInput, PromptPiece } from "./fimTypes";

export function special(text: string): PromptPiece {
  return { kind: "special", text };
}

export function text(value: string): PromptPiece {
  return { kind: "text", text: value };
}

/** Drops `undefined`/`false` entries and empty text pieces (special pieces are always kept). */
export function compact(pieces: ReadonlyArray<PromptPiece | undefined | false>): PromptPiece[] {
  const out: PromptPiece[] = [];
  for (const p of pieces) {
    if (!p) continue;
    if (p.kind === "text" && p.text.length === 0) continue;
    out.push(p);
  }
  return out;
}

export function withTrailingNewline(value: string): string {
  return value.length === 0 || value.endsWith("\n") ? value : value + "\n";
}

/** The prompt as one string (special pieces by their text). For logs and tests. */
export function renderPrompt(pieces: readonly PromptPiece[]): string {
  let s = "";
  for (const p of pieces) s += p.text;
  return s;
}

export interface PsmTokens {
  readonly prefix: string;
  readonly suffix: string;
  readonly middle: string;
}

/**
 * Prefix-suffix-middle with the recently typed text (the cursor line's prefix, and lines entered since the split)
 * after the middle token: `lead… PRE prefixText SUF suffix MID recentPrefix`.
 * This is what llama.cpp's /infill documentation describes for its `prompt` field ("added after FIM_MID"; note that its
 * `format_infill` code actually appends `prompt` to the prefix tokens, before FIM_SUF, which re-evaluates the suffix on
 * every keystroke). It is in-distribution for PSM-trained models: the middle simply starts at a line
 * start and its first lines and characters are given.
 */
export function psmPieces(
  tokens: PsmTokens,
  input: FimPromptInput,
  options: { readonly lead?: readonly PromptPiece[]; readonly prefixText?: string; readonly suffixSplit?: SuffixSplit } = {},
): PromptPiece[] {
  return compact([
    ...(options.lead ?? []),
    special(tokens.prefix),
    text(options.prefixText ?? input.stablePrefix),
    special(tokens.suffix),
    ...suffixPieces(input.suffix, options.suffixSplit),
    special(tokens.middle),
    text(input.recentPrefix),
  ]);
}

/**
 * Where the suffix is cut in two: after the cursor line's line break (Qwen2's pre-tokenizer fuses a line break with
 * the punctuation before it, `);\n`) or before it (GPT-2-style pre-tokenizers, StarCoder's, fuse it with the next
 * line's indentation, `\n `). DeepSeek-Coder's and SentencePiece vocabularies keep a line break apart either way.
 */
export type SuffixSplit = "afterLineBreak" | "beforeLineBreak";

/**
 * The suffix as two text pieces: the rest of the cursor line, then the lines below it, cut where the vocabulary's
 * pre-tokenizer cuts anyway. Tokenized apart, the lines below start at the same token boundary whatever the cursor line
 * holds; so after the cursor moves a few lines down, the previous prompt's suffix holds the new suffix's lines token for
 * token, and the KV cache keeps them (cacheReuse.ts): only the lines moved over are read, not the whole suffix. (The
 * cut departs from the vocabulary's own tokenization only around a blank line after the cursor line.)
 */
export function suffixPieces(suffix: string, split: SuffixSplit = "afterLineBreak"): PromptPiece[] {
  const lineBreak = suffix.indexOf("\n");
  if (lineBreak < 0) return [text(suffix)];
  const cut = split === "afterLineBreak" ? lineBreak + 1 : lineBreak;
  return [text(suffix.slice(0, cut)), text(suffix.slice(cut))];
}

// ---------------------------------------------------------------------------------------------------------------
// Cross-file context as source comments (families without repo-level tokens)
// ---------------------------------------------------------------------------------------------------------------

const HASH_COMMENT_EXTS = new Set([
  "py", "pyw", "pyi", "rb", "sh", "bash", "zsh", "fish", "ps1", "psm1", "pl", "pm", "r", "yaml", "yml", "toml",
  "ex", "exs", "nim", "jl", "tcl", "cmake", "mk", "coffee", "cr", "gd", "conf", "cfg", "ini", "properties", "tf",
  "hcl", "nix", "dockerfile", "makefile", "gitignore", "env", "awk", "raku",
]);
const DASH_COMMENT_EXTS = new Set(["sql", "lua", "hs", "lhs", "elm", "ada", "adb", "ads", "purs", "vhd", "vhdl"]);
const SEMICOLON_COMMENT_EXTS = new Set(["lisp", "cl", "el", "clj", "cljs", "cljc", "edn", "scm", "ss", "rkt", "asm", "s"]);
const PERCENT_COMMENT_EXTS = new Set(["tex", "sty", "cls", "erl", "hrl"]);
const MARKUP_COMMENT_EXTS = new Set(["html", "htm", "xhtml", "xml", "svg", "md", "markdown", "mdx", "vue", "svelte", "xaml", "csproj"]);
const BLOCK_COMMENT_EXTS = new Set(["css"]);
const HASH_COMMENT_BASENAMES = new Set(["dockerfile", "makefile", "gemfile", "rakefile", "cmakelists.txt", "procfile"]);

/** A one-line comment holding `body`, in the comment syntax of the file at `path` (by extension). */
export function lineComment(path: string, body: string): string {
  const base = (path.split("/").pop() ?? path).toLowerCase();
  const dot = base.lastIndexOf(".");
  const ext = dot >= 0 ? base.slice(dot + 1) : "";
  if (HASH_COMMENT_BASENAMES.has(base) || HASH_COMMENT_EXTS.has(ext)) return `# ${body}`;
  if (DASH_COMMENT_EXTS.has(ext)) return `-- ${body}`;
  if (SEMICOLON_COMMENT_EXTS.has(ext)) return `; ${body}`;
  if (PERCENT_COMMENT_EXTS.has(ext)) return `% ${body}`;
  if (MARKUP_COMMENT_EXTS.has(ext)) return `<!-- ${body} -->`;
  if (BLOCK_COMMENT_EXTS.has(ext)) return `/* ${body} */`;
  return `// ${body}`;
}

/**
 * Cross-file context written as the files' own source, each under a path comment, followed by the path comment of
 * the current file: the layout of repository-level pre-training data for models without file-separator tokens
 * (DeepSeek-Coder's repo-level data puts a comment with the file path at the start of each concatenated file).
 * Returns "" when there is no context (the current file's prefix is then left untouched).
 */
export function contextAsComments(extra: readonly ContextFile[], currentPath: string): string {
  if (extra.length === 0) return "";
  let s = "";
  for (const f of extra) s += `${lineComment(f.path, f.path)}\n${withTrailingNewline(f.text)}\n`;
  s += `${lineComment(currentPath || "untitled", currentPath || "untitled")}\n`;
  return s;
}
