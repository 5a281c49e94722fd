/**
 * The fallback when the editor names no definitions: the server ranks chunks of the open files by how many of the
 * cursor's identifiers they share (BM25), and finds the lines that declare those identifiers by name. Pure; the index
 * of a document is built once per version.
 */
import { identifiersIn } from "./identifiers";

export interface IndexedChunk {
  readonly startLine: number;
  /** Inclusive. */
  readonly endLine: number;
  readonly terms: ReadonlyMap<string, number>;
  readonly length: number;
}

export interface DocumentIndex {
  readonly uri: string;
  readonly version: number;
  readonly lines: readonly string[];
  readonly chunks: readonly IndexedChunk[];
  /** Identifier → the lines that declare it. */
  readonly declarations: ReadonlyMap<string, readonly number[]>;
  /** Chunks containing each term. */
  readonly documentFrequency: ReadonlyMap<string, number>;
}

export interface ChunkingOptions {
  readonly chunkLines: number;
  readonly strideLines: number;
}

export const DEFAULT_CHUNKING: ChunkingOptions = { chunkLines: 16, strideLines: 8 };

const KEYWORD_DECLARATION =
  /\b(?:function\*?|class|interface|type|enum|def|fn|func|fun|struct|trait|const|let|var|namespace|module|record|object)\s+([A-Za-z_$][\w$]*)/g;
/** `name(…) {`, `name(…): T {`, `name(…): T;` (a method or function header), never a call statement `name(…);`. */
const METHOD_DECLARATION =
  /^\s*(?:(?:export|public|private|protected|static|async|readonly|abstract|override|declare|get|set|pub|final|virtual)\s+)*\*?([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\(.*\)\s*(?:(?::\s*[^={;]+)?\{|:\s*[^={;]+;)\s*$/;
/** A member whose parameters continue on the next lines: `  static async build(`, `  abstract setTelemetry(`. */
const MULTILINE_MEMBER = /^\s*(?:(?:public|private|protected|static|async|abstract|override|readonly)\s+)+\*?([A-Za-z_$][\w$]*)\s*(?:<[^>]*>)?\s*\($/;
const NOT_METHODS = new Set(["if", "for", "while", "switch", "catch", "return", "function", "with", "await", "typeof", "new", "super", "this"]);

export function indexDocument(uri: string, version: number, text: string, chunking = DEFAULT_CHUNKING): DocumentIndex {
  const lines = text.split(/\r?\n/);
  const lineTerms = lines.map((line) => identifiersIn(line));
  const declarations = new Map<string, number[]>();
  lines.forEach((line, index) => {
    for (const name of declaredOn(line)) {
      const list = declarations.get(name);
      if (list === undefined) declarations.set(name, [index]);
      else list.push(index);
    }
  });
  const chunks: IndexedChunk[] = [];
  const documentFrequency = new Map<string, number>();
  for (let start = 0; start < lines.length; start += chunking.strideLines) {
    const end = Math.min(lines.length - 1, start + chunking.chunkLines - 1);
    const terms = new Map<string, number>();
    let length = 0;
    for (let line = start; line <= end; line++) {
      for (const term of lineTerms[line] ?? []) {
        terms.set(term, (terms.get(term) ?? 0) + 1);
        length++;
      }
    }
    if (length > 0) {
      chunks.push({ startLine: start, endLine: end, terms, length });
      for (const term of terms.keys()) documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
    if (end === lines.length - 1) break;
  }
  return { uri, version, lines, chunks, declarations, documentFrequency };
}

/** The names a line declares. */
export function declaredOn(line: string): string[] {
  const names: string[] = [];
  for (const match of line.matchAll(KEYWORD_DECLARATION)) if (match[1] !== undefined) names.push(match[1]);
  const method = METHOD_DECLARATION.exec(line);
  const member = method ?? MULTILINE_MEMBER.exec(line);
  if (member?.[1] !== undefined && !NOT_METHODS.has(member[1])) names.push(member[1]);
  return names;
}

export interface RankedChunk {
  readonly uri: string;
  readonly startLine: number;
  readonly endLine: number;
  readonly score: number;
}

/** Chunks of `indexes` by BM25 score for the query terms, best first; chunks sharing no term are left out. */
export function rankChunks(query: readonly string[], indexes: readonly DocumentIndex[], k1 = 1.2, b = 0.75): RankedChunk[] {
  const terms = [...new Set(query)];
  if (terms.length === 0) return [];
  let chunkCount = 0;
  let totalLength = 0;
  for (const index of indexes) {
    chunkCount += index.chunks.length;
    for (const chunk of index.chunks) totalLength += chunk.length;
  }
  if (chunkCount === 0) return [];
  const averageLength = totalLength / chunkCount;
  const idf = new Map<string, number>();
  for (const term of terms) {
    let df = 0;
    for (const index of indexes) df += index.documentFrequency.get(term) ?? 0;
    if (df > 0) idf.set(term, Math.log(1 + (chunkCount - df + 0.5) / (df + 0.5)));
  }
  const ranked: RankedChunk[] = [];
  for (const index of indexes) {
    for (const chunk of index.chunks) {
      let score = 0;
      for (const [term, weight] of idf) {
        const tf = chunk.terms.get(term);
        if (tf === undefined) continue;
        score += weight * ((tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * chunk.length) / averageLength)));
      }
      if (score > 0) ranked.push({ uri: index.uri, startLine: chunk.startLine, endLine: chunk.endLine, score });
    }
  }
  return ranked.sort((x, y) => y.score - x.score);
}
