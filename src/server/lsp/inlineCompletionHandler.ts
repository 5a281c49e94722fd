import type { CancellationToken, InlineCompletionItem, InlineCompletionParams } from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { completeAtCursor, DEFAULT_BUDGET, type CompletionOutcome } from "../completion/CompletionEngine";
import { LatestRequestGate } from "../completion/LatestRequestGate";
import { abortSignalOf } from "./abortSignalOf";
import type { Logger } from "../logger";
import type { ModelService } from "../model/ModelService";
import type { PocketCoderSettings } from "../../shared/settings";

/** Largest document the server will read a window from; bigger ones (logs, dumps) get no completion. */
export const MAX_DOCUMENT_CHARS = 20 * 1024 * 1024;

export interface InlineCompletionDeps {
  readonly documents: { get(uri: string): TextDocument | undefined };
  readonly models: ModelService;
  readonly settings: () => PocketCoderSettings;
  readonly workspace: (uri: string) => { filePath: string; repoName: string };
  readonly log: Logger;
}

/** `textDocument/inlineCompletion`: thin LSP glue around the completion engine. */
export function createInlineCompletionHandler(deps: InlineCompletionDeps) {
  const gate = new LatestRequestGate();
  const skippedHuge = new Set<string>();

  return async (params: InlineCompletionParams, token: CancellationToken): Promise<InlineCompletionItem[]> => {
    const model = deps.models.completionModel;
    const document = deps.documents.get(params.textDocument.uri);
    if (model === undefined || document === undefined) return [];
    const text = document.getText();
    if (text.length > MAX_DOCUMENT_CHARS) {
      if (!skippedHuge.has(document.uri)) deps.log.info(`No completion in ${document.uri}: ${text.length} characters is over the limit.`);
      skippedHuge.add(document.uri);
      return [];
    }

    const cancellation = abortSignalOf(token);
    const request = gate.begin(cancellation.signal);
    try {
      const offset = document.offsetAt(params.position);
      const where = deps.workspace(document.uri);
      const selected = params.context.selectedCompletionInfo?.text;
      const outcome: CompletionOutcome = await deps.models.whileBusy(() =>
        completeAtCursor(
          model,
          {
            text, offset, languageId: document.languageId, ...where,
            ...(selected === undefined ? {} : { selectedCompletionText: selected }),
          },
          { ...DEFAULT_BUDGET, maxTokens: deps.settings().completion.maxTokens },
          request.signal,
        ));
      if (outcome.kind === "empty") return [];
      const end = document.positionAt(offset + outcome.replaceSuffixChars);
      return [{ insertText: outcome.insertText, range: { start: params.position, end } }];
    } finally {
      request.end();
      cancellation.dispose();
    }
  };
}
