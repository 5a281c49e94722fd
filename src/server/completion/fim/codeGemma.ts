/**
 * CodeGemma (2B, 7B pretrained; 1.1). Same `<|fim_prefix|>`/`<|fim_suffix|>`/`<|fim_middle|>` texts as Qwen, told apart
 * by the architecture ("gemma") and the `<|file_separator|>` token (Qwen uses `<|file_sep|>`).
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

export function isCodeGemmaVocab(facts: ModelFacts): boolean {
  if (!hasPipeFimTokens(facts)) return false;
  const arch = (facts.architecture ?? "").toLowerCase();
  if (arch.startsWith("gemma")) return true;
  return facts.hasToken(CODEGEMMA_TOKENS.fileSeparator) && !facts.hasToken("<|file_sep|>");
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
