import { ErrorCodes, LSPErrorCodes, ResponseError, type CancellationToken, type Connection } from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import { ExplainRequest, type ExplainChunk, type ExplainParams, type ExplainResult } from "../../shared/protocol";
import type { PocketCoderSettings } from "../../shared/settings";
import { LatestRequestGate } from "../completion/LatestRequestGate";
import { explainCode } from "../explain/explainCode";
import { ExplainModelError } from "../explain/explainGenerator";
import { ExplainInputError, type ExplainDocument } from "../explain/explainPrompt";
import type { Logger } from "../logger";
import type { ModelService } from "../model/ModelService";
import { abortSignalOf } from "./abortSignalOf";

export interface ExplainHandlerDeps {
  /** Where partial results go (`$/progress`). */
  readonly connection: Pick<Connection, "sendProgress">;
  readonly documents: { get(uri: string): TextDocument | undefined; all(): TextDocument[] };
  readonly models: Pick<ModelService, "explainModel" | "whileBusy">;
  readonly settings: () => PocketCoderSettings;
  /** How a document is named to the model: its workspace-relative path. */
  readonly workspace: (uri: string) => { filePath: string };
  readonly log: Logger;
  /** Which files may be read: an excluded one is never explained, a private one never joins another's explanation. */
  readonly policy?: { isExcluded(uri: string): boolean; mayShare(uri: string): boolean };
}

/**
 * `pocketCoder/explain`: thin LSP glue around explainCode. Streams the answer as partial results, ends early
 * (stopReason "cancelled") on `$/cancelRequest` or when a newer explain request arrives, and answers a
 * ResponseError with an actionable message when there is no usable model or the model fails.
 * Register with `connection.onRequest(ExplainRequest, createExplainHandler(deps))`.
 */
export function createExplainHandler(deps: ExplainHandlerDeps) {
  const gate = new LatestRequestGate();

  return async (params: ExplainParams, token: CancellationToken): Promise<ExplainResult> => {
    // connection.onRequest hands custom requests no ResultProgressReporter: partial results go out as `$/progress`
    // for the client's partialResultToken, which a request type doubles as the ProgressType of.
    const partialResultToken = params.partialResultToken;
    const report = (chunks: ExplainChunk[]) => {
      if (partialResultToken !== undefined) void deps.connection.sendProgress(ExplainRequest, partialResultToken, chunks);
    };
    const cancellation = abortSignalOf(token);
    const request = gate.begin(cancellation.signal);
    try {
      const document = deps.documents.get(params.textDocument.uri);
      if (document === undefined) {
        throw new ResponseError(ErrorCodes.InvalidParams, `${params.textDocument.uri} is not open on the server, so it cannot be explained.`);
      }
      if (deps.policy?.isExcluded(document.uri) === true) {
        throw new ResponseError(
          ErrorCodes.InvalidParams,
          `${deps.workspace(document.uri).filePath} matches pocketCoder.exclude, so Pocket Coder does not read it. Remove the matching glob from that setting to explain it.`,
          { kind: "excluded" },
        );
      }
      const target = await deps.models.explainModel();
      if (request.signal.aborted) return { text: "", model: "generator" in target ? target.generator.modelName : "", stopReason: "cancelled" };
      if ("problem" in target) throw new ResponseError(LSPErrorCodes.RequestFailed, target.problem, { kind: "noModel" });

      let start = document.offsetAt(params.range.start);
      let end = document.offsetAt(params.range.end);
      if (end < start) [start, end] = [end, start];
      const input = {
        document: describe(document, deps),
        start,
        end,
        ...(params.diagnostic === undefined ? {} : { diagnostic: params.diagnostic }),
        otherDocuments: deps.documents.all()
          .filter((other) => other.uri !== document.uri && (deps.policy?.mayShare(other.uri) ?? true))
          .map((other) => describe(other, deps)),
      };
      const outcome = await deps.models.whileBusy(() =>
        explainCode(target.generator, input, deps.settings().explain.maxTokens, {
          signal: request.signal,
          onNote: (truncationNote) => report([{ text: "", truncationNote }]),
          onText: (text) => report([{ text }]),
        }));
      const generation = outcome.generation;
      if (generation !== undefined) {
        deps.log.info(
          `explain ${input.document.fileName} (${outcome.result.stopReason}): prompt ${generation.promptTokens} tokens ` +
            `(${generation.reusedTokens} reused) in ${generation.promptMs.toFixed(0)} ms, first text at ` +
            `${generation.firstTextMs?.toFixed(0) ?? "-"} ms, ${generation.generatedTokens} tokens in ${generation.totalMs.toFixed(0)} ms` +
            `${outcome.prompt.truncationNote === undefined ? "" : " (code cut to fit)"}.`,
        );
      }
      return outcome.result;
    } catch (error) {
      if (error instanceof ResponseError) throw error;
      if (error instanceof ExplainInputError) throw new ResponseError(ErrorCodes.InvalidParams, error.message);
      if (error instanceof ExplainModelError) {
        deps.log.error(error.message);
        throw new ResponseError(LSPErrorCodes.RequestFailed, error.message, { kind: "modelFailed" });
      }
      const message = `Explaining failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
      deps.log.error(message);
      throw new ResponseError(LSPErrorCodes.RequestFailed, message, { kind: "internal" });
    } finally {
      request.end();
      cancellation.dispose();
    }
  };
}

function describe(document: TextDocument, deps: ExplainHandlerDeps): ExplainDocument {
  return { fileName: deps.workspace(document.uri).filePath, languageId: document.languageId, text: document.getText() };
}
