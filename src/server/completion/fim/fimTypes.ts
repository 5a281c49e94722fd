/**
 * Types shared by the FIM (fill-in-the-middle) families. Pure: no vscode, no node-llama-cpp.
 */

/** What the resolver can learn about a model from its GGUF metadata and vocabulary, without weights. */
export interface ModelFacts {
  /** `general.architecture`, e.g. "qwen2", "llama", "starcoder2". */
  readonly architecture: string | undefined;
  /** `general.name` (or basename / file name when absent). */
  readonly name: string | undefined;
  /** Whether the vocabulary holds a token with exactly this text. */
  hasToken(text: string): boolean;
  /** Token texts that the GGUF metadata names explicitly (`tokenizer.ggml.fim_*_token_id` and older keys). */
  readonly metadataFimTokens: Readonly<{
    prefix?: string;
    suffix?: string;
    middle?: string;
    pad?: string;
    repo?: string;
    separator?: string;
  }>;
}

/**
 * A prompt as pieces: `special` pieces are control tokens (tokenized with special-token parsing on),
 * `text` pieces are user text (tokenized with it off, so a document containing "<fim_prefix>"
 * cannot inject a control token).
 */
export type PromptPiece =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "special"; readonly text: string };

export interface ContextFile {
  /** Workspace-relative path, forward slashes. */
  readonly path: string;
  readonly text: string;
}

export interface FimPromptInput {
  /** Whole lines before the split point (already windowed): the part of the prompt that stays put while the user types. */
  readonly stablePrefix: string;
  /**
   * Text from the split point to the cursor: the cursor line's prefix, plus the lines typed since the split (see
   * promptLayout.ts). Placed last, after the middle token where the family has one, so typing (Enter included) only
   * appends tokens and the KV cache keeps everything before.
   */
  readonly recentPrefix: string;
  /** Text after the cursor (already windowed). */
  readonly suffix: string;
  /** Workspace-relative path of the current file. */
  readonly filePath: string;
  /** Name of the workspace folder, for repo-level prompts. */
  readonly repoName: string;
  /** Chunks of other files, least relevant first; already budgeted. */
  readonly extraContext: readonly ContextFile[];
}

export type FimFamilyId =
  | "qwen2.5-coder"
  | "deepseek-coder"
  | "starcoder"
  | "codellama"
  | "codegemma"
  | "codestral"
  | "generic";

export interface FimFamily {
  readonly id: FimFamilyId;
  /** Human-readable, e.g. "Qwen2.5-Coder". */
  readonly label: string;
  buildPrompt(input: FimPromptInput): PromptPiece[];
  /** Texts that end a completion, beyond the model's own end-of-generation tokens. */
  readonly stopTexts: readonly string[];
}
