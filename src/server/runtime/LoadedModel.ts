import type { PromptPiece } from "../completion/fim/fimTypes";
import type { GenerateOptions, GenerationResult, StopReason, TextGenerator } from "../completion/textGenerator";
import type { LlamaContext, LlamaContextSequence, LlamaModel, Token } from "./nodeLlamaCpp";

/**
 * Prompt tokens evaluated per step before generation starts. llama.cpp ignores an abort while it
 * evaluates one batch, so feeding the prompt in chunks keeps an abort within one chunk's time.
 */
const PREFILL_CHUNK_TOKENS = 256;

/**
 * One loaded model with one warm context sequence. Generations run one at a time; each keeps the
 * longest common token prefix of the previous one in the KV cache.
 */
export class LoadedModel implements TextGenerator {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly model: LlamaModel,
    private readonly context: LlamaContext,
    private readonly sequence: LlamaContextSequence,
  ) {}

  get contextSize(): number {
    return this.sequence.contextSize;
  }

  countTokens(text: string): number {
    return this.model.tokenize(text, false).length;
  }

  generate(prompt: readonly PromptPiece[], options: GenerateOptions): Promise<GenerationResult> {
    const run = this.tail.then(() => this.generateExclusively(prompt, options));
    this.tail = run.catch(() => undefined);
    return run;
  }

  async dispose(): Promise<void> {
    await this.tail;
    await this.context.dispose();
    await this.model.dispose();
  }

  private tokenizePrompt(prompt: readonly PromptPiece[]): Token[] {
    const tokens: Token[] = [];
    const bos = this.model.tokens.bos;
    if (this.model.tokens.shouldPrependBosToken && bos !== null) tokens.push(bos);
    for (const piece of prompt) {
      // SentencePiece vocabularies would prepend a space to every separately tokenized text piece;
      // "trimLeadingSpace" keeps the text's own leading spaces exactly (and is a no-op for BPE).
      const pieceTokens = piece.kind === "special"
        ? this.model.tokenize(piece.text, true)
        : this.model.tokenize(piece.text, false, "trimLeadingSpace");
      for (const token of pieceTokens) tokens.push(token);
    }
    return tokens;
  }

  private async generateExclusively(prompt: readonly PromptPiece[], options: GenerateOptions): Promise<GenerationResult> {
    const startedAt = performance.now();
    const tokens = this.tokenizePrompt(prompt);
    const lastToken = tokens.at(-1);
    if (lastToken === undefined) throw new Error("Empty prompt.");
    if (tokens.length + options.maxTokens > this.contextSize) {
      throw new Error(`Prompt of ${tokens.length} tokens plus ${options.maxTokens} to generate exceeds the context (${this.contextSize}).`);
    }

    // Keep the cached prefix, but never the last prompt token: evaluating it yields the first logits.
    await this.sequence.adaptStateToTokens(tokens.slice(0, -1), false);
    const reusedTokens = this.sequence.nextTokenIndex;
    const pending = tokens.slice(reusedTokens, -1);
    for (let start = 0; start < pending.length; start += PREFILL_CHUNK_TOKENS) {
      if (options.signal.aborted) return this.result("", "aborted", tokens.length, reusedTokens, 0, startedAt, performance.now());
      await this.sequence.evaluateWithoutGeneratingNewTokens(pending.slice(start, start + PREFILL_CHUNK_TOKENS));
    }
    if (options.signal.aborted) return this.result("", "aborted", tokens.length, reusedTokens, 0, startedAt, performance.now());

    const promptDoneAt = performance.now();
    const generated: Token[] = [];
    let text = "";
    let stopReason: StopReason = "maxTokens";
    let promptEndedAt = promptDoneAt;
    for await (const token of this.sequence.evaluate([lastToken], { temperature: 0 })) {
      if (generated.length === 0) promptEndedAt = performance.now();
      if (options.signal.aborted) {
        stopReason = "aborted";
        break;
      }
      if (this.model.isEogToken(token)) {
        stopReason = "endOfGeneration";
        break;
      }
      generated.push(token);
      text = this.model.detokenize(generated);
      const stopAt = firstStopIndex(text, options.stopTexts);
      if (stopAt >= 0) {
        text = text.slice(0, stopAt);
        stopReason = "stopText";
        break;
      }
      if (generated.length >= options.maxTokens) break;
    }
    return this.result(text, stopReason, tokens.length, reusedTokens, generated.length, startedAt, promptEndedAt);
  }

  private result(
    text: string, stopReason: StopReason, promptTokens: number, reusedTokens: number, generatedTokens: number,
    startedAt: number, promptEndedAt: number,
  ): GenerationResult {
    const now = performance.now();
    return {
      text, stopReason, promptTokens, reusedTokens, generatedTokens,
      promptMs: promptEndedAt - startedAt,
      generateMs: now - promptEndedAt,
    };
  }
}

function firstStopIndex(text: string, stopTexts: readonly string[]): number {
  let first = -1;
  for (const stop of stopTexts) {
    if (stop === "") continue;
    const index = text.indexOf(stop);
    if (index >= 0 && (first < 0 || index < first)) first = index;
  }
  return first;
}
