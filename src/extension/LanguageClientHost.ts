import * as vscode from "vscode";
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from "vscode-languageclient/node";
import { CLIENT_CAPABILITIES_KEY, ENGINE_API_KEY_FOLLOWS, ServerStatusNotification, type PocketCoderClientCapabilities, type ServerStatus } from "../shared/protocol";
import { SETTINGS_SECTION } from "../shared/settings";
import { decideAfterCrash } from "./crashPolicy";
import { EditorContextFeature } from "./editorContext";
import type { StatusHub } from "./StatusHub";
import { trustedSettingsSection } from "./userSettings";

export const CLIENT_ID = "pocketCoder";

/** What the extension decides around each inline completion request. */
export interface InlineCompletionHooks {
  /** Whether to ask the server at all (completions off for the language, snoozed). */
  allows(document: vscode.TextDocument): boolean;
  /** The server's answer and how long it took, for the local statistics. */
  offered(
    document: vscode.TextDocument,
    position: vscode.Position,
    result: vscode.InlineCompletionItem[] | vscode.InlineCompletionList | null | undefined,
    latencyMs: number,
  ): void;
}

/** Starts the language server as a child process over IPC and restarts it after a crash, within limits. */
export function createLanguageClient(
  context: vscode.ExtensionContext,
  output: vscode.LogOutputChannel,
  statuses: StatusHub,
  inlineCompletion: InlineCompletionHooks,
  /** Whether an engine API key is stored (sent right after start): the server then waits for it. */
  engineApiKeyStored: () => boolean = () => false,
): LanguageClient {
  const serverModule = context.asAbsolutePath("dist/server.js");
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ["--nolazy", "--inspect=6019"] } },
  };
  const crashTimes: number[] = [];
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: "file" }, { scheme: "untitled" }],
    outputChannel: output,
    // The model file, GPU and download settings come from user settings only, whatever a workspace says.
    initializationOptions: () => ({ ...trustedSettingsSection(), ...(engineApiKeyStored() ? { [ENGINE_API_KEY_FOLLOWS]: true } : {}) }),
    middleware: {
      // Per-language opt-out ("[markdown]": { "pocketCoder.completion.enabled": false }) is a language
      // override, which LSP configuration pulls cannot express: it is applied here, before any request, with the snooze.
      provideInlineCompletionItems: async (document, position, context, token, next) => {
        if (!inlineCompletion.allows(document)) return undefined;
        const started = performance.now();
        const result = await next(document, position, context, token);
        if (!token.isCancellationRequested) inlineCompletion.offered(document, position, result, performance.now() - started);
        return result;
      },
      workspace: {
        configuration: async (params, token, next) => {
          const values = await next(params, token);
          if (!Array.isArray(values)) return values;
          return values.map((value: unknown, index): unknown => (params.items[index]?.section === SETTINGS_SECTION ? trustedSettingsSection(value) : value));
        },
      },
    },
    errorHandler: {
      error: (_error, _message, count) => ({ action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown }),
      closed: () => {
        const now = Date.now();
        crashTimes.push(now);
        const modelPath = statuses.status.model?.path ?? vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>("model.path");
        const decision = decideAfterCrash(statuses.status.state, modelPath, crashTimes, now);
        if (decision.restart) {
          output.warn("The language server stopped unexpectedly; restarting it.");
          statuses.update({ state: "starting", message: "Restarting Pocket Coder after a crash…" });
          return { action: CloseAction.Restart, handled: true };
        }
        output.error(decision.reason);
        statuses.update({ state: "error", message: decision.reason, problem: { kind: "internal", message: decision.reason } });
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
  };
  const client = new LanguageClient(CLIENT_ID, "Pocket Coder", serverOptions, clientOptions);
  client.onNotification(ServerStatusNotification, (status: ServerStatus) => statuses.update(status));
  client.registerFeature(new EditorContextFeature(client));
  // This client shows the server status (status bar, notifications), so the server sends no window/showMessage of its own.
  client.registerFeature({
    fillClientCapabilities: (capabilities) => {
      const own: PocketCoderClientCapabilities = { serverStatusUi: true };
      capabilities.experimental = { ...(capabilities.experimental as object | undefined), [CLIENT_CAPABILITIES_KEY]: own };
    },
    initialize: () => undefined,
    getState: () => ({ kind: "static" }),
    clear: () => undefined,
  });
  return client;
}

/** The server's process id, which the server reports in its experimental capabilities. */
export function serverPidOf(client: LanguageClient): number | undefined {
  const experimental = client.initializeResult?.capabilities.experimental as { pocketCoder?: { pid?: unknown } } | undefined;
  const pid = experimental?.pocketCoder?.pid;
  return typeof pid === "number" ? pid : undefined;
}
