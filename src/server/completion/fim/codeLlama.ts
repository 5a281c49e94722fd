/**
 * Code Llama (7B/13B base and -Python; the 34B/70B were not trained for infilling but share the vocabulary).
 *
 * Meta's reference (codellama/llama/generation.py, `infilling_prompt_tokens`, PSM):
 *   [BOS] <PRE> encode(prefix) <SUF> encode_infilling(suffix) <MID>
 * In the vocabulary the control tokens are "▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>" (ids 32007–32010), which is why the
 * string form reads `<PRE> {prefix} <SUF>{suffix} <MID>`: the space before <SUF>/<MID> belongs to the tokens, and the
 * space after <PRE> is SentencePiece's dummy prefix of `encode(prefix)`, written here as a literal " " in the prefix
 * text. `encode_infilling` has no dummy prefix, so the suffix (and the middle) get none.
 * Some conversions name the tokens without "▁"; the texts are taken from the vocabulary.
 * Cross-file context: no repo-level tokens, so path-commented source at the start of the prefix.
 */
import type { FimFamily, FimPromptInput, ModelFacts, PromptPiece } from "./fimTypes";
import { contextAsComments, psmPieces, type PsmTokens } from "./promptParts";

export const CODELLAMA_TOKENS = {
  prefix: "\u2581<PRE>",
  suffix: "\u2581<SUF>",
  middle: "\u2581<MID>",
  eot: "\u2581<EOT>",
} as const;

const PLAIN_TOKENS = { prefix: "<PRE>", suffix: "<SUF>", middle: "<MID>", eot: "<EOT>" } as const;

export const CODELLAMA_STOP_TEXTS: readonly string[] = ["<EOT>", "<PRE>", "<SUF>", "<MID>"];

/** The FIM token texts this vocabulary uses, or undefined when it has none. */
export function codeLlamaTokensOf(facts: ModelFacts): PsmTokens | undefined {
  for (const t of [CODELLAMA_TOKENS, PLAIN_TOKENS]) {
    if (facts.hasToken(t.prefix) && facts.hasToken(t.suffix) && facts.hasToken(t.middle)) {
      return { prefix: t.prefix, suffix: t.suffix, middle: t.middle };
    }
  }
  return undefined;
}

export function buildCodeLlamaPrompt(input: FimPromptInput, tokens: PsmTokens = CODELLAMA_TOKENS): PromptPiece[] {
  return psmPieces(tokens, input, {
    prefixText: " " + contextAsComments(input.extraContext, input.filePath) + input.stablePrefix,
  });
}

export function createCodeLlamaFamily(tokens: PsmTokens = CODELLAMA_TOKENS): FimFamily {
  return {
    id: "codellama",
    label: "Code Llama",
    stopTexts: CODELLAMA_STOP_TEXTS,
    buildPrompt: (input) => buildCodeLlamaPrompt(input, tokens),
  };
}
