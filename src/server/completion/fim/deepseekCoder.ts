/**
 * DeepSeek-Coder (v1 base models; the vocabulary is shared by DeepSeek-Coder-V2-Lite-Base).
 *
 * PSM: `<｜fim▁begin｜>{prefix}<｜fim▁hole｜>{suffix}<｜fim▁end｜>` (DeepSeek-Coder README). The bars are U+FF5C
 * (FULLWIDTH VERTICAL LINE) and the separator is U+2581 (LOWER ONE EIGHTH BLOCK), not ASCII.
 * The tokenizer adds BOS (`<｜begin▁of▁sentence｜>`); BOS is the server's job, not the prompt's.
 *
 * No repo-level tokens: DeepSeek's repository-level pre-training data concatenates files, each starting with a comment
 * that holds its path, so cross-file context goes inside the FIM prefix in that shape (see contextAsComments).
 */
import type { FimFamily, FimPromptInput, ModelFacts, PromptPiece } from "./fimTypes";
import { contextAsComments, psmPieces } from "./promptParts";

export const DEEPSEEK_TOKENS = {
  prefix: "<\uFF5Cfim\u2581begin\uFF5C>",
  suffix: "<\uFF5Cfim\u2581hole\uFF5C>",
  middle: "<\uFF5Cfim\u2581end\uFF5C>",
  endOfSentence: "<\uFF5Cend\u2581of\u2581sentence\uFF5C>",
  beginOfSentence: "<\uFF5Cbegin\u2581of\u2581sentence\uFF5C>",
} as const;

export const DEEPSEEK_STOP_TEXTS: readonly string[] = [
  DEEPSEEK_TOKENS.prefix,
  DEEPSEEK_TOKENS.suffix,
  DEEPSEEK_TOKENS.middle,
  DEEPSEEK_TOKENS.endOfSentence,
  "<|EOT|>",
];

export function isDeepSeekCoderVocab(facts: ModelFacts): boolean {
  return facts.hasToken(DEEPSEEK_TOKENS.prefix) && facts.hasToken(DEEPSEEK_TOKENS.suffix) && facts.hasToken(DEEPSEEK_TOKENS.middle);
}

export function buildDeepSeekPrompt(input: FimPromptInput): PromptPiece[] {
  return psmPieces(DEEPSEEK_TOKENS, input, {
    prefixText: contextAsComments(input.extraContext, input.filePath) + input.stablePrefix,
  });
}

export function createDeepSeekCoderFamily(): FimFamily {
  return {
    id: "deepseek-coder",
    label: "DeepSeek-Coder",
    stopTexts: DEEPSEEK_STOP_TEXTS,
    buildPrompt: buildDeepSeekPrompt,
  };
}
