import type { FimFamily, ModelFacts } from "../completion/fim/fimTypes";
import { resolveFimFamily } from "../completion/fim/resolveFimFamily";
import { CODEGEMMA_TOKENS } from "../completion/fim/codeGemma";
import { CODESTRAL_TOKENS } from "../completion/fim/codestral";
import { DEEPSEEK_TOKENS } from "../completion/fim/deepseekCoder";
import { QWEN_TOKENS } from "../completion/fim/qwenCoder";
import { STARCODER_TOKENS } from "../completion/fim/starCoder";

import type { EngineFimFamily } from "../../shared/settings";

/** The FIM families a user can name in `pocketCoder.engine.fimFamily` when the model id does not say. */
export type NamedFimFamily = Exclude<EngineFimFamily, "auto">;

/** The vocabulary each family's models have, as far as FIM detection looks at it. */
const FAMILY_VOCABULARIES: Record<NamedFimFamily, { readonly tokens: readonly string[]; readonly name: string; readonly architecture?: string }> = {
  "qwen2.5-coder": { tokens: Object.values(QWEN_TOKENS), name: "Qwen2.5-Coder" },
  "deepseek-coder": { tokens: [DEEPSEEK_TOKENS.prefix, DEEPSEEK_TOKENS.suffix, DEEPSEEK_TOKENS.middle], name: "DeepSeek-Coder" },
  starcoder: { tokens: Object.values(STARCODER_TOKENS), name: "StarCoder2" },
  codellama: { tokens: ["▁<PRE>", "▁<SUF>", "▁<MID>", "▁<EOT>"], name: "CodeLlama" },
  codegemma: { tokens: Object.values(CODEGEMMA_TOKENS), name: "CodeGemma", architecture: "gemma" },
  codestral: { tokens: [CODESTRAL_TOKENS.prefix, CODESTRAL_TOKENS.suffix, CODESTRAL_TOKENS.middle], name: "Codestral" },
};

/** Which family a model id names (e.g. "qwen2.5-coder:7b-base", "deepseek-ai/deepseek-coder-6.7b-base"). */
export function fimFamilyNamedBy(modelId: string): NamedFimFamily | undefined {
  const id = modelId.toLowerCase();
  if (/qwen[\d.]*-?coder/.test(id)) return "qwen2.5-coder";
  if (/deepseek-?coder/.test(id)) return "deepseek-coder";
  if (/starcoder/.test(id)) return "starcoder";
  if (/code-?llama/.test(id)) return "codellama";
  if (/code-?gemma/.test(id)) return "codegemma";
  if (/codestral/.test(id)) return "codestral";
  return undefined;
}

/** The family for a server that cannot show its vocabulary: the setting when given, else the model id. */
export function fimFamilyByName(modelId: string, setting: NamedFimFamily | "auto"): FimFamily | undefined {
  const named = setting === "auto" ? fimFamilyNamedBy(modelId) : setting;
  if (named === undefined) return undefined;
  const vocabulary = FAMILY_VOCABULARIES[named];
  const tokens = new Set(vocabulary.tokens);
  return resolveFimFamily({
    architecture: vocabulary.architecture, name: vocabulary.name, hasToken: (text) => tokens.has(text), metadataFimTokens: {},
  });
}

/**
 * The family for a server that can tokenize (llama-server): the same detection as for a local GGUF file, asking the
 * server whether each token text the detection looks at is one token of the vocabulary. Each round asks only about
 * the texts the previous round wanted to know.
 */
export async function fimFamilyByTokens(
  name: string, isToken: (text: string) => Promise<boolean>,
): Promise<FimFamily | undefined> {
  const known = new Map<string, boolean>();
  for (let round = 0; round < 16; round++) {
    const unknown = new Set<string>();
    const facts: ModelFacts = {
      architecture: undefined, name, metadataFimTokens: {},
      hasToken: (text) => {
        const answer = known.get(text);
        if (answer === undefined) unknown.add(text);
        return answer ?? false;
      },
    };
    const family = resolveFimFamily(facts);
    if (unknown.size === 0) return family;
    await Promise.all([...unknown].map(async (text) => known.set(text, await isToken(text))));
  }
  return undefined;
}
