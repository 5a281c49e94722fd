import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import type { PocketCoderApi } from "./api";
import { DOCTOR_COMMAND, showDoctorReport } from "./commands/doctor";
import { downloadRecommendedModel } from "./commands/downloadModel";
import { SET_ENGINE_API_KEY_COMMAND, sendEngineApiKey, setEngineApiKey, watchEngineApiKey } from "./commands/engineApiKey";
import { DOWNLOAD_MODEL_COMMAND, SELECT_MODEL_COMMAND, selectModel } from "./commands/selectModel";
import { registerExplain } from "./explain/explainCommand";
import { createLanguageClient, serverPidOf } from "./LanguageClientHost";
import { ProblemNotifier, RESTART_SERVER_COMMAND } from "./ProblemNotifier";
import { SHOW_LOGS_COMMAND, StatusBar } from "./StatusBar";
import { StatusHub } from "./StatusHub";
import { reportWindowState } from "./windowState";

let client: LanguageClient | undefined;

/** Cheap by design: no model work happens in the extension host, only the client and the UI. */
export async function activate(context: vscode.ExtensionContext): Promise<PocketCoderApi> {
  const output = vscode.window.createOutputChannel("Pocket Coder", { log: true });
  const statuses = new StatusHub();
  const statusBar = new StatusBar();
  const notifier = new ProblemNotifier();
  context.subscriptions.push(output, statusBar, statuses.onChange((status) => {
    statusBar.show(status);
    notifier.onStatus(status);
  }));

  client = createLanguageClient(context, output, statuses);
  const languageClient = client;
  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_LOGS_COMMAND, () => output.show()),
    vscode.commands.registerCommand(SELECT_MODEL_COMMAND, () => selectModel(languageClient)),
    vscode.commands.registerCommand(DOCTOR_COMMAND, () => showDoctorReport(languageClient, output)),
    // Opens a network connection only when the user setting pocketCoder.network.allowModelDownload is on.
    vscode.commands.registerCommand(DOWNLOAD_MODEL_COMMAND, () => downloadRecommendedModel(context, languageClient)),
    vscode.commands.registerCommand(SET_ENGINE_API_KEY_COMMAND, () => setEngineApiKey(context)),
    watchEngineApiKey(context, languageClient, output),
    vscode.commands.registerCommand(RESTART_SERVER_COMMAND, async () => {
      statuses.update({ state: "starting", message: "Restarting Pocket Coder…" });
      await languageClient.restart();
    }),
  );

  const explain = registerExplain(context, languageClient, output);
  context.subscriptions.push(reportWindowState(languageClient));

  const ready = statuses.waitForSettled();
  try {
    await languageClient.start();
    await sendEngineApiKey(context, languageClient, output);
  } catch (error) {
    const message = `The Pocket Coder language server could not start: ${error instanceof Error ? error.message : String(error)}`;
    output.error(message);
    statuses.update({ state: "error", message, problem: { kind: "internal", message } });
  }

  return {
    client: languageClient,
    ready,
    status: () => statuses.status,
    waitForStatus: (predicate, timeoutMs) => statuses.waitFor(predicate, timeoutMs),
    serverPid: () => serverPidOf(languageClient),
    statusBarText: () => statusBar.text,
    explainPanel: () => explain.panel,
    explainPanelText: (timeoutMs) => explain.panel?.waitForRenderedText(timeoutMs) ?? Promise.reject(new Error("No explanation has been shown yet.")),
    stopExplanation: () => explain.stop(),
  };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
