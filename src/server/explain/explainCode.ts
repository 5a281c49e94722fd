/**
 * One explanation: build the prompt within the model's budget, stream the answer, and say how it ended.
 * Pure: depends on the ExplainGenerator shape only.
 */
import type { ExplainResult } from "../../shared/protocol";
import { buildExplainPrompt, type BuiltExplainPrompt, type ExplainInput } from "./explainPrompt";
import type { ExplainGeneration, ExplainGenerator } from "./explainGenerator";

export interface ExplainCallbacks {
  readonly signal: AbortSignal;
  /** The truncation note, before any text, when the code had to be cut. */
  readonly onNote: (truncationNote: string) => void;
  /** Each streamed piece of the answer, in order. */
  readonly onText: (text: string) => void;
}

export interface ExplainOutcome {
  readonly result: ExplainResult;
  readonly prompt: BuiltExplainPrompt;
  /** Undefined when the request was cancelled before the model started. */
  readonly generation?: ExplainGeneration;
}

export async function explainCode(
  generator: ExplainGenerator, input: ExplainInput, maxTokens: number, callbacks: ExplainCallbacks,
): Promise<ExplainOutcome> {
  const prompt = buildExplainPrompt(input, {
    contextSize: generator.contextSize,
    maxTokens,
    templateOverheadTokens: generator.templateOverheadTokens,
    countTokens: (text) => generator.countTokens(text),
  });
  const note = prompt.truncationNote === undefined ? {} : { truncationNote: prompt.truncationNote };
  if (callbacks.signal.aborted) {
    return { prompt, result: { text: "", ...note, model: generator.modelName, stopReason: "cancelled" } };
  }
  if (prompt.truncationNote !== undefined) callbacks.onNote(prompt.truncationNote);

  const generation = await generator.explain(prompt.conversation, {
    maxTokens: prompt.maxTokens,
    signal: callbacks.signal,
    onText: (text) => {
      if (text !== "") callbacks.onText(text);
    },
  });
  const stopReason = generation.stopReason === "aborted" ? "cancelled" : generation.stopReason;
  return { prompt, generation, result: { text: generation.text, ...note, model: generator.modelName, stopReason } };
}
