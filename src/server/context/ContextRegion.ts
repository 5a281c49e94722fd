/**
 * The cross-file part of the prompt: which candidate chunks fit the token budget, and in which order. The region heads
 * the prompt, so its order is kept from request to request: a chunk chosen again stays where it was, a new one goes
 * at the end (nearest the code), and one no longer chosen just drops out. The model's KV cache then keeps everything
 * before the first new chunk, and the runtime shifts the later kept chunks into place rather than reading them again.
 * Pure apart from the remembered order.
 */
import type { ContextFile } from "../completion/fim/fimTypes";

export type CandidateKind = "definition" | "declaration" | "edit" | "view" | "ranked";

export interface ContextCandidate {
  /** Same key, same chunk: how a chunk is recognised on the next request. */
  readonly key: string;
  readonly kind: CandidateKind;
  readonly uri: string;
  /** Workspace-relative path shown to the model. */
  readonly path: string;
  readonly startLine: number;
  /** Inclusive. */
  readonly endLine: number;
  readonly text: string;
}

/** Lines of a document the prompt already holds (the window around the cursor). */
export interface LineSpan {
  readonly uri: string;
  readonly startLine: number;
  readonly endLine: number;
}

export interface RegionChoice {
  readonly files: ContextFile[];
  readonly chosen: readonly ContextCandidate[];
  readonly tokens: number;
}

/** What one chunk costs in the prompt: its text, its path line and separators (as CompletionEngine counts it). */
export function chunkCost(candidate: { path: string; text: string }, countTokens: (text: string) => number): number {
  return countTokens(candidate.text) + countTokens(candidate.path) + 4;
}

export class ContextRegion {
  private order: string[] = [];

  /**
   * `candidates` in priority order (most wanted first). Skips a candidate that overlaps one already chosen from the
   * same file or the window, or whose text another chosen chunk already holds.
   */
  choose(candidates: readonly ContextCandidate[], maxTokens: number, countTokens: (text: string) => number, window?: LineSpan): RegionChoice {
    const chosen: ContextCandidate[] = [];
    let tokens = 0;
    for (const candidate of candidates) {
      if (candidate.text.trim() === "") continue;
      if (window !== undefined && overlaps(candidate, window)) continue;
      if (chosen.some((other) => overlaps(candidate, other) || other.text.includes(candidate.text.trim()))) continue;
      const cost = chunkCost(candidate, countTokens);
      if (tokens + cost > maxTokens) continue;
      chosen.push(candidate);
      tokens += cost;
    }
    const byKey = new Map(chosen.map((candidate) => [candidate.key, candidate]));
    const kept = this.order.filter((key) => byKey.has(key));
    const keptKeys = new Set(kept);
    // New chunks go last, the most wanted nearest the code.
    const added = chosen.filter((candidate) => !keptKeys.has(candidate.key)).reverse().map((candidate) => candidate.key);
    this.order = [...kept, ...added];
    const ordered = this.order.map((key) => byKey.get(key)!);
    return { files: ordered.map(({ path, text }) => ({ path, text })), chosen: ordered, tokens };
  }

  reset(): void {
    this.order = [];
  }
}

function overlaps(a: LineSpan, b: LineSpan): boolean {
  return a.uri === b.uri && a.startLine <= b.endLine && a.endLine >= b.startLine;
}
