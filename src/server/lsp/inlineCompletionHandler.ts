import { InlineCompletionTriggerKind, type CancellationToken, type InlineCompletionItem, type InlineCompletionParams } from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { DEFAULT_BUDGET } from "../completion/CompletionEngine";
import { selectCrossFileContext, type OpenFile } from "../completion/crossFileContext";
import type { ContextFeature } from "./contextFeature";
import type { Logger } from "../logger";
import type { ModelService } from "../model/ModelService";
import type { PocketCoderSettings } from "../../shared/settings";
import { abortSignalOf } from "./abortSignalOf";

/** Largest document the server will read a window from; bigger ones (logs, dumps) get no completion. */
export const MAX_DOCUMENT_CHARS = 20 * 1024 * 1024;

export interface InlineCompletionDeps {
  readonly documents: { get(uri: string): TextDocument | undefined; all(): TextDocument[] };
  readonly models: ModelService;
  readonly settings: () => PocketCoderSettings;
  readonly workspace: (uri: string) => { filePath: string; repoName: string };
  /** When each open document was last edited or completed in (ms). */
  readonly lastUsedAt: (uri: string) => number;
  readonly log: Logger;
  /** Exclusions and cross-file context (definitions, recent code, ranking); without it, the heads of open files. */
  readonly context?: Pick<ContextFeature, "policy" | "gather">;
}

/** `textDocument/inlineCompletion`: thin LSP glue around the loaded model's completion service. */
export function createInlineCompletionHandler(deps: InlineCompletionDeps) {
  const skippedHuge = new Set<string>();
  const skippedExcluded = new Set<string>();

  return async (params: InlineCompletionParams, token: CancellationToken): Promise<InlineCompletionItem[]> => {
    const document = deps.documents.get(params.textDocument.uri);
    if (document === undefined) return [];
    if (deps.context?.policy.isExcluded(document.uri) === true) {
      if (!skippedExcluded.has(document.uri)) deps.log.info(`No completion in ${document.uri}: it matches pocketCoder.exclude.`);
      skippedExcluded.add(document.uri);
      return [];
    }
    const text = document.getText();
    const version = document.version;
    if (text.length > MAX_DOCUMENT_CHARS) {
      if (!skippedHuge.has(document.uri)) deps.log.info(`No completion in ${document.uri}: ${text.length} characters is over the limit.`);
      skippedHuge.add(document.uri);
      return [];
    }

    const cancellation = abortSignalOf(token);
    try {
      // The first request after startup or an idle unload loads the model; a newer request cancels this one's wait.
      const model = await deps.models.completionModelOnDemand(cancellation.signal);
      // An edit during the load without a newer request: this position no longer describes the text.
      if (model === undefined || deps.documents.get(document.uri)?.version !== version) return [];
      const selected = params.context.selectedCompletionInfo?.text;
      const context = deps.context;
      const crossFile = context === undefined
        ? { extraContext: selectCrossFileContext(document, openFiles(deps)) }
        : {
          gatherContext: async (signal: AbortSignal) => (await context.gather(
            document, document.offsetAt(params.position), DEFAULT_BUDGET.extraContextTokens, (t) => model.engine.generator.countTokens(t), signal,
          )).files,
        };
      const outcome = await deps.models.whileBusy(() =>
        model.complete(
          {
            text,
            offset: document.offsetAt(params.position),
            languageId: document.languageId,
            ...deps.workspace(document.uri),
            ...(selected === undefined ? {} : { selectedCompletionText: selected }),
            ...(params.context.triggerKind === InlineCompletionTriggerKind.Invoked ? { invoked: true } : {}),
            ...crossFile,
          },
          { ...DEFAULT_BUDGET, maxTokens: deps.settings().completion.maxTokens },
          cancellation.signal,
        ));
      if (outcome.stats !== undefined) {
        const s = outcome.stats;
        deps.log.debug(
          `completion (${s.source}): ${s.totalMs.toFixed(0)} ms, debounce ${s.debounceMs} ms, prompt ${s.promptTokens} tokens ` +
            `(${s.reusedTokens} reused, ${s.evaluatedTokens} evaluated), ${s.generatedTokens} generated` +
            (s.stopReason === undefined ? "" : ` (${s.stopReason})`) + `, model ${s.modelMs.toFixed(1)} ms, queued ${s.queuedMs.toFixed(1)} ms` +
            `; prepare ${ms(s.prepareMs)}, tokenize ${ms(s.tokenizeMs)}, post-process ${ms(s.postProcessMs)}` +
            `; align ${ms(s.alignMs)}, prefill ${ms(s.prefillMs)}, decode ${ms(s.decodeMs)}` +
            (s.engineMs === undefined ? "" : `; engine ${s.engineMs.toFixed(1)} ms`),
        );
      }
      if (outcome.kind === "empty") return [];
      // offsetAt clamps a position past the line end (or negative) into the text; the range starts where it clamped to.
      const offset = document.offsetAt(params.position);
      const start = document.positionAt(offset);
      const end = document.positionAt(offset + outcome.replaceSuffixChars);
      return [{ insertText: outcome.insertText, range: { start, end } }];
    } finally {
      cancellation.dispose();
    }
  };
}

function ms(value: number | undefined): string {
  return value === undefined ? "-" : `${value.toFixed(1)} ms`;
}

function openFiles(deps: InlineCompletionDeps): OpenFile[] {
  return deps.documents.all().map((document) => ({
    uri: document.uri,
    path: deps.workspace(document.uri).filePath,
    languageId: document.languageId,
    text: document.getText(),
    lastUsedAt: deps.lastUsedAt(document.uri),
  }));
}
