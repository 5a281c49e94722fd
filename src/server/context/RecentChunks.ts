/**
 * Chunks of code around where the user recently edited, pasted or looked, as a ring buffer (llama.vscode's ring of
 * extra context): a new chunk goes at the end, the oldest falls off the front, and a chunk that repeats or overlaps an
 * older one replaces it. The text is a snapshot taken when the chunk is committed, so a chunk's tokens stay the same
 * from request to request (the KV cache keeps them) until the user works there again. Pure: the caller supplies text.
 *
 * While the user keeps editing in one place, that place is pending, not committed: it is near the cursor and already
 * in the prompt's own window. It is committed when the user edits elsewhere (more than `nearLines` away) or
 * completes in another document.
 */

export interface RecentChunk {
  readonly uri: string;
  readonly startLine: number;
  /** Inclusive. */
  readonly endLine: number;
  readonly text: string;
  readonly kind: "edit" | "view";
}

export interface RecentChunksOptions {
  /** Chunks kept. */
  readonly capacity: number;
  /** Lines a chunk spans at most (centred on the edit; a view keeps its middle). */
  readonly chunkLines: number;
  readonly maxChunkChars: number;
  /** Edits this close to the pending place extend it rather than commit it. */
  readonly nearLines: number;
  /** Two chunks whose sets of lines are at least this similar (Jaccard) are one. */
  readonly similarity: number;
}

export const DEFAULT_RECENT_OPTIONS: RecentChunksOptions = { capacity: 16, chunkLines: 24, maxChunkChars: 1600, nearLines: 16, similarity: 0.9 };

/** How to read a document now: its lines, or undefined when it is gone. */
export type LinesOf = (uri: string) => readonly string[] | undefined;

export class RecentChunks {
  private chunks: RecentChunk[] = [];
  /** Per document: the lines last edited there, not yet committed. */
  private readonly pending = new Map<string, { firstLine: number; lastLine: number }>();

  constructor(private readonly linesOf: LinesOf, private readonly options: RecentChunksOptions = DEFAULT_RECENT_OPTIONS) {}

  /** Oldest first. */
  get all(): readonly RecentChunk[] {
    return this.chunks;
  }

  /** An edit (typing, a paste, a deletion) at lines `firstLine..lastLine` of the document as it is now. */
  edited(uri: string, firstLine: number, lastLine: number): void {
    const place = this.pending.get(uri);
    if (place !== undefined) {
      const near = firstLine <= place.lastLine + this.options.nearLines && lastLine >= place.firstLine - this.options.nearLines;
      if (near) {
        const merged = { firstLine: Math.min(place.firstLine, firstLine), lastLine: Math.max(place.lastLine, lastLine) };
        // A pending place that grew past a chunk restarts at the newest edit.
        this.pending.set(uri, merged.lastLine - merged.firstLine < this.options.chunkLines ? merged : { firstLine, lastLine });
        return;
      }
      this.commit(uri, place, "edit");
    }
    this.pending.set(uri, { firstLine, lastLine });
  }

  /** The user looks at these lines of the document (the editor's visible range). */
  viewed(uri: string, firstLine: number, lastLine: number): void {
    this.commit(uri, { firstLine, lastLine }, "view");
  }

  /** Commits the pending edits of every document but `current` (the user moved on from them). */
  settleExcept(current: string): void {
    for (const [uri, place] of [...this.pending]) {
      if (uri === current) continue;
      this.pending.delete(uri);
      this.commit(uri, place, "edit");
    }
  }

  /** The document was closed or must not be shared: its chunks go. */
  forget(uri: string): void {
    this.pending.delete(uri);
    this.chunks = this.chunks.filter((chunk) => chunk.uri !== uri);
  }

  private commit(uri: string, place: { firstLine: number; lastLine: number }, kind: RecentChunk["kind"]): void {
    const lines = this.linesOf(uri);
    if (lines === undefined || lines.length === 0) return;
    const span = this.options.chunkLines;
    const middle = Math.floor((place.firstLine + place.lastLine) / 2);
    let startLine = Math.max(0, Math.min(place.firstLine, middle - Math.floor(span / 2)));
    if (place.lastLine - place.firstLine >= span) startLine = Math.max(0, middle - Math.floor(span / 2));
    let endLine = Math.min(lines.length - 1, startLine + span - 1);
    startLine = Math.max(0, Math.min(startLine, endLine - span + 1));
    let text = lines.slice(startLine, endLine + 1).join("\n");
    while (text.length > this.options.maxChunkChars && endLine > startLine) {
      endLine--;
      text = lines.slice(startLine, endLine + 1).join("\n");
    }
    if (text.trim() === "" || endLine - startLine < 2) return;
    const chunk: RecentChunk = { uri, startLine, endLine, text: `${text}\n`, kind };
    const newLines = lines.slice(startLine, endLine + 1);
    this.chunks = this.chunks.filter((old) => !(old.uri === uri && old.startLine <= endLine && old.endLine >= startLine) &&
      jaccard(old.text.split("\n"), newLines) < this.options.similarity);
    this.chunks.push(chunk);
    while (this.chunks.length > this.options.capacity) this.chunks.shift();
  }
}

/** Shared distinct lines over all distinct lines. */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const setA = new Set(a.filter((line) => line.trim() !== ""));
  const setB = new Set(b.filter((line) => line.trim() !== ""));
  if (setA.size === 0 && setB.size === 0) return 1;
  let shared = 0;
  for (const line of setA) if (setB.has(line)) shared++;
  return shared / (setA.size + setB.size - shared);
}
