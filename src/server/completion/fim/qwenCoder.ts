/**
 * Qwen2.5-Coder (and Qwen3 / Qwen2.5 vocabularies, which carry the same FIM tokens).
 *
 * File level:  `<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>` (Qwen2.5-Coder README).
 * Repo level (Qwen2.5-Coder technical report, arXiv 2409.12186, and the official repolevel-fim example):
 *   <|repo_name|>{repo}\n<|file_sep|>{path}\n{content}\n … <|file_sep|>{current path}\n<|fim_prefix|>…
 * We use the repo-level header whenever the current file has a path or there is cross-file context: the path tells
 * the model the language, and llama.cpp's /infill uses the same layout for every request on this vocabulary. A
 * workspace without a name gets FALLBACK_REPO_NAME (llama.cpp uses a placeholder, "myproject", likewise).
 */
import type { FimFamily, FimPromptInput, ModelFacts, PromptPiece } from "./fimTypes";
import { compact, contextAsComments, psmPieces, special, text, withTrailingNewline } from "./promptParts";

export const QWEN_TOKENS = {
  prefix: "<|fim_prefix|>",
  suffix: "<|fim_suffix|>",
  middle: "<|fim_middle|>",
  pad: "<|fim_pad|>",
  repoName: "<|repo_name|>",
  fileSep: "<|file_sep|>",
} as const;

/** Used when the workspace has no name (repo-level prompts always name one). */
export const FALLBACK_REPO_NAME = "workspace";

export const QWEN_STOP_TEXTS: readonly string[] = [
  "<|endoftext|>",
  "<|fim_prefix|>",
  "<|fim_suffix|>",
  "<|fim_middle|>",
  "<|fim_pad|>",
  "<|repo_name|>",
  "<|file_sep|>",
  "<|im_start|>",
  "<|im_end|>",
];

/** Shared with CodeGemma: the three `<|fim_*|>` tokens. */
export function hasPipeFimTokens(facts: ModelFacts): boolean {
  return facts.hasToken(QWEN_TOKENS.prefix) && facts.hasToken(QWEN_TOKENS.suffix) && facts.hasToken(QWEN_TOKENS.middle);
}

export interface QwenCoderOptions {
  /** Use `<|repo_name|>`/`<|file_sep|>` (default true; false only for a vocabulary lacking them). */
  readonly repoLevel?: boolean;
}

export function qwenCoderOptionsFromFacts(facts: ModelFacts): QwenCoderOptions {
  return { repoLevel: facts.hasToken(QWEN_TOKENS.fileSep) };
}

export function buildQwenPrompt(input: FimPromptInput, options: QwenCoderOptions = {}): PromptPiece[] {
  const repoLevel = (options.repoLevel ?? true) && (input.filePath.length > 0 || input.extraContext.length > 0);
  if (!repoLevel) {
    return psmPieces(QWEN_TOKENS, input, {
      prefixText: contextAsComments(input.extraContext, input.filePath) + input.stablePrefix,
    });
  }
  const lead: Array<PromptPiece | undefined> = [];
  // Repo-level samples always start with a repository name; llama.cpp's /infill uses a placeholder too.
  lead.push(special(QWEN_TOKENS.repoName), text(`${input.repoName || FALLBACK_REPO_NAME}\n`));
  for (const f of input.extraContext) {
    lead.push(special(QWEN_TOKENS.fileSep), text(`${f.path}\n${withTrailingNewline(f.text)}`));
  }
  lead.push(special(QWEN_TOKENS.fileSep), text(`${input.filePath || "untitled"}\n`));
  return psmPieces(QWEN_TOKENS, input, { lead: compact(lead) });
}

export function createQwenCoderFamily(options: QwenCoderOptions = {}): FimFamily {
  return {
    id: "qwen2.5-coder",
    label: "Qwen2.5-Coder",
    stopTexts: QWEN_STOP_TEXTS,
    buildPrompt: (input) => buildQwenPrompt(input, options),
  };
}
