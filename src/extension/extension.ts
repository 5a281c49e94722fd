import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import type { PocketCoderApi } from "./api";
import { DOCTOR_COMMAND, showDoctorReport } from "./commands/doctor";
import { downloadRecommendedModel } from "./commands/downloadModel";
import { SET_ENGINE_API_KEY_COMMAND, sendEngineApiKey, setEngineApiKey, StoredEngineApiKey, watchEngineApiKey } from "./commands/engineApiKey";
import { DOWNLOAD_MODEL_COMMAND, SELECT_MODEL_COMMAND, selectModel } from "./commands/selectModel";
import { CompletionControls } from "./controls/CompletionControls";
import { completionBlock, CONTROL_COMMANDS, formatClockTime, isSnoozed, SNOOZE_MINUTES, VSCODE_SNOOZE_COMMAND } from "./controls/controlState";
import { hasCommand, showQuickMenu } from "./controls/quickMenu";
import { registerExplain } from "./explain/explainCommand";
import { createLanguageClient, serverPidOf } from "./LanguageClientHost";
import { ProblemNotifier, RESTART_SERVER_COMMAND } from "./ProblemNotifier";
import { StatisticsRecorder } from "./statistics/StatisticsRecorder";
import { formatStatistics, STATISTICS_LIMITS } from "./statistics/suggestionStatistics";
import { SHOW_LOGS_COMMAND, StatusBar } from "./StatusBar";
import { StatusHub } from "./StatusHub";
import { ReportDocuments } from "./views/ReportDocuments";
import { watchProxySettings } from "./userSettings";
import { reportWindowState } from "./windowState";

let client: LanguageClient | undefined;
let statistics: StatisticsRecorder | undefined;

const RESET_STATISTICS_COMMAND = "pocketCoder.resetStatistics";
const WALKTHROUGH_ID = "gettingStarted";

/** Cheap by design: no model work happens in the extension host, only the client and the UI. */
export async function activate(context: vscode.ExtensionContext): Promise<PocketCoderApi> {
  const output = vscode.window.createOutputChannel("Pocket Coder", { log: true });
  const statuses = new StatusHub();
  const statusBar = new StatusBar();
  const notifier = new ProblemNotifier(context.globalState);
  const controls = new CompletionControls(context.workspaceState);
  const recorder = new StatisticsRecorder(context.globalState);
  statistics = recorder;
  const reports = new ReportDocuments();
  const showControls = () => {
    const state = controls.state();
    const block = completionBlock(state, Date.now());
    statusBar.showControls(block === undefined ? {} : { block });
    void vscode.commands.executeCommand("setContext", "pocketCoder.snoozed", isSnoozed(state, Date.now()));
  };
  showControls();
  context.subscriptions.push(output, statusBar, controls, recorder, reports, controls.onDidChange(showControls), statuses.onChange((status) => {
    statusBar.show(status);
    notifier.onStatus(status);
  }));

  const storedEngineApiKey = new StoredEngineApiKey(context);
  context.subscriptions.push(storedEngineApiKey);
  client = createLanguageClient(context, output, statuses, {
    allows: (document) => controls.allows(document),
    offered: (document, position, result, latencyMs) => recorder.offered(document, position, result, latencyMs),
  }, () => storedEngineApiKey.stored);
  const languageClient = client;
  const statisticsText = () => `${formatStatistics(recorder.statistics, (epochMs) => new Date(epochMs).toLocaleString())}\n\n${STATISTICS_LIMITS}`;
  const languageOf = (languageId: unknown): string | undefined =>
    typeof languageId === "string" ? languageId : vscode.window.activeTextEditor?.document.languageId;
  const forLanguage = async (languageId: unknown, enabled: boolean) => {
    const language = languageOf(languageId);
    if (language === undefined) {
      void vscode.window.showInformationMessage("Pocket Coder: open a file first; completions are turned off or on for its language.");
      return;
    }
    await controls.setEnabledForLanguage(language, enabled);
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_LOGS_COMMAND, () => output.show()),
    vscode.commands.registerCommand(SELECT_MODEL_COMMAND, () => selectModel(languageClient)),
    vscode.commands.registerCommand(DOCTOR_COMMAND, () => showDoctorReport(languageClient, output, reports, statisticsText)),
    // Opens a network connection only when the user setting pocketCoder.network.allowModelDownload is on.
    vscode.commands.registerCommand(DOWNLOAD_MODEL_COMMAND, () => downloadRecommendedModel(context, languageClient)),
    vscode.commands.registerCommand(SET_ENGINE_API_KEY_COMMAND, () => setEngineApiKey(context)),
    watchEngineApiKey(context, languageClient, output),
    watchProxySettings(languageClient, output),
    vscode.commands.registerCommand(RESTART_SERVER_COMMAND, async () => {
      statuses.update({ state: "starting", message: "Restarting Pocket Coder…" });
      await languageClient.restart();
    }),
    vscode.commands.registerCommand(CONTROL_COMMANDS.showMenu, async () => showQuickMenu({
      controls: controls.state(),
      now: Date.now(),
      needsSetup: statuses.status.problem?.kind === "noModel",
      vscodeSnoozeAvailable: await hasCommand(VSCODE_SNOOZE_COMMAND),
      formatTime: formatClockTime,
    })),
    vscode.commands.registerCommand(CONTROL_COMMANDS.turnOff, () => controls.setEnabled(false)),
    vscode.commands.registerCommand(CONTROL_COMMANDS.turnOn, () => controls.setEnabled(true)),
    vscode.commands.registerCommand(CONTROL_COMMANDS.turnOffForLanguage, (languageId?: unknown) => forLanguage(languageId, false)),
    vscode.commands.registerCommand(CONTROL_COMMANDS.turnOnForLanguage, (languageId?: unknown) => forLanguage(languageId, true)),
    vscode.commands.registerCommand(CONTROL_COMMANDS.snooze, async (minutes?: unknown) => {
      const chosen = typeof minutes === "number" && minutes > 0 ? minutes : await pickSnoozeMinutes();
      if (chosen !== undefined) await controls.snooze(chosen);
    }),
    vscode.commands.registerCommand(CONTROL_COMMANDS.cancelSnooze, () => controls.cancelSnooze()),
    vscode.commands.registerCommand(CONTROL_COMMANDS.showStatistics, () => reports.show("Statistics", `${statisticsText()}\n`)),
    vscode.commands.registerCommand(RESET_STATISTICS_COMMAND, async () => {
      await recorder.reset();
      void vscode.window.showInformationMessage("Pocket Coder: statistics reset; counting starts again now.");
    }),
    vscode.commands.registerCommand(CONTROL_COMMANDS.setUp, () =>
      vscode.commands.executeCommand("workbench.action.openWalkthrough", `${context.extension.id}#${WALKTHROUGH_ID}`, false)),
  );

  const explain = registerExplain(context, languageClient, output);
  context.subscriptions.push(reportWindowState(languageClient));

  const ready = statuses.waitForSettled();
  try {
    await storedEngineApiKey.refresh();
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

async function pickSnoozeMinutes(): Promise<number | undefined> {
  const picked = await vscode.window.showQuickPick(
    SNOOZE_MINUTES.map((minutes) => ({ label: `${minutes} minutes`, minutes })),
    { title: "Pocket Coder: Snooze Inline Completions", placeHolder: "How long?" },
  );
  return picked?.minutes;
}

export async function deactivate(): Promise<void> {
  await statistics?.flush();
  statistics = undefined;
  await client?.stop();
  client = undefined;
}
