import type { Token } from "./nodeLlamaCpp";

/**
 * Remembers recent tokenizations. Every request windows the document by counting tokens of the same line chunks and
 * tokenizes the same stable prompt pieces (cross-file context, lines above, suffix): node-llama-cpp's tokenizer takes
 * ~1 ms per 4 KB, which made up most of the server's per-request time outside the model.
 */
export class TokenizerCache {
  private readonly entries = new Map<string, readonly Token[]>();

  constructor(
    private readonly tokenize: (text: string, special: boolean) => readonly Token[],
    private readonly capacity = 512,
  ) {}

  /** Tokens of `text`, control-token texts parsed when `special` is set. The array is shared: do not change it. */
  tokens(text: string, special: boolean): readonly Token[] {
    const key = (special ? "s" : "t") + text;
    const cached = this.entries.get(key);
    if (cached !== undefined) {
      // Most recently used last: Map iteration order is insertion order.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const tokens = this.tokenize(text, special);
    this.entries.set(key, tokens);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
    return tokens;
  }
}
