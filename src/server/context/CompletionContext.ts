/**
 * Cross-file context for one completion, most wanted first: the definitions of what the cursor's lines use (from the
 * editor's language services, else found by name in the open files), the code the user recently edited or looked at,
 * then (without the editor's definitions) the open files' chunks that share the most identifiers with the cursor's
 * lines. No file that the FilePolicy keeps private is read. Owns the caches these need; the LSP wiring feeds it.
 */
import type { ContextFile } from "../completion/fim/fimTypes";
import { ContextRegion, type ContextCandidate, type LineSpan } from "./ContextRegion";
import { declarationSnippet } from "./declarationSnippet";
import type { DefinitionLookup } from "./DefinitionLookup";
import { identifiersIn, identifiersNearCursor } from "./identifiers";
import { indexDocument, rankChunks, type DocumentIndex } from "./identifierRanking";
import type { RecentChunks } from "./RecentChunks";

/** The part of an LSP TextDocument this needs. */
export interface ContextDocument {
  readonly uri: string;
  readonly version: number;
  readonly languageId: string;
  getText(): string;
  positionAt(offset: number): { line: number; character: number };
}

export interface CompletionContextDeps {
  readonly documents: { all(): readonly ContextDocument[] };
  /** Whether a file's text may enter another file's prompt. */
  readonly mayShare: (uri: string) => boolean;
  /** The path the model sees. */
  readonly pathOf: (uri: string) => string;
  readonly definitions: DefinitionLookup;
  readonly recent: RecentChunks;
}

export interface GatheredContext {
  readonly files: ContextFile[];
  readonly chosen: readonly ContextCandidate[];
  readonly tokens: number;
  /** Whether the editor's definitions were available for this request. */
  readonly editorDefinitions: boolean;
}

/** Characters around the cursor the prompt's own window roughly holds (1,024 tokens above, 256 below). */
const WINDOW_CHARS_ABOVE = 4_000;
const WINDOW_CHARS_BELOW = 1_000;
/** Lines above the cursor line whose identifiers query the ranking. */
const QUERY_LINES_ABOVE = 3;
const MAX_RANKED_CHUNKS = 6;
/** Open files larger than this are not indexed (generated or minified code). */
const MAX_INDEXED_CHARS = 500_000;

export class CompletionContext {
  private readonly region = new ContextRegion();
  private readonly indexes = new Map<string, DocumentIndex>();

  constructor(private readonly deps: CompletionContextDeps) {}

  async gather(
    document: ContextDocument, offset: number, maxTokens: number, countTokens: (text: string) => number, signal?: AbortSignal,
  ): Promise<GatheredContext> {
    const text = document.getText();
    this.deps.recent.settleExcept(document.uri);
    const window: LineSpan = {
      uri: document.uri,
      startLine: document.positionAt(Math.max(0, offset - WINDOW_CHARS_ABOVE)).line,
      endLine: document.positionAt(Math.min(text.length, offset + WINDOW_CHARS_BELOW)).line,
    };
    const identifiers = identifiersNearCursor(text, offset, document.positionAt(offset).line);
    const definitions = await this.deps.definitions.lookup(document.uri, document.version, identifiers, signal);

    const candidates: ContextCandidate[] = definitions.map((definition) => ({
      key: `definition:${definition.uri}:${definition.startLine}`, kind: "definition", uri: definition.uri, path: this.deps.pathOf(definition.uri),
      startLine: definition.startLine, endLine: definition.endLine, text: definition.text,
    }));
    const others = definitions.length === 0 ? this.indexedOthers(document) : [];
    if (definitions.length === 0) candidates.push(...this.declarationsByName(identifiers.map((identifier) => identifier.name), others));
    for (const chunk of [...this.deps.recent.all].reverse()) {
      if (!this.deps.mayShare(chunk.uri)) continue;
      candidates.push({
        key: `${chunk.kind}:${chunk.uri}:${chunk.startLine}:${chunk.endLine}`, kind: chunk.kind, uri: chunk.uri, path: this.deps.pathOf(chunk.uri),
        startLine: chunk.startLine, endLine: chunk.endLine, text: chunk.text,
      });
    }
    if (definitions.length === 0) candidates.push(...this.rankedChunks(queryTerms(text, offset), others));

    const choice = this.region.choose(candidates, maxTokens, countTokens, window);
    return { ...choice, editorDefinitions: this.deps.definitions.available };
  }

  /** The document was closed. */
  forget(uri: string): void {
    this.indexes.delete(uri);
    this.deps.definitions.forget(uri);
    this.deps.recent.forget(uri);
  }

  /** Indexes of the other open documents of the same language family that may be shared. */
  private indexedOthers(current: ContextDocument): DocumentIndex[] {
    const family = languageFamily(current.languageId);
    const indexes: DocumentIndex[] = [];
    for (const other of this.deps.documents.all()) {
      if (other.uri === current.uri || languageFamily(other.languageId) !== family || !this.deps.mayShare(other.uri)) continue;
      let index = this.indexes.get(other.uri);
      if (index === undefined || index.version !== other.version) {
        const text = other.getText();
        if (text.length > MAX_INDEXED_CHARS || text.includes("\u0000")) continue;
        index = indexDocument(other.uri, other.version, text);
        this.indexes.set(other.uri, index);
      }
      indexes.push(index);
    }
    return indexes;
  }

  /** Declarations of the names found by the server itself in the open files. */
  private declarationsByName(names: readonly string[], indexes: readonly DocumentIndex[]): ContextCandidate[] {
    const found: ContextCandidate[] = [];
    for (const name of names) {
      for (const index of indexes) {
        for (const line of index.declarations.get(name) ?? []) {
          const snippet = declarationSnippet(index.lines, line, line);
          if (snippet === undefined) continue;
          found.push({
            key: `declaration:${index.uri}:${snippet.startLine}`, kind: "declaration", uri: index.uri, path: this.deps.pathOf(index.uri),
            startLine: snippet.startLine, endLine: snippet.endLine, text: snippet.text,
          });
        }
      }
    }
    return found;
  }

  private rankedChunks(query: readonly string[], indexes: readonly DocumentIndex[]): ContextCandidate[] {
    const byUri = new Map(indexes.map((index) => [index.uri, index]));
    return rankChunks(query, indexes).slice(0, MAX_RANKED_CHUNKS).map((chunk) => {
      const lines = byUri.get(chunk.uri)?.lines ?? [];
      return {
        key: `ranked:${chunk.uri}:${chunk.startLine}`, kind: "ranked", uri: chunk.uri, path: this.deps.pathOf(chunk.uri),
        startLine: chunk.startLine, endLine: chunk.endLine, text: `${lines.slice(chunk.startLine, chunk.endLine + 1).join("\n")}\n`,
      };
    });
  }
}

/** The identifiers of the lines above the cursor and of the cursor line up to the word being typed. */
function queryTerms(text: string, offset: number): string[] {
  let start = text.lastIndexOf("\n", offset - 1);
  for (let above = 0; above < QUERY_LINES_ABOVE && start > 0; above++) start = text.lastIndexOf("\n", start - 1);
  const typed = /[\w$]*$/.exec(text.slice(Math.max(0, offset - 64), offset))?.[0].length ?? 0;
  return identifiersIn(text.slice(start + 1, offset - typed));
}

/** Languages whose files can call each other's code. */
export function languageFamily(languageId: string): string {
  if (["typescript", "typescriptreact", "javascript", "javascriptreact", "vue", "svelte"].includes(languageId)) return "js";
  if (["c", "cpp", "objective-c", "objective-cpp", "cuda-cpp"].includes(languageId)) return "c";
  return languageId;
}
