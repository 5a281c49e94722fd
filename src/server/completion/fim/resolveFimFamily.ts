/**
 * Picks the FIM family of a model from its vocabulary (most reliable: control tokens must exist for FIM to work at
 * all), its architecture and its name; `undefined` means the model cannot do FIM (e.g. a Llama-2 vocabulary).
 *
 * Order matters only where token texts are shared:
 * - `<|fim_prefix|>`… is both Qwen and Gemma: architecture "gemma*" or `<|file_separator|>` ⇒ Gemma vocabulary, which
 *   is CodeGemma when the name says so or the architecture is "gemma" (v1); Gemma 2/3 models ⇒ no FIM.
 * - `[PREFIX]`/`[SUFFIX]` exist in several Mistral vocabularies: Codestral only when the name or metadata says so.
 * Explicit GGUF metadata wins over text detection when it names other FIM tokens than the detected family uses
 * (then the generic family uses the metadata's texts).
 */
import type { FimFamily, ModelFacts } from "./fimTypes";
import { CODEGEMMA_TOKENS, createCodeGemmaFamily, isCodeGemmaModel, isGemmaFimVocab } from "./codeGemma";
import { codeLlamaTokensOf, createCodeLlamaFamily } from "./codeLlama";
import { CODESTRAL_TOKENS, createCodestralFamily, isCodestralVocab } from "./codestral";
import { createDeepSeekCoderFamily, DEEPSEEK_TOKENS, isDeepSeekCoderVocab } from "./deepseekCoder";
import { createGenericFimFamily, genericFimTokensOf } from "./genericFim";
import { createQwenCoderFamily, hasPipeFimTokens, QWEN_TOKENS, qwenCoderOptionsFromFacts } from "./qwenCoder";
import { createStarCoderFamily, isStarCoderVocab, STARCODER_TOKENS, starCoderOptionsFromFacts } from "./starCoder";

export interface FimResolution {
  readonly family: FimFamily;
  /** How the family was recognised, for logs. */
  readonly reason: string;
}

export function resolveFimFamily(facts: ModelFacts): FimFamily | undefined {
  return resolveFimFamilyWithReason(facts)?.family;
}

export function resolveFimFamilyWithReason(facts: ModelFacts): FimResolution | undefined {
  const detected = detectByTokens(facts);
  const meta = genericFimTokensOf(facts);
  if (meta && meta.prefix !== detected?.prefixToken) {
    // The metadata explicitly names FIM tokens this family does not use: trust the metadata — but only when the
    // vocabulary really has them (a stale id pointing at an ordinary token would make prompts meaningless).
    if (facts.hasToken(meta.prefix) && facts.hasToken(meta.suffix) && facts.hasToken(meta.middle)) {
      return { family: createGenericFimFamily(meta), reason: `GGUF metadata names FIM tokens ${meta.prefix} ${meta.suffix} ${meta.middle}` };
    }
  }
  return detected ? { family: detected.family, reason: detected.reason } : undefined;
}

interface Detected {
  readonly family: FimFamily;
  readonly prefixToken: string;
  readonly reason: string;
}

function detectByTokens(facts: ModelFacts): Detected | undefined {
  if (isDeepSeekCoderVocab(facts)) {
    return { family: createDeepSeekCoderFamily(), prefixToken: DEEPSEEK_TOKENS.prefix, reason: "vocabulary has <｜fim▁begin｜>/<｜fim▁hole｜>/<｜fim▁end｜>" };
  }
  const llamaTokens = codeLlamaTokensOf(facts);
  if (llamaTokens) {
    return { family: createCodeLlamaFamily(llamaTokens), prefixToken: llamaTokens.prefix, reason: `vocabulary has ${llamaTokens.prefix}/${llamaTokens.suffix}/${llamaTokens.middle}` };
  }
  if (isCodestralVocab(facts)) {
    return { family: createCodestralFamily(), prefixToken: CODESTRAL_TOKENS.prefix, reason: "vocabulary has [SUFFIX]/[PREFIX] and the model is Codestral" };
  }
  if (hasPipeFimTokens(facts)) {
    if (isGemmaFimVocab(facts)) {
      if (!isCodeGemmaModel(facts)) return undefined; // a Gemma 2/3 chat or base model: FIM tokens, no FIM training
      return { family: createCodeGemmaFamily(), prefixToken: CODEGEMMA_TOKENS.prefix, reason: "Gemma vocabulary with <|fim_prefix|>… and a CodeGemma model" };
    }
    return { family: createQwenCoderFamily(qwenCoderOptionsFromFacts(facts)), prefixToken: QWEN_TOKENS.prefix, reason: "vocabulary has <|fim_prefix|>/<|fim_suffix|>/<|fim_middle|>" };
  }
  if (isStarCoderVocab(facts)) {
    return { family: createStarCoderFamily(starCoderOptionsFromFacts(facts)), prefixToken: STARCODER_TOKENS.prefix, reason: "vocabulary has <fim_prefix>/<fim_suffix>/<fim_middle>" };
  }
  return undefined;
}
