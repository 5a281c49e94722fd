import { readFile } from "node:fs/promises";
import * as path from "node:path";
import { completeAtCursor, DEFAULT_BUDGET } from "../completion/CompletionEngine";
import { GlobRules } from "../context/globs";
import { parseArgs, UsageError, writeStdout } from "./args";
import { forCommandLine } from "./commandLineWording";
import { MODEL_FLAGS, MODEL_OPTIONS, MODEL_OPTIONS_USAGE, settingsFromArgs, startHeadlessModel, stderrLogger } from "./headlessModel";

export const COMPLETE_USAGE = `pocket-coder complete [options] FILE LINE:COL
  Prints the inline completion at LINE:COL (both 1-based; COL counts UTF-16 code units) of FILE,
  exactly as the editor would show it, with nothing added. Nothing on stdout means no completion.
${MODEL_OPTIONS_USAGE}
  --max-tokens N   the longest completion (default: 128)
  --language ID    the LSP language id (default: from the file extension)`;

const LANGUAGES: Record<string, string> = {
  ".ts": "typescript", ".tsx": "typescriptreact", ".js": "javascript", ".jsx": "javascriptreact", ".mjs": "javascript", ".cjs": "javascript",
  ".py": "python", ".rs": "rust", ".go": "go", ".java": "java", ".kt": "kotlin", ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp",
  ".hpp": "cpp", ".cs": "csharp", ".rb": "ruby", ".php": "php", ".swift": "swift", ".sh": "shellscript", ".lua": "lua", ".json": "json",
  ".md": "markdown", ".html": "html", ".css": "css", ".sql": "sql", ".yaml": "yaml", ".yml": "yaml",
};

export async function runComplete(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, [...MODEL_OPTIONS, "language"], [...MODEL_FLAGS]);
  const [file, where] = args.positionals;
  if (file === undefined || where === undefined || args.positionals.length > 2) throw new UsageError("complete needs FILE and LINE:COL.");
  const match = /^(\d+):(\d+)$/.exec(where);
  if (match === null) throw new UsageError(`LINE:COL must look like 12:5; got "${where}".`);
  const settings = settingsFromArgs(args);
  if (new GlobRules(settings.exclude).matches(path.resolve(file).split(path.sep).join("/").replace(/^\/+/, ""))) {
    process.stderr.write(`(no completion: ${file} matches pocketCoder.exclude's defaults; Pocket Coder does not read it)\n`);
    return 0;
  }
  const text = await readSourceFile(file);
  const offset = offsetOf(text, Number(match[1]), Number(match[2]));

  const models = await startHeadlessModel(settings, stderrLogger(args.flags.has("verbose")));
  try {
    await models.ensureLoaded();
    const model = models.completionModel;
    if (model === undefined) {
      process.stderr.write(`${forCommandLine(models.status.message)}\n`);
      return 1;
    }
    const absolute = path.resolve(file);
    const relative = path.relative(process.cwd(), absolute);
    const inside = !relative.startsWith("..") && !path.isAbsolute(relative);
    const outcome = await completeAtCursor(
      model.engine,
      {
        text, offset,
        languageId: args.options.get("language") ?? LANGUAGES[path.extname(file).toLowerCase()] ?? "plaintext",
        filePath: (inside ? relative : path.basename(absolute)).split(path.sep).join("/"),
        repoName: inside ? path.basename(process.cwd()) : "",
      },
      { ...DEFAULT_BUDGET, maxTokens: settings.completion.maxTokens },
      new AbortController().signal,
    );
    if (outcome.kind === "empty") {
      process.stderr.write(`(no completion: ${outcome.reason})\n`);
      return 0;
    }
    await writeStdout(outcome.insertText);
    return 0;
  } finally {
    await models.dispose();
  }
}

/** A source file that cannot be read is bad input: a sentence saying why, not a stack trace. */
export class InputFileError extends Error {
  override readonly name = "InputFileError";
}

async function readSourceFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "there is no such file" : code === "EISDIR" ? "it is a folder, not a file" : code === "EACCES" ? "permission denied" : String(error);
    throw new InputFileError(`Cannot read ${file}: ${why}.`);
  }
}

/** The offset of 1-based LINE:COL; throws a UsageError outside the text. */
export function offsetOf(text: string, line: number, column: number): number {
  let start = 0;
  for (let current = 1; current < line; current++) {
    const newline = text.indexOf("\n", start);
    if (newline < 0) throw new UsageError(`The file has fewer than ${line} lines.`);
    start = newline + 1;
  }
  const end = text.indexOf("\n", start);
  const lineLength = (end < 0 ? text.length : end) - start - (end > 0 && text[end - 1] === "\r" ? 1 : 0);
  if (line < 1 || column < 1 || column - 1 > lineLength) throw new UsageError(`Line ${line} has no column ${column} (it has ${lineLength} characters).`);
  return start + column - 1;
}
