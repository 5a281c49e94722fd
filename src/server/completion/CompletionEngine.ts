import type { ContextFile, FimFamily, PromptPiece } from "./fim/fimTypes";
import type { GenerationResult, TextGenerator } from "./textGenerator";
import { buildContextWindow, type ContextWindow } from "./contextWindow";
import { createStepContext, postProcessInContext, settledReason, type StepContext } from "./postProcess";
import { anchorKeptWhileTyping, DEFAULT_LAYOUT_LIMITS, planPromptLayout, type PromptAnchor, type PromptLayout } from "./promptLayout";

/** A model as completion needs it: something that generates, and the FIM family its prompts are written in. */
export interface FimModel {
  readonly generator: TextGenerator;
  readonly fim: FimFamily;
}

export interface CompletionRequest {
  readonly text: string;
  /** Cursor offset in `text` (UTF-16 code units). */
  readonly offset: number;
  readonly languageId: string;
  readonly filePath: string;
  readonly repoName: string;
  /** Set when an IntelliSense item is selected: the completion must then stay on one line. */
  readonly selectedCompletionText?: string;
  /** The user asked for this suggestion (the trigger key), rather than the editor asking as they type. */
  readonly invoked?: boolean;
  /** Chunks of other files, already budgeted; must stay stable while the user types (it heads the prompt). */
  readonly extraContext?: readonly ContextFile[];
}

export interface CompletionBudget {
  readonly maxTokens: number;
  readonly prefixTokens: number;
  readonly suffixTokens: number;
  /** Tokens of other files' chunks (cross-file context). */
  readonly extraContextTokens: number;
  /** Tokens from the prompt's split to the cursor: lines typed or moved over since the split, then the cursor line's prefix. */
  readonly recentTokens: number;
}

/** Time spent around the model: windowing and prompt building before it, post-processing after it. */
export interface EngineTimings {
  readonly prepareMs: number;
  readonly postProcessMs: number;
}

export type CompletionOutcome =
  | {
    readonly kind: "completion"; readonly insertText: string; readonly replaceSuffixChars: number; readonly generation: GenerationResult;
    readonly timings: EngineTimings;
  }
  | { readonly kind: "empty"; readonly reason: string; readonly generation?: GenerationResult; readonly timings?: EngineTimings };

/** The boundaries of the prompt the model's KV cache holds, shared by the requests on one model (see promptLayout.ts). */
export interface PromptAnchorSlot {
  anchor: PromptAnchor | undefined;
}

export const DEFAULT_BUDGET: Omit<CompletionBudget, "maxTokens"> = { prefixTokens: 1024, suffixTokens: 256, extraContextTokens: 768, recentTokens: 512 };

/** Room for control tokens, file paths and repo name around the windowed text. */
const PROMPT_OVERHEAD_TOKENS = 64;

/** Cap of the cursor line's prefix (a longer line is cut; see contextWindow.ts). */
const LINE_PREFIX_TOKENS = 256;

/** A document whose window holds a NUL character is binary: the model would only produce noise. */
const BINARY_MARKER = "\u0000";

/** A request windowed and turned into its family's prompt, ready for the model; `anchor` is committed when it runs. */
export interface PreparedCompletion {
  readonly kind: "prepared";
  readonly prompt: readonly PromptPiece[];
  readonly stepContext: StepContext;
  readonly anchor: PromptAnchor | undefined;
  /** The anchor the layout was planned against: if the slot holds another one by the time it runs, plan again. */
  readonly plannedAfter: PromptAnchor | undefined;
  readonly prepareMs: number;
}

/** One completion: window the document, build the family's FIM prompt, generate, post-process. */
export async function completeAtCursor(
  model: FimModel,
  request: CompletionRequest,
  budget: CompletionBudget,
  signal: AbortSignal,
  anchorSlot: PromptAnchorSlot = { anchor: undefined },
): Promise<CompletionOutcome> {
  const prepared = prepareCompletion(model, request, budget, anchorSlot.anchor);
  return prepared.kind === "prepared" ? generateCompletion(model, request, budget, prepared, signal, anchorSlot) : prepared;
}

/**
 * Windowing and prompt building: pure CPU work that needs no model, so a caller can do it while a debounce runs.
 * `anchor` is the prompt boundary the model's KV cache holds now (see promptLayout.ts).
 */
export function prepareCompletion(
  model: FimModel,
  request: CompletionRequest,
  budget: CompletionBudget,
  anchor: PromptAnchor | undefined,
): PreparedCompletion | { readonly kind: "empty"; readonly reason: string } {
  const startedAt = performance.now();
  const countTokens = (text: string) => model.generator.countTokens(text);
  const fitted = fitBudget(budget, model.generator.contextSize);
  const { window, layout, prefixBeforeLine } = windowAndLayout(request, fitted, anchor, countTokens);
  if ([prefixBeforeLine, window.linePrefix, window.suffix, layout.stablePrefix, layout.recentPrefix].some((text) => text.includes(BINARY_MARKER))) {
    return { kind: "empty", reason: "binary document" };
  }
  const prompt = model.fim.buildPrompt({
    stablePrefix: layout.stablePrefix,
    recentPrefix: layout.recentPrefix,
    suffix: layout.suffix,
    filePath: request.filePath,
    repoName: request.repoName,
    extraContext: fitContextFiles(request.extraContext ?? [], fitted.extraContextTokens, countTokens),
  });
  const stepContext = createStepContext({
    linePrefix: window.linePrefix,
    lineSuffix: window.lineSuffix,
    suffix: window.suffix,
    prefixBeforeLine,
    languageId: request.languageId,
    singleLine: request.selectedCompletionText !== undefined,
    stopTexts: model.fim.stopTexts,
  });
  return { kind: "prepared", prompt, stepContext, anchor: layout.anchor, plannedAfter: anchor, prepareMs: performance.now() - startedAt };
}

/** Runs a prepared prompt on the model and post-processes what it writes; the slot then holds the prompt's anchor. */
export async function generateCompletion(
  model: FimModel,
  request: CompletionRequest,
  budget: CompletionBudget,
  prepared: PreparedCompletion,
  signal: AbortSignal,
  anchorSlot: PromptAnchorSlot,
  /** Told the raw text written so far after every token. */
  observe?: (written: string) => void,
): Promise<CompletionOutcome> {
  let ready = prepared;
  if (ready.plannedAfter !== anchorSlot.anchor) {
    const replanned = prepareCompletion(model, request, budget, anchorSlot.anchor);
    if (replanned.kind === "empty") return replanned;
    ready = { ...replanned, prepareMs: prepared.prepareMs + replanned.prepareMs };
  }
  const { stepContext, prepareMs } = ready;
  anchorSlot.anchor = ready.anchor;
  const generation = await model.generator.generate(ready.prompt, {
    maxTokens: budget.maxTokens,
    stopTexts: model.fim.stopTexts,
    signal,
    isSettled: (text) => {
      observe?.(text);
      return settledReason(text, stepContext) !== undefined;
    },
  });
  if (generation.stopReason === "aborted") return { kind: "empty", reason: "aborted", generation, timings: { prepareMs, postProcessMs: 0 } };

  const postProcessStartedAt = performance.now();
  const processed = postProcessInContext(generation.text, stepContext, { stopReason: generation.stopReason });
  const timings = { prepareMs, postProcessMs: performance.now() - postProcessStartedAt };
  if (processed === undefined) return { kind: "empty", reason: "nothing left after post-processing", generation, timings };
  return { kind: "completion", insertText: processed.insertText, replaceSuffixChars: processed.replaceSuffixChars, generation, timings };
}

/**
 * The context window and the prompt's layout. While the user types on below the previous prompt's split, the prompt
 * keeps that prompt's stable prefix, so the window above the cursor need not be fitted (nor its chunks counted): only
 * the cursor line and the suffix are windowed. `prefixBeforeLine` is then the text from the kept head to the cursor line.
 */
function windowAndLayout(
  request: CompletionRequest, fitted: CompletionBudget, previous: PromptAnchor | undefined, countTokens: (text: string) => number,
): { window: ContextWindow; layout: PromptLayout; prefixBeforeLine: string } {
  const limits = { ...DEFAULT_LAYOUT_LIMITS, prefixTokens: fitted.prefixTokens, recentTokens: fitted.recentTokens };
  const build = (keepingAnchor: boolean) => {
    const window = buildContextWindow(request.text, request.offset, {
      prefixTokens: keepingAnchor ? 0 : fitted.prefixTokens,
      suffixTokens: fitted.suffixTokens,
      linePrefixTokens: Math.min(LINE_PREFIX_TOKENS, fitted.recentTokens),
      countTokens,
      shareUnusedBudget: !keepingAnchor,
    });
    return { window, layout: planPromptLayout(request.text, request.offset, window, request.filePath, previous, limits, countTokens) };
  };
  const kept = anchorKeptWhileTyping(request.text, request.offset, request.filePath, previous, limits, countTokens);
  if (kept !== undefined) {
    const { window, layout } = build(true);
    if (layout.kept.split && layout.kept.head) return { window, layout, prefixBeforeLine: request.text.slice(kept.head, window.lineStart) };
  }
  const { window, layout } = build(false);
  return { window, layout, prefixBeforeLine: window.prefixBeforeLine };
}

/** Shrinks the budget to what the model's context holds: the suffix and other files give way before the prefix. */
export function fitBudget(budget: CompletionBudget, contextSize: number): CompletionBudget {
  const available = Math.max(0, contextSize - budget.maxTokens - PROMPT_OVERHEAD_TOKENS);
  const recentTokens = Math.max(1, Math.min(budget.recentTokens, Math.floor(available / 4)));
  const rest = Math.max(0, available - recentTokens);
  const suffixTokens = Math.min(budget.suffixTokens, Math.floor(rest / 4));
  const prefixTokens = Math.min(budget.prefixTokens, rest - suffixTokens);
  const extraContextTokens = Math.min(budget.extraContextTokens, rest - suffixTokens - prefixTokens);
  return { maxTokens: budget.maxTokens, prefixTokens, suffixTokens, extraContextTokens, recentTokens };
}

/** The most relevant files (last) that fit in `maxTokens` together, in their original order. */
export function fitContextFiles(files: readonly ContextFile[], maxTokens: number, countTokens: (text: string) => number): ContextFile[] {
  const kept: ContextFile[] = [];
  let used = 0;
  for (let index = files.length - 1; index >= 0 && used < maxTokens; index--) {
    const file = files[index];
    if (file === undefined) continue;
    // Path lines and separators cost a few tokens each.
    const cost = countTokens(file.text) + countTokens(file.path) + 4;
    if (used + cost > maxTokens) continue;
    kept.unshift(file);
    used += cost;
  }
  return kept;
}
