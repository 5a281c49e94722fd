import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import {
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
  type WorkspaceFolder,
} from "vscode-languageserver/node";
import { TextDocument } from "vscode-languageserver-textdocument";
import {
  DoctorRequest, ExplainRequest, InspectModelsRequest, ServerStatusNotification, SetEngineApiKeyNotification, WindowStateNotification,
} from "../shared/protocol";
import { DEFAULT_SETTINGS, type PocketCoderSettings } from "../shared/settings";
import type { Logger } from "./logger";
import { createExplainHandler } from "./lsp/explainHandler";
import { createInlineCompletionHandler } from "./lsp/inlineCompletionHandler";
import { SettingsSync } from "./lsp/SettingsSync";
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
  const documents = new TextDocuments(TextDocument);
  const lastUsedAt = new Map<string, number>();
  documents.onDidOpen((event) => lastUsedAt.set(event.document.uri, Date.now()));
  documents.onDidChangeContent((event) => lastUsedAt.set(event.document.uri, Date.now()));
  documents.onDidClose((event) => lastUsedAt.delete(event.document.uri));
  let settings: PocketCoderSettings = DEFAULT_SETTINGS;
  let folders: WorkspaceFolder[] = [];
  let initialized = false;

  const models = new ModelService(
    (status) => {
      if (initialized) void connection.sendNotification(ServerStatusNotification, status);
    },
    log,
    () => os.availableParallelism(),
  );
  const settingsSync = new SettingsSync(connection, log, async (next) => {
    settings = next;
    await models.applySettings(next);
  });

  connection.onInitialize((params): InitializeResult => {
    settings = settingsSync.initialize(params);
    folders = params.workspaceFolders ?? [];
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
    await connection.sendNotification(ServerStatusNotification, models.status);
    await settingsSync.listen();
    await models.applySettings(settings);
  });

  connection.languages.inlineCompletion.on(
    createInlineCompletionHandler({
      documents,
      models,
      settings: () => settings,
      workspace: (uri) => workspacePlace(uri, folders),
      lastUsedAt: (uri) => lastUsedAt.get(uri) ?? 0,
      log,
    }),
  );

  connection.onRequest(ExplainRequest, createExplainHandler({ connection, documents, models, settings: () => settings, workspace: (uri) => workspacePlace(uri, folders), log }));

  // Model setup and diagnostics: the extension host never loads node-llama-cpp, so it asks the server.
  connection.onRequest(InspectModelsRequest, async (params) => {
    const [files, hardware] = await Promise.all([inspectModelFiles(params), models.hardware()]);
    return { ...files, ...(hardware === undefined ? {} : { hardware }) };
  });
  connection.onRequest(DoctorRequest, async (params) => {
    const facts = await collectDoctorFacts(models, { version: SERVER_VERSION, measureSpeed: params.measureSpeed !== false });
    return { text: formatDoctorReport(facts) };
  });

  // A window in the background gives its model back sooner (pocketCoder.model.unloadInBackgroundAfterMinutes).
  connection.onNotification(WindowStateNotification, (params) => models.setWindowFocused(params.focused === true));

  // The remote engine's key: kept in memory only, never logged.
  connection.onNotification(SetEngineApiKeyNotification, async (params) => {
    await models.setApiKey(params.apiKey === null || params.apiKey === "" ? undefined : params.apiKey);
  });

  connection.onShutdown(async () => {
    await models.dispose();
  });

  documents.listen(connection);
  connection.listen();
}

/** The file's path relative to its workspace folder and that folder's name (for repo-level FIM prompts). */
function workspacePlace(uri: string, folders: readonly WorkspaceFolder[]): { filePath: string; repoName: string } {
  const filePath = uri.startsWith("file:") ? fileURLToPath(uri) : uri;
  for (const folder of folders) {
    if (!folder.uri.startsWith("file:")) continue;
    const root = fileURLToPath(folder.uri);
    const relative = path.relative(root, filePath);
    if (!relative.startsWith("..") && !path.isAbsolute(relative)) return { filePath: relative.split(path.sep).join("/"), repoName: folder.name };
  }
  return { filePath: path.basename(filePath), repoName: "" };
}
