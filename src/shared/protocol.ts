/**
 * Every message that LSP does not already define, defined once with its direction.
 * Pure: imports neither `vscode` nor `node-llama-cpp`, so any LSP client can use it.
 */
import { NotificationType, ProtocolRequestType } from "vscode-languageserver-protocol";

/** `unloaded`: the model is checked but not in memory; it loads on the next completion or explanation. */
export type ServerState = "starting" | "loadingModel" | "ready" | "busy" | "error" | "disabled" | "unloaded";
export type Backend = "cpu" | "cuda" | "vulkan" | "metal";

/** What went wrong, so a client can offer the action that fixes it. */
export type ProblemKind =
  | "noModel"
  | "modelNotFound"
  /** The file exists but cannot be read (permissions, I/O error). */
  | "unreadableModel"
  | "invalidModel"
  | "noFimSupport"
  | "loadFailed"
  | "internal"
  // A remote engine (pocketCoder.engine.kind): cannot be reached (or times out, or fails with 5xx), refuses the API key,
  // does not serve the model, or fails otherwise. The message names the URL and the reason.
  | "engineUnreachable"
  | "engineAuth"
  | "engineModelNotFound"
  | "engineFailed";

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
  /** GPU memory in use on the device(s) after loading (all processes); absent on the CPU backend. */
  readonly vramUsedBytes?: number;
  /** GPU memory of the device(s); absent on the CPU backend. */
  readonly vramTotalBytes?: number;
  /** Set when completions are computed by a team's inference server rather than in this process. */
  readonly engine?: RemoteEngineStatus;
}

export const ENGINE_KINDS = ["local", "llama-server", "openai", "ollama"] as const;
/** Where completions are computed: `local` in the server process, the others on an inference server. */
export type EngineKind = (typeof ENGINE_KINDS)[number];
export type RemoteEngineKind = Exclude<EngineKind, "local">;

export interface RemoteEngineStatus {
  readonly kind: RemoteEngineKind;
  /** The server's base URL. */
  readonly url: string;
  /** host:port, for the status bar. */
  readonly host: string;
  /** The model id the server serves. */
  readonly model: string;
  /** Requests the server runs in parallel (llama-server's slots), when it says. */
  readonly slots?: number;
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

/**
 * What a Pocket Coder client says about itself in `InitializeParams.capabilities.experimental.pocketCoder`.
 * The VS Code extension sets `serverStatusUi`; other editors (Neovim, Helix…) know nothing of it.
 */
export interface PocketCoderClientCapabilities {
  /**
   * The client shows pocketCoder/serverStatus itself (status bar, problem notifications). Without it the server
   * also reports model problems and notices with `window/showMessage`, which every LSP client shows.
   */
  readonly serverStatusUi?: boolean;
}

export const CLIENT_CAPABILITIES_KEY = "pocketCoder";

/** Whether the client's capabilities say it shows the server status itself. */
export function clientShowsServerStatus(capabilities: { readonly experimental?: unknown } | undefined): boolean {
  const experimental = capabilities?.experimental;
  if (typeof experimental !== "object" || experimental === null) return false;
  const own = (experimental as Record<string, unknown>)[CLIENT_CAPABILITIES_KEY] as PocketCoderClientCapabilities | undefined;
  return typeof own === "object" && own !== null && own.serverStatusUi === true;
}

/** States in which the server will not change by itself; a client waiting for readiness can stop waiting. */
export function isSettledState(state: ServerState): boolean {
  return state === "ready" || state === "error" || state === "disabled" || state === "unloaded";
}

// ---- Model lifecycle (client → server) -------------------------------------------------------------

export interface WindowStateParams {
  /** Whether the editor window has focus; a window in the background unloads its model sooner. */
  readonly focused: boolean;
}

/**
 * client → server: the editor window gained or lost focus. Sent once the server is running and on every change;
 * a server never told assumes a focused window.
 */
export const WindowStateNotification = new NotificationType<WindowStateParams>("pocketCoder/windowState");

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

/**
 * One streamed piece of the explanation, in order. The texts of all chunks concatenate to `ExplainResult.text`.
 * When the code had to be cut, the first chunk carries the `truncationNote` (with `text` ""), before any text.
 */
export interface ExplainChunk {
  readonly text: string;
  readonly truncationNote?: string;
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
 * client → server: explain a range of a document (which the client has opened with `textDocument/didOpen`).
 * Streams ExplainChunk[] partial results as `$/progress` for `partialResultToken` (the request type is also
 * their ProgressType: `onProgress(ExplainRequest, token, handler)`); the final result repeats the whole text.
 * Cancel with `$/cancelRequest` (the Stop button, closing the panel) or by sending a newer explain request,
 * which cancels the older one on the server too: a cancelled request answers with the text so far and
 * stopReason "cancelled". No usable model, or a model that fails, answers with a ResponseError (code
 * `LSPErrorCodes.RequestFailed`) whose message says what to do.
 */
export const ExplainRequest = new ProtocolRequestType<ExplainParams, ExplainResult, ExplainChunk[], void, void>("pocketCoder/explain");

// ---- Model setup and diagnostics (client → server) -------------------------------------------------

/** What the machine offers, as the server's llama.cpp runtime sees it. */
export interface HardwareInfo {
  /** The backend the server uses (or would use) with the current `pocketCoder.gpu` setting. */
  readonly backend: Backend;
  readonly gpuDevices: readonly string[];
  /** 0 on the CPU backend. */
  readonly vramTotalBytes: number;
  readonly vramFreeBytes: number;
  readonly ramTotalBytes: number;
  readonly ramFreeBytes: number;
  readonly cpuCores: number;
}

/** One GGUF file, read from its header and vocabulary only: no weights are loaded. */
export interface ModelFileInfo {
  readonly path: string;
  readonly fileName: string;
  readonly sizeBytes: number;
  /** `general.name`, else the file name. */
  readonly name: string;
  /** `general.architecture`, e.g. "qwen2". */
  readonly architecture?: string;
  /** Parameter count as GGUF states it ("1.5B") or as counted from the tensors. */
  readonly parameters?: string;
  /** Weight format, e.g. "Q8_0", "Q4_K_M", "F16". */
  readonly quantization?: string;
  /** The FIM prompt family when the model can do inline completion, e.g. "Qwen2.5-Coder". */
  readonly fimFamily?: string;
  readonly canComplete: boolean;
  /** True when the file carries a chat template (it can explain code in a chat). */
  readonly canChat: boolean;
  /** The chat format the template was recognised as, e.g. "ChatML"; absent without a template. */
  readonly chatTemplate?: string;
  readonly trainContextSize?: number;
  /** Set when the file cannot be used at all (not GGUF, truncated, unreadable), with what to do. */
  readonly problem?: string;
  /** Why it cannot do inline completion, when it cannot (e.g. an Instruct or general model without FIM tokens). */
  readonly completionProblem?: string;
}

export interface InspectModelsParams {
  /** A folder to list `*.gguf` files from (not recursive beyond one level of sub-folders). */
  readonly directory?: string;
  /** Particular files to inspect, e.g. one picked with a file dialog. */
  readonly files?: readonly string[];
}

export interface InspectModelsResult {
  readonly models: readonly ModelFileInfo[];
  /** Set when `directory` could not be listed. */
  readonly directoryProblem?: string;
  /** Absent when the runtime could not start (the models are still listed). */
  readonly hardware?: HardwareInfo;
}

/**
 * client → server: read GGUF headers (size, family, quantisation, FIM and chat support) without loading
 * weights, plus the hardware facts the client needs for advice. The extension host never loads
 * node-llama-cpp itself.
 */
export const InspectModelsRequest = new ProtocolRequestType<InspectModelsParams, InspectModelsResult, never, void, void>("pocketCoder/inspectModels");

export interface DoctorParams {
  /** Measure tokens/s with a short generation on the loaded model (default true). */
  readonly measureSpeed?: boolean;
}

export interface DoctorResult {
  /** One screen of plain text: what runs where, and why. The same text `pocket-coder doctor` prints. */
  readonly text: string;
}

/** client → server: diagnose the installation (platform, binaries, GPU, memory, model, speed). */
export const DoctorRequest = new ProtocolRequestType<DoctorParams, DoctorResult, never, void, void>("pocketCoder/doctor");

// ---- Completion context from the editor ------------------------------------------------------------

/**
 * What a client tells the server it can do for completion context, under
 * `ClientCapabilities.experimental[CONTEXT_CLIENT_CAPABILITY]`. A client that leaves it out (another editor) still
 * gets completions: the server then ranks its open files itself.
 */
export const CONTEXT_CLIENT_CAPABILITY = "pocketCoderContext";

export interface ContextClientCapabilities {
  /** The client answers `pocketCoder/definitions`. */
  readonly definitions?: boolean;
  /** The client sends `pocketCoder/visibleRanges`. */
  readonly visibleRanges?: boolean;
}

export interface ProtocolPosition {
  readonly line: number;
  readonly character: number;
}

export interface ProtocolRange {
  readonly start: ProtocolPosition;
  readonly end: ProtocolPosition;
}

export interface DefinitionsParams {
  readonly textDocument: { readonly uri: string; readonly version: number };
  /** Positions of identifiers (on and just above the cursor line) whose definitions the server wants. */
  readonly positions: readonly ProtocolPosition[];
}

export interface DefinitionTarget {
  /** Index into `DefinitionsParams.positions`: which identifier this defines. */
  readonly from: number;
  readonly kind: "definition" | "typeDefinition";
  readonly uri: string;
  /** The whole declaration where the editor knows it (a LocationLink's targetRange), else the name's range. */
  readonly range: ProtocolRange;
  /** The declared name's range, when the editor gives it. */
  readonly selectionRange?: ProtocolRange;
}

export interface DefinitionsResult {
  readonly definitions: readonly DefinitionTarget[];
}

/**
 * server → client: where the identifiers at `positions` are defined, as the editor's language services (definition
 * and type-definition providers) say. Sent only to a client that announced `definitions` in its
 * ContextClientCapabilities. The server waits a few tens of milliseconds at most; a later answer still fills its
 * cache for the next request. The server reads the declarations' text itself and never reads an excluded file.
 */
export const DefinitionsRequest = new ProtocolRequestType<DefinitionsParams, DefinitionsResult, never, void, void>("pocketCoder/definitions");

export interface VisibleRangesParams {
  readonly textDocument: { readonly uri: string };
  /** The lines the editor shows of the document, in order. */
  readonly ranges: readonly ProtocolRange[];
}

/**
 * client → server: the user is looking at these lines (the editor scrolled, or the document was shown). The server
 * keeps chunks of what the user looked at as completion context for other documents. Sent after scrolling settles.
 */
export const VisibleRangesNotification = new NotificationType<VisibleRangesParams>("pocketCoder/visibleRanges");

// ---- Remote engine (client → server) ----------------------------------------------------------------

export interface SetEngineApiKeyParams {
  /** The key for `pocketCoder.engine.url` (sent as a Bearer token); null forgets it. */
  readonly apiKey: string | null;
}

/**
 * client → server: the API key of the remote engine, from the client's secret storage. It lives only in the server's
 * memory: never in settings, logs or status. Sent after `initialized` and whenever the user sets it; the server
 * reopens the engine with it. Clients should keep it out of their message traces.
 */
export const SetEngineApiKeyNotification = new NotificationType<SetEngineApiKeyParams>("pocketCoder/setEngineApiKey");

/**
 * `initializationOptions[ENGINE_API_KEY_FOLLOWS]: true` says that the client holds an API key for the engine and sends
 * it with pocketCoder/setEngineApiKey right after `initialized`: the server then waits for it (a bounded time) before
 * its first request to the engine, so a stored key is never refused at startup. Only that a key exists travels here.
 */
export const ENGINE_API_KEY_FOLLOWS = "engineApiKeyFollows";

/** Whether a client's `initializationOptions` say that an engine API key follows. */
export function engineApiKeyFollows(initializationOptions: unknown): boolean {
  return typeof initializationOptions === "object" && initializationOptions !== null &&
    (initializationOptions as Record<string, unknown>)[ENGINE_API_KEY_FOLLOWS] === true;
}
