/**
 * Any model whose GGUF metadata names its FIM tokens (`tokenizer.ggml.fim_pre/suf/mid_token_id`, or the older
 * `prefix/suffix/middle_token_id`) but whose vocabulary matches no known family: PSM with those texts, the way
 * llama.cpp's /infill does. When the metadata also names repo and file-separator tokens, the llama.cpp repo-level
 * layout is used (`{rep}{repo}\n{sep}{path}\n{content}…{sep}{current path}\n`); otherwise cross-file context goes
 * into the prefix as path-commented source.
 */
import type { FimFamily, FimPromptInput, ModelFacts, PromptPiece } from "./fimTypes";
import { compact, contextAsComments, psmPieces, special, text, withTrailingNewline } from "./promptParts";
import { FALLBACK_REPO_NAME } from "./qwenCoder";

export interface GenericFimTokens {
  readonly prefix: string;
  readonly suffix: string;
  readonly middle: string;
  readonly pad?: string;
  readonly repo?: string;
  readonly separator?: string;
}

export function genericFimTokensOf(facts: ModelFacts): GenericFimTokens | undefined {
  const m = facts.metadataFimTokens;
  if (!m.prefix || !m.suffix || !m.middle) return undefined;
  return { ...m, prefix: m.prefix, suffix: m.suffix, middle: m.middle };
}

export function buildGenericPrompt(input: FimPromptInput, tokens: GenericFimTokens): PromptPiece[] {
  if (tokens.separator && (input.filePath.length > 0 || input.extraContext.length > 0)) {
    const lead: PromptPiece[] = [];
    if (tokens.repo) lead.push(special(tokens.repo), text(`${input.repoName || FALLBACK_REPO_NAME}\n`));
    for (const f of input.extraContext) lead.push(special(tokens.separator), text(`${f.path}\n${withTrailingNewline(f.text)}`));
    lead.push(special(tokens.separator), text(`${input.filePath || "untitled"}\n`));
    return psmPieces(tokens, input, { lead: compact(lead) });
  }
  return psmPieces(tokens, input, {
    prefixText: contextAsComments(input.extraContext, input.filePath) + input.stablePrefix,
  });
}

export function createGenericFimFamily(tokens: GenericFimTokens): FimFamily {
  const stopTexts = [tokens.prefix, tokens.suffix, tokens.middle, tokens.pad, tokens.repo, tokens.separator].filter(
    (t): t is string => typeof t === "string" && t.length > 0,
  );
  return {
    id: "generic",
    label: `Generic FIM (${tokens.prefix} ${tokens.suffix} ${tokens.middle})`,
    stopTexts: [...new Set(stopTexts)],
    buildPrompt: (input) => buildGenericPrompt(input, tokens),
  };
}
