import type { FimFamily } from "./fim/fimTypes";
import type { GenerationResult, TextGenerator } from "./textGenerator";
import { buildContextWindow } from "./contextWindow";
import { postProcessCompletion } from "./postProcess";

export interface CompletionRequest {
  readonly text: string;
  /** Cursor offset in `text` (UTF-16 code units). */
  readonly offset: number;
  readonly languageId: string;
  readonly filePath: string;
  readonly repoName: string;
  /** Set when an IntelliSense item is selected: the completion must then stay on one line. */
  readonly selectedCompletionText?: string;
}

export interface CompletionBudget {
  readonly maxTokens: number;
  readonly prefixTokens: number;
  readonly suffixTokens: number;
}

export type CompletionOutcome =
  | { readonly kind: "completion"; readonly insertText: string; readonly replaceSuffixChars: number; readonly generation: GenerationResult }
  | { readonly kind: "empty"; readonly reason: string; readonly generation?: GenerationResult };

export const DEFAULT_BUDGET: Omit<CompletionBudget, "maxTokens"> = { prefixTokens: 1024, suffixTokens: 256 };

/** A document whose window holds a NUL character is binary: the model would only produce noise. */
const BINARY_MARKER = "\u0000";

/** One completion: window the document, build the family's FIM prompt, generate, post-process. */
export async function completeAtCursor(
  model: { readonly generator: TextGenerator; readonly fim: FimFamily },
  request: CompletionRequest,
  budget: CompletionBudget,
  signal: AbortSignal,
): Promise<CompletionOutcome> {
  const window = buildContextWindow(request.text, request.offset, {
    prefixTokens: budget.prefixTokens,
    suffixTokens: budget.suffixTokens,
    countTokens: (text) => model.generator.countTokens(text),
  });
  if (window.prefixBeforeLine.includes(BINARY_MARKER) || window.linePrefix.includes(BINARY_MARKER) || window.suffix.includes(BINARY_MARKER)) {
    return { kind: "empty", reason: "binary document" };
  }
  const prompt = model.fim.buildPrompt({
    prefixBeforeLine: window.prefixBeforeLine,
    linePrefix: window.linePrefix,
    suffix: window.suffix,
    filePath: request.filePath,
    repoName: request.repoName,
    extraContext: [],
  });
  const generation = await model.generator.generate(prompt, { maxTokens: budget.maxTokens, stopTexts: model.fim.stopTexts, signal });
  if (generation.stopReason === "aborted") return { kind: "empty", reason: "aborted", generation };

  const processed = postProcessCompletion(generation.text, {
    linePrefix: window.linePrefix,
    lineSuffix: window.lineSuffix,
    suffix: window.suffix,
    prefixBeforeLine: window.prefixBeforeLine,
    languageId: request.languageId,
    singleLine: request.selectedCompletionText !== undefined,
    stopTexts: model.fim.stopTexts,
  });
  if (processed === undefined) return { kind: "empty", reason: "nothing left after post-processing", generation };
  return { kind: "completion", insertText: processed.insertText, replaceSuffixChars: processed.replaceSuffixChars, generation };
}
