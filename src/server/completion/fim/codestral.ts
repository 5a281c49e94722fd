/**
 * Codestral (22B v0.1, Mistral v3 SentencePiece vocabulary).
 *
 * Suffix-first, no middle token (mistral-common `InstructTokenizerV2.encode_fim`):
 *   [BOS] [SUFFIX] encode_infilling(suffix) [PREFIX] encode(prefix)
 * `encode` adds SentencePiece's dummy-prefix space to the prefix (written here as a literal " "), `encode_infilling`
 * does not. The cursor line's prefix is naturally last. Cross-file context goes at the start of the prefix under
 * `+++++ {path}` headers (Continue's Codestral multi-file template, the layout Mistral's own clients use).
 *
 * Other Mistral vocabularies carry `[PREFIX]`/`[SUFFIX]` too without being trained for FIM, so detection requires the
 * name to say Codestral, or the GGUF metadata to name these tokens as its FIM tokens.
 */
import type { FimFamily, FimPromptInput, ModelFacts, PromptPiece } from "./fimTypes";
import { compact, special, text, withTrailingNewline } from "./promptParts";

export const CODESTRAL_TOKENS = { prefix: "[PREFIX]", suffix: "[SUFFIX]", middle: "[MIDDLE]" } as const;

/** The control tokens, and the start of a `+++++ path` header line: the model, having seen them head the prompt, goes on
 * to the next file with one (Continue stops there too). */
export const CODESTRAL_STOP_TEXTS: readonly string[] = ["[PREFIX]", "[SUFFIX]", "[MIDDLE]", "</s>", "\n+++++ "];

export function isCodestralVocab(facts: ModelFacts): boolean {
  if (!facts.hasToken(CODESTRAL_TOKENS.prefix) || !facts.hasToken(CODESTRAL_TOKENS.suffix)) return false;
  if (/codestral/i.test(facts.name ?? "")) return true;
  return facts.metadataFimTokens.prefix === CODESTRAL_TOKENS.prefix && facts.metadataFimTokens.suffix === CODESTRAL_TOKENS.suffix;
}

export function codestralContextHeader(extra: FimPromptInput["extraContext"], currentPath: string): string {
  if (extra.length === 0) return "";
  let s = "";
  for (const f of extra) s += `+++++ ${f.path}\n${withTrailingNewline(f.text)}\n`;
  return s + `+++++ ${currentPath || "untitled"}\n`;
}

export function buildCodestralPrompt(input: FimPromptInput): PromptPiece[] {
  return compact([
    special(CODESTRAL_TOKENS.suffix),
    text(input.suffix),
    special(CODESTRAL_TOKENS.prefix),
    text(" " + codestralContextHeader(input.extraContext, input.filePath) + input.stablePrefix),
    text(input.recentPrefix),
  ]);
}

export function createCodestralFamily(): FimFamily {
  return {
    id: "codestral",
    label: "Codestral",
    stopTexts: CODESTRAL_STOP_TEXTS,
    buildPrompt: buildCodestralPrompt,
  };
}
