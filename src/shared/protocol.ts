/**
 * Every message that LSP does not already define, defined once with its direction.
 * Pure: imports neither `vscode` nor `node-llama-cpp`, so any LSP client can use it.
 */
import { NotificationType } from "vscode-languageserver-protocol";

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
