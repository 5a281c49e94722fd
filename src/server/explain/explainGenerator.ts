/**
 * The model as the explain domain sees it. Implemented by the runtime (node-llama-cpp, chat template or plain
 * prompt); the domain and its tests depend only on this shape. Pure: no vscode, no node-llama-cpp.
 */

/** One explanation request to the model: a system prompt and one user message. */
export interface ExplainConversation {
  readonly system: string;
  readonly user: string;
}

export type ExplainStopReason = "done" | "maxTokens" | "aborted";

export interface ExplainGenerateOptions {
  readonly maxTokens: number;
  readonly signal: AbortSignal;
  /** Each decoded piece of the answer, in order, as soon as it is decoded. Never called with "". */
  readonly onText: (text: string) => void;
}

export interface ExplainGeneration {
  readonly text: string;
  readonly stopReason: ExplainStopReason;
  readonly promptTokens: number;
  /** Prompt tokens taken from the KV cache instead of being evaluated again. */
  readonly reusedTokens: number;
  readonly generatedTokens: number;
  /** From the call to the end of prompt evaluation. */
  readonly promptMs: number;
  /** From the call to the first streamed text (undefined when nothing was streamed). */
  readonly firstTextMs: number | undefined;
  readonly totalMs: number;
}

export interface ExplainGenerator {
  /** `general.name` of the model, for the result and the logs. */
  readonly modelName: string;
  /** "chat": the GGUF's own chat template; "plain": a plain-text prompt for base models without one. */
  readonly promptStyle: "chat" | "plain";
  /** Tokens the explain sequence can hold: the prompt plus maxTokens must fit in it. */
  readonly contextSize: number;
  /** Tokens the prompt format itself adds around an empty system prompt and an empty user message. */
  readonly templateOverheadTokens: number;
  countTokens(text: string): number;
  /**
   * Streams the answer. Resolves (never rejects) on abort with stopReason "aborted" and the text so far; rejects
   * with an ExplainModelError when the model fails.
   */
  explain(conversation: ExplainConversation, options: ExplainGenerateOptions): Promise<ExplainGeneration>;
}

/** The model could not produce an explanation (it failed mid-stream, was unloaded, or the prompt does not fit). */
export class ExplainModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExplainModelError";
  }
}
