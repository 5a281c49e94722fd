import type { PromptPiece } from "../completion/fim/fimTypes";
import type { GenerateOptions, GenerationResult, StopReason, TextGenerator } from "../completion/textGenerator";
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "./nodeLlamaCpp";
import { firstStopIndex } from "../completion/stopTexts";
import { planCacheReuse } from "./cacheReuse";
import type { CompletionPriority } from "./CompletionPriority";
import { TokenizerCache } from "./TokenizerCache";

/**
 * llama.cpp ignores an abort while it evaluates one batch, so the prompt is fed in chunks sized to
 * take about this long: an abort then waits at most one chunk (half of one on average). Chunks are
 * sized from the measured prompt speed: a fast backend gets chunks of ~100 ms, a slow CPU gets the
 * floor below, which keeps batch efficiency (on a 0.5B model on 2 cores a 128-token chunk takes ~220 ms
 * near the prompt's start and ~420 ms 1,000 tokens in; the benchmark's mid-prompt aborts measured 120–290 ms median).
 */
const PREFILL_CHUNK_TARGET_MS = 100;
/**
 * Smaller batches read prompts markedly slower on CPU (bench/rawSpeed.ts on the 0.5B shape, 2 threads, chunks without
 * logits: 32-token chunks 0.57×, 64-token 0.81×, 128- and 256-token 0.87–0.88× of one call); an abort mid-prompt may
 * wait for one.
 */
const MIN_PREFILL_CHUNK = 128;
/**
 * Cached runs at least this long are shifted into place rather than read again: long enough to be the same text, not a
 * chance match (llama.vscode runs llama-server with `--cache-reuse 256`, which would miss the ~250-token suffixes here).
 */
const MIN_SHIFTED_RUN = 48;
const MAX_PREFILL_CHUNK = 512;
/** What the detokenizer gives for the bytes of a character that has not ended yet. */
const INCOMPLETE_CHARACTER = "\uFFFD";

/**
 * One loaded model with one warm context sequence. Generations run one at a time; each keeps what the KV cache
 * holds of its prompt: the common token prefix with the previous one, and long runs of it further on (cacheReuse.ts).
 */
export class LoadedModel implements TextGenerator {
  private tail: Promise<unknown> = Promise.resolve();
  /** Smoothed prompt evaluation speed, for sizing prefill chunks; starts optimistic and learns. */
  private prefillTokensPerSecond = 1600;
  private readonly tokenizer = new TokenizerCache((text, special) =>
    // SentencePiece vocabularies would prepend a space to every separately tokenized text piece;
    // "trimLeadingSpace" keeps the text's own leading spaces exactly (and is a no-op for BPE).
    special ? this.model.tokenize(text, true) : this.model.tokenize(text, false, "trimLeadingSpace"));

  constructor(
    readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaContextSequence,
    /** Shared with the explainer on the same context: it pauses while a generation here is queued or running. */
    private readonly priority?: CompletionPriority,
  ) {}

  get contextSize(): number {
    return this.sequence.contextSize;
  }

  countTokens(text: string): number {
    return this.tokenizer.tokens(text, false).length;
  }

  generate(prompt: readonly PromptPiece[], options: GenerateOptions): Promise<GenerationResult> {
    const enqueuedAt = performance.now();
    const release = this.priority?.claim();
    const run = this.tail.then(() => this.generateExclusively(prompt, options, enqueuedAt)).finally(release);
    this.tail = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    await this.tail;
    await this.context.dispose();
    await this.model.dispose();
  }

  /**
   * Aligns the KV cache with `target`: the common token prefix stays, and when the cursor moved, long runs of cached
   * tokens that still occur later in `target` (the suffix's unchanged lines) are shifted into place (cacheReuse.ts).
   */
  private async reuseCachedTokens(target: Token[]): Promise<void> {
    const plan = planCacheReuse(this.sequence.contextTokens, target, MIN_SHIFTED_RUN);
    if (plan.erase.length > 0) await this.sequence.eraseContextTokenRanges([...plan.erase]);
    // A no-op when the plan held; exact alignment even if node-llama-cpp had to rebuild the sequence instead.
    await this.sequence.adaptStateToTokens(target, false);
  }

  private prefillChunkTokens(): number {
    const tokens = Math.round((this.prefillTokensPerSecond * PREFILL_CHUNK_TARGET_MS) / 1000);
    return Math.min(MAX_PREFILL_CHUNK, Math.max(MIN_PREFILL_CHUNK, tokens));
  }

  private learnPrefillSpeed(tokens: number, elapsedMs: number): void {
    if (tokens < MIN_PREFILL_CHUNK || elapsedMs <= 0) return;
    const measured = (tokens * 1000) / elapsedMs;
    this.prefillTokensPerSecond = 0.5 * this.prefillTokensPerSecond + 0.5 * measured;
  }

  private tokenizePrompt(prompt: readonly PromptPiece[]): Token[] {
    const tokens: Token[] = [];
    const bos = this.model.tokens.bos;
    if (this.model.tokens.shouldPrependBosToken && bos !== null) tokens.push(bos);
    for (const piece of prompt) {
      for (const token of this.tokenizer.tokens(piece.text, piece.kind === "special")) tokens.push(token);
    }
    return tokens;
  }

  private async generateExclusively(prompt: readonly PromptPiece[], options: GenerateOptions, enqueuedAt: number): Promise<GenerationResult> {
    const startedAt = performance.now();
    const tokens = this.tokenizePrompt(prompt);
    const timing: GenerationTiming = { startedAt, queuedMs: startedAt - enqueuedAt, tokenizeMs: performance.now() - startedAt };
    const lastToken = tokens.at(-1);
    if (lastToken === undefined) throw new Error("Empty prompt.");
    if (tokens.length + options.maxTokens > this.contextSize) {
      throw new Error(`Prompt of ${tokens.length} tokens plus ${options.maxTokens} to generate exceeds the context (${this.contextSize}).`);
    }

    // Keep the cached prefix, but never the last prompt token: evaluating it yields the first logits.
    const alignStartedAt = performance.now();
    await this.reuseCachedTokens(tokens.slice(0, -1));
    timing.alignMs = performance.now() - alignStartedAt;
    const reusedTokens = this.sequence.nextTokenIndex;
    // The last chunk is evaluated by the generating call itself, in one batch with its logits: a separate
    // one-token step for the first logits would cost a whole decode step (every weight read once more).
    const chunks = evenChunks(tokens.slice(reusedTokens), this.prefillChunkTokens());
    const lastChunk = chunks.pop() ?? [lastToken];
    for (const chunk of chunks) {
      if (options.signal.aborted) return this.result("", "aborted", tokens.length, reusedTokens, 0, timing, performance.now());
      const chunkStartedAt = performance.now();
      // controlledEvaluate computes no logits unless asked; evaluateWithoutGeneratingNewTokens computes them for
      // each call's last token (one output-layer product over the whole vocabulary per chunk, ~10 ms on 2 CPU cores).
      await this.sequence.controlledEvaluate(chunk);
      this.learnPrefillSpeed(chunk.length, performance.now() - chunkStartedAt);
    }
    if (options.signal.aborted) return this.result("", "aborted", tokens.length, reusedTokens, 0, timing, performance.now());

    const lastChunkAt = performance.now();
    const generated: Token[] = [];
    let text = "";
    let stopReason: StopReason = "endOfGeneration";
    let promptEndedAt = lastChunkAt;
    // yieldEogToken: without it the iterator ends silently on end-of-generation and the stop reads as maxTokens.
    for await (const token of this.sequence.evaluate(lastChunk, { temperature: 0, yieldEogToken: true })) {
      if (generated.length === 0) {
        promptEndedAt = performance.now();
        timing.prefillMs = promptEndedAt - alignStartedAt - (timing.alignMs ?? 0);
        this.learnPrefillSpeed(lastChunk.length, promptEndedAt - lastChunkAt);
      }
      if (options.signal.aborted) {
        stopReason = "aborted";
        break;
      }
      if (this.model.isEogToken(token)) {
        stopReason = "endOfGeneration";
        break;
      }
      generated.push(token);
      const decoded = this.model.detokenize(generated);
      // A token that ends inside a multi-byte character decodes to U+FFFD: hold that text back until a later
      // token completes the character, so a cut generation never ends in a broken character.
      if (!decoded.endsWith(INCOMPLETE_CHARACTER)) text = decoded;
      const stopAt = firstStopIndex(text, options.stopTexts);
      if (stopAt >= 0) {
        text = text.slice(0, stopAt);
        stopReason = "stopText";
        break;
      }
      if (options.isSettled?.(text) === true) {
        stopReason = "settled";
        break;
      }
      if (generated.length >= options.maxTokens) {
        stopReason = "maxTokens";
        break;
      }
    }
    return this.result(text, stopReason, tokens.length, reusedTokens, generated.length, timing, promptEndedAt);
  }

  private result(
    text: string, stopReason: StopReason, promptTokens: number, reusedTokens: number, generatedTokens: number,
    timing: GenerationTiming, promptEndedAt: number,
  ): GenerationResult {
    const now = performance.now();
    return {
      text, stopReason, promptTokens, reusedTokens, generatedTokens,
      promptMs: promptEndedAt - timing.startedAt,
      generateMs: now - promptEndedAt,
      queuedMs: timing.queuedMs,
      tokenizeMs: timing.tokenizeMs,
      ...(timing.alignMs === undefined ? {} : { alignMs: timing.alignMs }),
      ...(timing.prefillMs === undefined ? {} : { prefillMs: timing.prefillMs }),
    };
  }
}

/** Splits `tokens` into chunks of at most `size`, all about equal (no short tail chunk paying a whole weight pass for a few tokens). */
function evenChunks(tokens: readonly Token[], size: number): Token[][] {
  const count = Math.ceil(tokens.length / size);
  const chunks: Token[][] = [];
  for (let index = 0; index < count; index++) {
    chunks.push(tokens.slice(Math.round((index * tokens.length) / count), Math.round(((index + 1) * tokens.length) / count)));
  }
  return chunks;
}

interface GenerationTiming {
  readonly startedAt: number;
  readonly queuedMs: number;
  readonly tokenizeMs: number;
  alignMs?: number;
  prefillMs?: number;
}
