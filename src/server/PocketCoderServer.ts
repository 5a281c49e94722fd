import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import {
  MessageType,
  ShowMessageNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
  type WorkspaceFolder,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  clientShowsServerStatus, DoctorRequest, engineApiKeyFollows, ExplainRequest, InspectModelsRequest, ServerStatusNotification, SetEngineApiKeyNotification,
  WindowStateNotification, type ServerStatus,
} from "../shared/protocol";
import { DEFAULT_SETTINGS, type PocketCoderSettings } from "../shared/settings";
import type { Logger } from "./logger";
import { ContextFeature, EditTracker } from "./lsp/contextFeature";
import { createExplainHandler } from "./lsp/explainHandler";
import { createInlineCompletionHandler } from "./lsp/inlineCompletionHandler";
import { documentPlace } from "./lsp/documentPlace";
import { SettingsSync } from "./lsp/SettingsSync";
import { ServerLifecycle } from "./lsp/ServerLifecycle";
import { StatusMessages } from "./lsp/statusMessages";
import { ModelService } from "./model/ModelService";
import { collectDoctorFacts } from "./doctor/collectDoctorFacts";
import { formatDoctorReport } from "./doctor/doctorReport";
import { inspectModelFiles } from "./runtime/inspectModels";

export const SERVER_NAME = "pocket-coder";
export const SERVER_VERSION = "0.1.0";

/** Wires the LSP connection to the server's services. Holds no logic of its own. */
export function startServer(connection: Connection): void {
  const log: Logger = {
    debug: (message) => connection.console.debug(message),
    info: (message) => connection.console.info(message),
    warn: (message) => connection.console.warn(message),
    error: (message) => connection.console.error(message),
  };
  const edits = new EditTracker();
  const documents = new TextDocuments(edits.configuration(TextDocument));
  const lastUsedAt = new Map<string, number>();
  documents.onDidOpen((event) => lastUsedAt.set(event.document.uri, Date.now()));
  documents.onDidChangeContent((event) => lastUsedAt.set(event.document.uri, Date.now()));
  documents.onDidClose((event) => lastUsedAt.delete(event.document.uri));
  let settings: PocketCoderSettings = DEFAULT_SETTINGS;
  let folders: WorkspaceFolder[] = [];
  let initialized = false;
  const lifecycle = new ServerLifecycle();
  const context = new ContextFeature(
    connection, documents, edits, () => settings, (uri) => documentPlace(uri, folders).filePath, (uri) => exclusionPath(uri, folders), log,
  );
  // Editors without Pocket Coder's status UI see model problems as window/showMessage.
  let statusMessages: StatusMessages | undefined;
  const announce = async (status: ServerStatus) => {
    await connection.sendNotification(ServerStatusNotification, status);
    // A notification, not window.showErrorMessage: that sends window/showMessageRequest, which not every client answers.
    for (const message of statusMessages?.for(status) ?? []) {
      await connection.sendNotification(ShowMessageNotification.type, { type: message.type === "error" ? MessageType.Error : MessageType.Info, message: message.text });
    }
  };

  const models = new ModelService(
    (status) => {
      if (initialized) void announce(status);
    },
    log,
    () => os.availableParallelism(),
  );
  const settingsSync = new SettingsSync(connection, log, async (next) => {
    settings = next;
    await models.applySettings(next);
  });

  connection.onInitialize((params): InitializeResult => {
    lifecycle.initialize();
    statusMessages = clientShowsServerStatus(params.capabilities) ? undefined : new StatusMessages();
    settings = settingsSync.initialize(params);
    // The client's stored key arrives right after `initialized`: the engine waits for it rather than be refused first.
    if (engineApiKeyFollows(params.initializationOptions)) models.expectApiKey();
    folders = params.workspaceFolders ?? [];
    context.initialize(params);
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        inlineCompletionProvider: {},
        // Lets a client (and the crash tests) find the process behind the connection.
        experimental: { pocketCoder: { pid: process.pid } },
      },
      serverInfo: { name: SERVER_NAME, version: SERVER_VERSION },
    };
  });

  connection.onInitialized(async () => {
    initialized = true;
    await announce(models.status);
    await settingsSync.listen();
    await models.applySettings(settings);
  });

  connection.languages.inlineCompletion.on(lifecycle.guard(
    createInlineCompletionHandler({
      documents,
      models,
      settings: () => settings,
      workspace: (uri) => documentPlace(uri, folders),
      lastUsedAt: (uri) => lastUsedAt.get(uri) ?? 0,
      log,
      context,
    }),
  ));

  connection.onRequest(ExplainRequest, lifecycle.guard(createExplainHandler({
    connection, documents, models, settings: () => settings, workspace: (uri) => documentPlace(uri, folders), log, policy: context.policy,
  })));

  // Model setup and diagnostics: the extension host never loads node-llama-cpp, so it asks the server.
  connection.onRequest(InspectModelsRequest, lifecycle.guard(async (params) => {
    const [files, hardware] = await Promise.all([inspectModelFiles(params), models.hardware()]);
    return { ...files, ...(hardware === undefined ? {} : { hardware }) };
  }));
  connection.onRequest(DoctorRequest, lifecycle.guard(async (params) => {
    const facts = await collectDoctorFacts(models, { version: SERVER_VERSION, measureSpeed: params.measureSpeed !== false });
    return { text: formatDoctorReport(facts) };
  }));

  // A window in the background gives its model back sooner (pocketCoder.model.unloadInBackgroundAfterMinutes).
  connection.onNotification(WindowStateNotification, (params) => models.setWindowFocused(params.focused === true));

  // The remote engine's key: kept in memory only, never logged.
  connection.onNotification(SetEngineApiKeyNotification, async (params) => {
    await models.setApiKey(params.apiKey === null || params.apiKey === "" ? undefined : params.apiKey);
  });

  connection.onShutdown(() => lifecycle.shutdown(() => models.dispose()));

  context.listen();
  documents.listen(connection);
  connection.listen();
}

/** The path exclusion globs match: workspace-relative inside a workspace folder, else the whole path when it has one. */
function exclusionPath(uri: string, folders: readonly WorkspaceFolder[]): string {
  const place = documentPlace(uri, folders);
  if (place.repoName !== "" || !uri.startsWith("file:")) return place.filePath;
  try {
    return fileURLToPath(uri).split(path.sep).join("/");
  } catch {
    return place.filePath; // an odd file URI (another host, an encoded separator): its name still meets the globs
  }
}
