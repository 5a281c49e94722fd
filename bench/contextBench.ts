/**
 * `npm run bench -- --context [--samples N] [--misses] [--out FILE]`: does the definition a call needs reach the prompt?
 *
 * On real multi-file TypeScript that no one here wrote (@azure/msal-common's own sources, which npm installs with the
 * package as a dependency of @vscode/vsce; MIT, © Microsoft; read in place, never copied), at call sites of functions,
 * methods and classes defined in another file: the share of positions whose definition's signature line is in the
 * cross-file context within the default budget, for
 *
 * - baseline:   the previous context (heads of the most recently used open files of the same language);
 * - editor:     the editor's definitions (TypeScript's language service, in this process, stands in for VS Code's
 *               definition providers) through the server's CompletionContext;
 * - fallback:   the server alone (declarations by name and BM25 over the open files), as for an editor that cannot
 *               answer pocketCoder/definitions;
 *
 * and what the context costs per request: the server's own work (warm: definitions cached for the document version,
 * indexes built), and the editor's answer time, which the server waits for at most DEFINITIONS_WAIT_MS.
 *
 * The open files: the current file and the package's files it imports (at most 8), the current file used last.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import ts from "typescript";
import { TextDocument } from "vscode-languageserver-textdocument";
import { DEFAULT_BUDGET, fitContextFiles } from "../src/server/completion/CompletionEngine";
import { selectCrossFileContext, type OpenFile } from "../src/server/completion/crossFileContext";
import type { ContextFile } from "../src/server/completion/fim/fimTypes";
import { CompletionContext, type ContextDocument } from "../src/server/context/CompletionContext";
import { DefinitionLookup } from "../src/server/context/DefinitionLookup";
import { RecentChunks } from "../src/server/context/RecentChunks";
import { DEFINITIONS_WAIT_MS } from "../src/server/lsp/contextFeature";
import type { DefinitionsParams, DefinitionsResult } from "../src/shared/protocol";
import { loadAverage, median, percentile, round, seededRandom } from "./lib/stats";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const PACKAGE_DIR = path.join(REPO_ROOT, "node_modules", "@azure", "msal-common");
const SOURCE_DIR = path.join(PACKAGE_DIR, "src");
const MAX_OPEN_IMPORTS = 8;
const MAX_SITES_PER_FILE = 6;
/** Characters per token for budgeting here (no model is loaded): Qwen2.5-Coder's tokenizer averages 3.5-4 on TypeScript, so 3 under-fills. */
const CHARS_PER_TOKEN = 3;
const countTokens = (text: string) => Math.ceil(text.length / CHARS_PER_TOKEN);

interface CallSite {
  readonly file: string;
  /** Cursor offset: just after the call's opening parenthesis. */
  readonly offset: number;
  readonly callee: string;
  /** The definition's name line, trimmed, without a trailing `{`. */
  readonly signature: string;
  readonly definitionFile: string;
}

interface Options {
  samples: number;
  /** List the positions whose definition did not reach the prompt. */
  misses: boolean;
  out?: string;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { samples: 150, misses: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--context") continue;
    else if (arg === "--samples") options.samples = Number(argv[++i]);
    else if (arg === "--misses") options.misses = true;
    else if (arg === "--out") options.out = path.resolve(argv[++i] ?? "");
    else throw new Error(`Unknown argument ${arg}. Usage: npm run bench -- --context [--samples N] [--misses] [--out FILE]`);
  }
  return options;
}

export async function runContextBench(argv: readonly string[]): Promise<void> {
  const options = parseArgs(argv);
  if (!fs.existsSync(SOURCE_DIR)) {
    console.log(`context bench: ${path.relative(REPO_ROOT, SOURCE_DIR)} is not installed (run npm ci); skipped.`);
    return;
  }
  const version = (JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8")) as { version: string }).version;
  const files = listSources(SOURCE_DIR);
  const texts = new Map(files.map((file) => [file, fs.readFileSync(file, "utf8")]));
  const service = languageService(files, texts);
  const program = service.getProgram()!;

  const sites = sampleCallSites(service, program, files, texts, options.samples);
  const documents = new Map(files.map((file) => [file, contextDocument(file, texts.get(file)!)]));
  const openFilesOf = (file: string) => [file, ...localImports(program, file).slice(0, MAX_OPEN_IMPORTS)];

  // TypeScript's language service answers pocketCoder/definitions, as VS Code's providers would.
  const editorMs: number[] = [];
  const answer = (params: DefinitionsParams): Promise<DefinitionsResult> => {
    const startedAt = performance.now();
    const file = fileURLToPath(params.textDocument.uri);
    const text = texts.get(file)!;
    const definitions = params.positions.flatMap((position, from) => {
      const found = service.getDefinitionAtPosition(file, offsetOf(text, position.line, position.character)) ?? [];
      return found.filter((definition) => texts.has(definition.fileName)).map((definition) => {
        const target = texts.get(definition.fileName)!;
        const span = definition.contextSpan ?? definition.textSpan;
        return {
          from, kind: "definition" as const, uri: pathToFileURL(definition.fileName).toString(),
          range: { start: positionOf(target, span.start), end: positionOf(target, span.start + span.length) },
        };
      });
    });
    editorMs.push(performance.now() - startedAt);
    return Promise.resolve({ definitions });
  };
  const readLines = (uri: string) => Promise.resolve(texts.get(fileURLToPath(uri))?.split(/\r?\n/));

  const contextFor = (editor: boolean, open: readonly string[]) => new CompletionContext({
    documents: { all: () => open.map((file) => documents.get(file)!) },
    mayShare: () => true,
    pathOf: (uri) => path.relative(PACKAGE_DIR, fileURLToPath(uri)).split(path.sep).join("/"),
    definitions: new DefinitionLookup({ request: answer, readLines, mayShare: () => true, waitMs: 10_000, available: () => editor }),
    recent: new RecentChunks(() => undefined),
  });

  const found = { baseline: 0, editor: 0, fallback: 0 };
  const warmMs = { editor: [] as number[], fallback: [] as number[] };
  const coldMs: number[] = [];
  const coldServerMs: number[] = [];
  const tokens = { baseline: [] as number[], editor: [] as number[], fallback: [] as number[] };
  const misses: string[] = [];
  for (const site of sites) {
    const open = openFilesOf(site.file);
    const document = documents.get(site.file)!;
    const budget = DEFAULT_BUDGET.extraContextTokens;

    const baseline = fitContextFiles(selectCrossFileContext(document, open.map((file, index) => openFile(file, texts.get(file)!, index))), budget, countTokens);
    tokens.baseline.push(cost(baseline));
    if (holds(baseline, site.signature)) found.baseline++;

    for (const mode of ["editor", "fallback"] as const) {
      const context = contextFor(mode === "editor", open);
      const editorCalls = editorMs.length;
      const startedAt = performance.now();
      const cold = await context.gather(document, site.offset, budget, countTokens);
      if (mode === "editor") {
        const total = performance.now() - startedAt;
        coldMs.push(total);
        coldServerMs.push(total - editorMs.slice(editorCalls).reduce((sum, ms) => sum + ms, 0));
      }
      // Warm: the same request again, as while the user types at this call (definitions cached, indexes built).
      const warmStartedAt = performance.now();
      await context.gather(document, site.offset, budget, countTokens);
      warmMs[mode].push(performance.now() - warmStartedAt);
      tokens[mode].push(cold.tokens);
      if (holds(cold.files, site.signature)) found[mode]++;
      else misses.push(`${mode}: ${path.relative(SOURCE_DIR, site.file)} ${site.callee}( -> ${path.relative(SOURCE_DIR, site.definitionFile)}: ${site.signature}` +
        `${open.includes(site.definitionFile) ? "" : " (not open)"}`);
    }
  }

  const n = sites.length;
  const lines = [
    `context bench: ${n} call sites in @azure/msal-common ${version} (${files.length} files), budget ${DEFAULT_BUDGET.extraContextTokens} tokens ` +
      `(${CHARS_PER_TOKEN} characters a token), load ${loadAverage()}`,
    `  definition signature in the prompt: baseline ${share(found.baseline, n)}, editor definitions ${share(found.editor, n)}, server fallback ${share(found.fallback, n)}`,
    `  context tokens (median): baseline ${median(tokens.baseline)}, editor ${median(tokens.editor)}, fallback ${median(tokens.fallback)}`,
    `  server work per request, warm (median / p90): editor ${round(median(warmMs.editor), 2)} / ${round(percentile(warmMs.editor, 90), 2)} ms, ` +
      `fallback ${round(median(warmMs.fallback), 2)} / ${round(percentile(warmMs.fallback, 90), 2)} ms`,
    `  first request at a call: server work ${round(median(coldServerMs), 2)} / ${round(percentile(coldServerMs, 90), 2)} ms (median / p90), ` +
      `with the editor's answer ${round(median(coldMs), 1)} / ${round(percentile(coldMs, 90), 1)} ms; ` +
      `the editor's answer alone: ${round(median(editorMs), 1)} / ${round(percentile(editorMs, 90), 1)} ms (the server waits at most ${DEFINITIONS_WAIT_MS} ms)`,
    ...(options.misses ? misses.map((miss) => `  miss ${miss}`) : []),
  ];
  for (const line of lines) console.log(line);
  if (options.out !== undefined) fs.writeFileSync(options.out, `${lines.join("\n")}\n`);
}

function share(count: number, total: number): string {
  return `${count}/${total} = ${(count / total).toFixed(2)}`;
}

function cost(files: readonly ContextFile[]): number {
  return files.reduce((sum, file) => sum + countTokens(file.text) + countTokens(file.path) + 4, 0);
}

function holds(files: readonly ContextFile[], signature: string): boolean {
  return files.some((file) => file.text.includes(signature));
}

function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSources(full));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out.sort();
}

function languageService(files: readonly string[], texts: ReadonlyMap<string, string>): ts.LanguageService {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, noLib: true, noResolve: false };
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [...files],
    getScriptVersion: () => "1",
    getScriptSnapshot: (fileName) => {
      const text = texts.get(fileName) ?? (fs.existsSync(fileName) ? fs.readFileSync(fileName, "utf8") : undefined);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => PACKAGE_DIR,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: (fileName) => texts.has(fileName) || fs.existsSync(fileName),
    readFile: (fileName) => texts.get(fileName) ?? (fs.existsSync(fileName) ? fs.readFileSync(fileName, "utf8") : undefined),
  };
  return ts.createLanguageService(host, ts.createDocumentRegistry());
}

/** Calls and `new` expressions whose callee is defined in another file of the package, a few per file, in a seeded order. */
function sampleCallSites(
  service: ts.LanguageService, program: ts.Program, files: readonly string[], texts: ReadonlyMap<string, string>, wanted: number,
): CallSite[] {
  const all: CallSite[] = [];
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) continue;
    const text = texts.get(file)!;
    const perFile: CallSite[] = [];
    const visit = (node: ts.Node): void => {
      if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && node.arguments !== undefined) {
        const callee = ts.isPropertyAccessExpression(node.expression) ? node.expression.name : node.expression;
        if (ts.isIdentifier(callee)) {
          const definition = (service.getDefinitionAtPosition(file, callee.getStart(source)) ?? [])
            .find((candidate) => candidate.fileName !== file && texts.has(candidate.fileName));
          if (definition !== undefined) {
            const target = texts.get(definition.fileName)!;
            const nameLine = target.split("\n")[positionOf(target, definition.textSpan.start).line] ?? "";
            const signature = nameLine.trim().replace(/\s*\{\s*$/, "");
            const open = text.indexOf("(", callee.getEnd());
            if (signature.length >= 8 && open >= 0) {
              perFile.push({ file, offset: open + 1, callee: callee.text, signature, definitionFile: definition.fileName });
            }
          }
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    const random = seededRandom(all.length + perFile.length + 7);
    all.push(...shuffle(perFile, random).slice(0, MAX_SITES_PER_FILE));
  }
  return shuffle(all, seededRandom(14)).slice(0, wanted);
}

function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/** The package's own files that `file` imports, in import order. */
function localImports(program: ts.Program, file: string): string[] {
  const source = program.getSourceFile(file);
  if (source === undefined) return [];
  const imports: string[] = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const resolved = ts.resolveModuleName(statement.moduleSpecifier.text, file, program.getCompilerOptions(), ts.sys).resolvedModule?.resolvedFileName;
    if (resolved !== undefined && resolved.startsWith(SOURCE_DIR) && !resolved.endsWith(".d.ts") && !imports.includes(resolved)) imports.push(resolved);
  }
  return imports;
}

/** Open files as the previous context saw them: the current one used last, imports in order before it. */
function openFile(file: string, text: string, index: number): OpenFile {
  return { uri: pathToFileURL(file).toString(), path: path.relative(PACKAGE_DIR, file).split(path.sep).join("/"), languageId: "typescript", text, lastUsedAt: 1000 - index };
}

/** The server's own document type, so positions cost what they cost there. */
function contextDocument(file: string, text: string): ContextDocument {
  return TextDocument.create(pathToFileURL(file).toString(), "typescript", 1, text);
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i >= 0 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

function offsetOf(text: string, line: number, character: number): number {
  let offset = 0;
  for (let l = 0; l < line; l++) offset = text.indexOf("\n", offset) + 1;
  return offset + character;
}
