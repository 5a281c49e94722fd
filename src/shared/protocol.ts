/**
 * Every message that LSP does not already define, defined once with its direction.
 * Pure: imports neither `vscode` nor `node-llama-cpp`, so any LSP client can use it.
 */
import { NotificationType, ProtocolRequestType } from "vscode-languageserver-protocol";

export type ServerState = "starting" | "loadingModel" | "ready" | "busy" | "error" | "disabled";
export type Backend = "cpu" | "cuda" | "vulkan" | "metal";

/** What went wrong, so a client can offer the action that fixes it. */
export type ProblemKind =
  | "noModel"
  | "modelNotFound"
  | "invalidModel"
  | "noFimSupport"
  | "loadFailed"
  | "internal";

export interface ServerProblem {
  readonly kind: ProblemKind;
  /** One or two sentences for a person: what happened and what to do. */
  readonly message: string;
}

export interface ModelStatus {
  readonly name: string;
  readonly path: string;
  /** FIM prompt family, e.g. "Qwen2.5-Coder"; absent when the model cannot do FIM. */
  readonly fimFamily?: string;
  readonly backend: Backend;
  readonly gpuDevices: readonly string[];
  readonly gpuLayers: number;
  readonly totalLayers: number;
  readonly contextSize: number;
  readonly threads: number;
}

export interface ServerStatus {
  readonly state: ServerState;
  /** One line for a status bar tooltip or a log. */
  readonly message: string;
  readonly model?: ModelStatus;
  readonly problem?: ServerProblem;
  /** Things the user should know once, e.g. a requested GPU backend that fell back to CPU. */
  readonly notices?: readonly string[];
}

/** server → client: the server's state changed. Sent after `initialized` and on every change. */
export const ServerStatusNotification = new NotificationType<ServerStatus>("pocketCoder/serverStatus");

/** States in which the server will not change by itself; a client waiting for readiness can stop waiting. */
export function isSettledState(state: ServerState): boolean {
  return state === "ready" || state === "error" || state === "disabled";
}

/** A diagnostic the user asked about ("Explain this problem"). */
export interface ExplainDiagnostic {
  readonly message: string;
  readonly source?: string;
  readonly code?: string;
}

export interface ExplainParams {
  readonly textDocument: { readonly uri: string };
  /** The code to explain: the selection, or the block the client chose around the cursor. */
  readonly range: {
    readonly start: { readonly line: number; readonly character: number };
    readonly end: { readonly line: number; readonly character: number };
  };
  readonly diagnostic?: ExplainDiagnostic;
  /** LSP partial-result token: the explanation streams as `$/progress` notifications carrying ExplainChunk[]. */
  readonly partialResultToken?: string | number;
}

/** One streamed piece of the explanation, in order. */
export interface ExplainChunk {
  readonly text: string;
}

export interface ExplainResult {
  /** The whole explanation (Markdown), equal to the concatenated chunks. */
  readonly text: string;
  /** Set when the code was cut to fit the model's context: says what was left out. */
  readonly truncationNote?: string;
  readonly model: string;
  readonly stopReason: "done" | "maxTokens" | "cancelled";
}

/**
 * client → server: explain a range of a document. Streams ExplainChunk[] partial results; cancel with
 * `$/cancelRequest` (the Stop button, closing the panel, or a newer explain request).
 */
export const ExplainRequest = new ProtocolRequestType<ExplainParams, ExplainResult, ExplainChunk[], void, void>("pocketCoder/explain");
