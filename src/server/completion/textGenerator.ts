import type { PromptPiece } from "./fim/fimTypes";

/** Why a generation ended. */
export type StopReason = "endOfGeneration" | "stopText" | "settled" | "maxTokens" | "aborted";

export interface GenerateOptions {
  readonly maxTokens: number;
  /** Generation ends before the first occurrence of any of these texts. */
  readonly stopTexts: readonly string[];
  readonly signal: AbortSignal;
  /** Checked after every token with the text so far: true ends the generation (more tokens could not change the result). */
  readonly isSettled?: (text: string) => boolean;
}

export interface GenerationResult {
  readonly text: string;
  readonly stopReason: StopReason;
  readonly promptTokens: number;
  /** Prompt tokens taken from the KV cache instead of being evaluated again. */
  readonly reusedTokens: number;
  readonly generatedTokens: number;
  /** From the start of this generation to the first generated token: tokenizing, KV-cache alignment, prefill. */
  readonly promptMs: number;
  readonly generateMs: number;
  /** Waiting for an older generation to stop before this one could start (absent: did not wait). */
  readonly queuedMs?: number;
  /** Tokenizing the prompt (part of promptMs; not model time). */
  readonly tokenizeMs?: number;
  /** Parts of promptMs, for diagnosis: aligning the KV cache with the prompt (erasing, shifting), and reading the rest of the prompt. */
  readonly alignMs?: number;
  readonly prefillMs?: number;
  /** A remote engine's own time for the request, as it reports it: promptMs + generateMs minus this is the transport's share. */
  readonly engineMs?: number;
}

/**
 * The model as the completion engine sees it. Implemented by the runtime (node-llama-cpp);
 * the engine and its tests depend only on this shape.
 */
export interface TextGenerator {
  countTokens(text: string): number;
  /** Tokens the context can hold; a prompt plus maxTokens must fit in it. */
  readonly contextSize: number;
  generate(prompt: readonly PromptPiece[], options: GenerateOptions): Promise<GenerationResult>;
  /**
   * Optional: start the work `generate` will need for this prompt that does not use the model (a remote engine
   * tokenizes its pieces), so it runs while the debounce does. Never throws; a wasted call costs only that work.
   */
  prepare?(prompt: readonly PromptPiece[]): void;
}
