/** Characters per token before the server's tokenizer said anything: on the low side for code, so windows stay within the context. */
export const DEFAULT_CHARS_PER_TOKEN = 3;
/** Tokens seen before the learnt ratio replaces the default: a few lines say little about a tokenizer. */
const MIN_TOKENS_OBSERVED = 64;
/** The learnt ratio is used a little low (counts a little high): a window budgeted on it must still fit. */
const SAFETY_FACTOR = 0.9;
/** Beyond this many tokens, older observations count half, so the ratio follows what is being typed now. */
const DECAY_AFTER_TOKENS = 50_000;

/**
 * Token counts for window budgets on a remote engine, where asking the server on every keystroke would cost a round
 * trip: characters per token learnt from the exact counts the server's tokenizer returned for real prompt text
 * (llama-server's /tokenize, an OpenAI server's usage.prompt_tokens), cached for the engine's lifetime.
 */
export class LearntTokenCount {
  private chars = 0;
  private tokens = 0;

  /** The server counted `tokens` tokens for `chars` characters of ordinary text (no control tokens). */
  observe(chars: number, tokens: number): void {
    if (!(chars > 0 && tokens > 0) || !Number.isFinite(chars) || !Number.isFinite(tokens)) return;
    this.chars += chars;
    this.tokens += tokens;
    if (this.tokens > DECAY_AFTER_TOKENS) {
      this.chars /= 2;
      this.tokens /= 2;
    }
  }

  /** The ratio budgets use now: the learnt one with a margin once enough was seen, else the default. */
  get charsPerToken(): number {
    if (this.tokens < MIN_TOKENS_OBSERVED) return DEFAULT_CHARS_PER_TOKEN;
    return Math.min(8, Math.max(1, (this.chars / this.tokens) * SAFETY_FACTOR));
  }

  /** Whether the ratio comes from the server's tokenizer rather than the default. */
  get isLearnt(): boolean {
    return this.tokens >= MIN_TOKENS_OBSERVED;
  }

  count(text: string): number {
    return Math.ceil(text.length / this.charsPerToken);
  }
}
