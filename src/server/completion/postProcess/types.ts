/**
 * Types of the post-processing pipeline. Pure: no vscode, no node-llama-cpp.
 */

/** What the post-processor knows about the place of the completion. */
export interface PostProcessContext {
  /** Text on the cursor line before the cursor. */
  readonly linePrefix: string;
  /** Text after the cursor (windowed); starts with the rest of the cursor line. */
  readonly suffix: string;
  /** Rest of the cursor line after the cursor (no line break). Derived from `suffix` when absent. */
  readonly lineSuffix?: string;
  /** Lines above the cursor line (windowed); used for bracket context. May be empty. */
  readonly prefixBeforeLine?: string;
  /** VS Code language id ("typescript", "python", …); unknown ids get C-like defaults. */
  readonly languageId?: string;
  /** Columns per tab when comparing indentation (default 4). */
  readonly tabSize?: number;
  /** Keep the completion on one line (e.g. an IntelliSense item is selected). Mid-line cursors imply it. */
  readonly singleLine?: boolean;
  /** Cut the completion at the first of these texts (control-token texts that leaked into the output). */
  readonly stopTexts?: readonly string[];
}

/** The completion to show: insert `insertText` at the cursor, replacing the first `replaceSuffixChars` characters of
 * the line suffix (e.g. an auto-closed `)` that the completion also writes). */
export interface PostProcessResult {
  readonly insertText: string;
  readonly replaceSuffixChars: number;
}

/** A completion as it moves through the pipeline. */
export interface Candidate {
  readonly text: string;
  readonly replaceSuffixChars: number;
}

/** The context, normalised once per completion and shared by all steps. */
export interface StepContext {
  readonly linePrefix: string;
  /** Rest of the cursor line, without "\r". */
  readonly lineSuffix: string;
  /** The suffix's first characters with "\r\n" turned into "\n" (bounded). */
  readonly suffixHead: string;
  /** Lines after the cursor line (from `suffixHead`, "\r" removed; the last one may be cut). */
  readonly nextLines: readonly string[];
  /** First non-blank line after the cursor line, if any. */
  readonly nextNonBlankLine: string | undefined;
  /** Tail of `prefixBeforeLine` (bounded, starting at a line start). */
  readonly prefixTail: string;
  readonly languageId: string;
  readonly tabSize: number;
  /** Single-line mode: asked for, or the cursor is in the middle of a line. */
  readonly singleLine: boolean;
  /** Prose (markdown, plain text): no indentation scope, no bracket logic. */
  readonly prose: boolean;
  readonly stopTexts: readonly string[];
}

/** One pipeline step: returns the (possibly changed) candidate, or undefined to drop the completion. */
export type PostProcessStep = (candidate: Candidate, context: StepContext) => Candidate | undefined;
