/**
 * StarCoder / StarCoder2 (and models reusing their tokenizer, e.g. Granite-Code, StableCode).
 *
 * File level: `<fim_prefix>{prefix}<fim_suffix>{suffix}<fim_middle>`.
 * StarCoder2 repository context (StarCoder2 paper, §5.1 "repository-context" formatting):
 *   <repo_name>{repo}<file_sep>{path}\n{content}<file_sep><fim_prefix>{current path}\n{prefix}<fim_suffix>{suffix}<fim_middle>
 * (no newline after the repo name; the FIM'd file's path sits inside the FIM prefix). Used when the vocabulary has
 * `<repo_name>` and `<file_sep>` (StarCoder2) and the file has a path or there is cross-file context.
 * StarCoder(1) has neither: cross-file context then goes into the prefix as path-commented source.
 */
import type { FimFamily, FimPromptInput, ModelFacts, PromptPiece } from "./fimTypes";
import { compact, contextAsComments, psmPieces, special, text, withTrailingNewline } from "./promptParts";
import { FALLBACK_REPO_NAME } from "./qwenCoder";

export const STARCODER_TOKENS = {
  prefix: "<fim_prefix>",
  suffix: "<fim_suffix>",
  middle: "<fim_middle>",
  pad: "<fim_pad>",
  repoName: "<repo_name>",
  fileSep: "<file_sep>",
} as const;

export const STARCODER_STOP_TEXTS: readonly string[] = [
  "<|endoftext|>",
  "<fim_prefix>",
  "<fim_suffix>",
  "<fim_middle>",
  "<fim_pad>",
  "<file_sep>",
  "<repo_name>",
];

export function isStarCoderVocab(facts: ModelFacts): boolean {
  return facts.hasToken(STARCODER_TOKENS.prefix) && facts.hasToken(STARCODER_TOKENS.suffix) && facts.hasToken(STARCODER_TOKENS.middle);
}

export interface StarCoderOptions {
  /** StarCoder2 repository-context layout (default true). */
  readonly repoLevel?: boolean;
}

export function starCoderOptionsFromFacts(facts: ModelFacts): StarCoderOptions {
  return { repoLevel: facts.hasToken(STARCODER_TOKENS.repoName) && facts.hasToken(STARCODER_TOKENS.fileSep) };
}

/** StarCoder's GPT-2-style pre-tokenizer fuses a line break with the next line's indentation. */
const STARCODER_SUFFIX_SPLIT = "beforeLineBreak";

export function buildStarCoderPrompt(input: FimPromptInput, options: StarCoderOptions = {}): PromptPiece[] {
  const repoLevel = (options.repoLevel ?? true) && (input.filePath.length > 0 || input.extraContext.length > 0);
  if (!repoLevel) {
    return psmPieces(STARCODER_TOKENS, input, {
      prefixText: contextAsComments(input.extraContext, input.filePath) + input.stablePrefix,
      suffixSplit: STARCODER_SUFFIX_SPLIT,
    });
  }
  const lead: Array<PromptPiece | undefined> = [];
  lead.push(special(STARCODER_TOKENS.repoName), text(input.repoName || FALLBACK_REPO_NAME));
  for (const f of input.extraContext) {
    lead.push(special(STARCODER_TOKENS.fileSep), text(`${f.path}\n${withTrailingNewline(f.text)}`));
  }
  lead.push(special(STARCODER_TOKENS.fileSep));
  return psmPieces(STARCODER_TOKENS, input, {
    lead: compact(lead),
    prefixText: `${input.filePath || "untitled"}\n${input.stablePrefix}`,
    suffixSplit: STARCODER_SUFFIX_SPLIT,
  });
}

export function createStarCoderFamily(options: StarCoderOptions = {}): FimFamily {
  const repoLevel = options.repoLevel ?? true;
  return {
    id: "starcoder",
    label: repoLevel ? "StarCoder2" : "StarCoder",
    stopTexts: STARCODER_STOP_TEXTS,
    buildPrompt: (input) => buildStarCoderPrompt(input, options),
  };
}
