/**
 * CodeGemma (2B, 7B pretrained; 1.1). Same `<|fim_prefix|>`/`<|fim_suffix|>`/`<|fim_middle|>` texts as Qwen, told apart
 * by the architecture ("gemma*") and the `<|file_separator|>` token (Qwen uses `<|file_sep|>`); see isCodeGemmaModel
 * for Gemma models that are not CodeGemma.
 *
 * PSM (ai.google.dev "CodeGemma formatting"): `<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>`.
 * Multi-file context: `<|file_separator|>` is documented as the file separator for multi-file contexts without a
 * fixed path syntax; we write `<|file_separator|>{path}\n{content}` per file and `<|file_separator|>{current path}\n`
 * before the FIM prefix (the layout used by published CodeGemma cross-file evaluation harnesses).
 */
import type { FimFamily, FimPromptInput, ModelFacts, PromptPiece } from "./fimTypes";
import { compact, psmPieces, special, text, withTrailingNewline } from "./promptParts";
import { hasPipeFimTokens } from "./qwenCoder";

export const CODEGEMMA_TOKENS = {
  prefix: "<|fim_prefix|>",
  suffix: "<|fim_suffix|>",
  middle: "<|fim_middle|>",
  fileSeparator: "<|file_separator|>",
} as const;

export const CODEGEMMA_STOP_TEXTS: readonly string[] = [
  "<|fim_prefix|>",
  "<|fim_suffix|>",
  "<|fim_middle|>",
  "<|file_separator|>",
  "<end_of_turn>",
  "<eos>",
];

/** A Gemma-tokenizer vocabulary with the `<|fim_*|>` tokens (every Gemma generation carries them). */
export function isGemmaFimVocab(facts: ModelFacts): boolean {
  if (!hasPipeFimTokens(facts)) return false;
  const arch = (facts.architecture ?? "").toLowerCase();
  if (arch.startsWith("gemma")) return true;
  return facts.hasToken(CODEGEMMA_TOKENS.fileSeparator) && !facts.hasToken("<|file_sep|>");
}

/**
 * CodeGemma among Gemma vocabularies: the name says so, or the architecture is the first Gemma generation
 * ("gemma", which CodeGemma uses). Gemma 2/3 ("gemma2", "gemma3") keep the tokens but were not trained for
 * infilling, so they only count when their name says CodeGemma.
 */
export function isCodeGemmaModel(facts: ModelFacts): boolean {
  if (!isGemmaFimVocab(facts)) return false;
  if (/code[-_ ]?gemma/i.test(facts.name ?? "")) return true;
  return (facts.architecture ?? "").toLowerCase() === "gemma";
}

export function buildCodeGemmaPrompt(input: FimPromptInput): PromptPiece[] {
  if (input.extraContext.length === 0) return psmPieces(CODEGEMMA_TOKENS, input);
  const lead: PromptPiece[] = [];
  for (const f of input.extraContext) {
    lead.push(special(CODEGEMMA_TOKENS.fileSeparator), text(`${f.path}\n${withTrailingNewline(f.text)}`));
  }
  lead.push(special(CODEGEMMA_TOKENS.fileSeparator), text(`${input.filePath || "untitled"}\n`));
  return psmPieces(CODEGEMMA_TOKENS, input, { lead: compact(lead) });
}

export function createCodeGemmaFamily(): FimFamily {
  return {
    id: "codegemma",
    label: "CodeGemma",
    stopTexts: CODEGEMMA_STOP_TEXTS,
    buildPrompt: buildCodeGemmaPrompt,
  };
}
