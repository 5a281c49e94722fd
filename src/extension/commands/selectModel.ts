import * as os from "node:os";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { InspectModelsRequest, type InspectModelsResult } from "../../shared/protocol";
import { SETTINGS_SECTION } from "../../shared/settings";
import { actionFor, buildPickerEntries, type PickerAction } from "../modelPicker";
import { userValue } from "../userSettings";

export const SELECT_MODEL_COMMAND = "pocketCoder.selectModel";
export const DOWNLOAD_MODEL_COMMAND = "pocketCoder.downloadModel";

/** How long the picker waits for the server to read the GGUF headers before showing what it has. */
const INSPECT_TIMEOUT_MS = 30_000;

/**
 * "Select Model…": lists the GGUF files of `pocketCoder.model.directory` with size, family,
 * quantisation and whether each can complete (FIM) and chat — read by the server from the file headers,
 * without loading weights — plus advice for this machine and Browse…. The choice is stored in the
 * user (machine-wide) settings: a workspace can never choose which file is loaded.
 */
export async function selectModel(client: LanguageClient | undefined): Promise<string | undefined> {
  for (;;) {
    const directory = userValue<string>("model.directory")?.trim() ?? "";
    const currentPath = userValue<string>("model.path") ?? "";
    const downloadAllowed = userValue<boolean>("network.allowModelDownload") === true;
    const { result, problem } = await inspect(client, directory);
    const entries = buildPickerEntries({ result, currentPath, directory, downloadAllowed, ...(problem === undefined ? {} : { serverProblem: problem }) });

    type Item = vscode.QuickPickItem & { action?: PickerAction };
    const items: Item[] = entries.map((entry) => entry.separator === true
      ? { label: entry.label, kind: vscode.QuickPickItemKind.Separator }
      : { label: entry.label, ...(entry.description === undefined ? {} : { description: entry.description }), ...(entry.detail === undefined ? {} : { detail: entry.detail }), ...(entry.action === undefined ? {} : { action: entry.action }) });
    const picked = await vscode.window.showQuickPick(items, {
      title: "Pocket Coder: Select Model",
      placeHolder: directory === "" ? "Browse for a GGUF file, or set a models folder" : "Choose the model for inline completion",
      matchOnDescription: true,
      matchOnDetail: true,
    });
    const action = picked?.action;
    if (action === undefined) return undefined;

    switch (action.kind) {
      case "use":
        return useModel(action.path);
      case "chatOnly": {
        const choice = await vscode.window.showWarningMessage(action.message, "Use for Explain");
        if (choice === "Use for Explain") await update("explain.model.path", action.path);
        return undefined;
      }
      case "unusable":
        void vscode.window.showErrorMessage(`Pocket Coder: ${action.message}`);
        return undefined;
      case "advice":
        void vscode.window.showInformationMessage(action.message);
        return undefined;
      case "download":
        await vscode.commands.executeCommand(DOWNLOAD_MODEL_COMMAND);
        return undefined;
      case "browse":
        return browse(client, currentPath);
      case "setFolder":
        if (!(await chooseFolder(directory))) return undefined;
        continue; // Show the picker again with the new folder's models.
    }
  }
}

async function browse(client: LanguageClient | undefined, currentPath: string): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: "Select a GGUF code model",
    openLabel: "Use this model",
    canSelectMany: false,
    canSelectFolders: false,
    filters: { "GGUF models": ["gguf"] },
    defaultUri: vscode.Uri.file(currentPath !== "" ? currentPath : os.homedir()),
  });
  const file = picked?.[0];
  if (file === undefined) return undefined;
  // Validate before saving, so an unusable file is explained here rather than after a failed load.
  const { result } = await inspect(client, "", [file.fsPath]);
  const info = result?.models[0];
  if (info !== undefined) {
    const action = actionFor(info);
    if (action.kind === "unusable") {
      void vscode.window.showErrorMessage(`Pocket Coder: ${action.message}`);
      return undefined;
    }
    if (action.kind === "chatOnly") {
      const choice = await vscode.window.showWarningMessage(action.message, "Use for Explain");
      if (choice === "Use for Explain") await update("explain.model.path", file.fsPath);
      return undefined;
    }
  }
  return useModel(file.fsPath);
}

async function useModel(filePath: string): Promise<string> {
  await update("model.path", filePath);
  return filePath;
}

async function chooseFolder(current: string): Promise<boolean> {
  const picked = await vscode.window.showOpenDialog({
    title: "Folder of GGUF models",
    openLabel: "Use this folder",
    canSelectMany: false,
    canSelectFiles: false,
    canSelectFolders: true,
    defaultUri: vscode.Uri.file(current !== "" ? current : os.homedir()),
  });
  const folder = picked?.[0];
  if (folder === undefined) return false;
  await update("model.directory", folder.fsPath);
  return true;
}

/** Machine-scoped settings are written to the user settings, the only place they are read from. */
async function update(key: string, value: string): Promise<void> {
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(key, value, vscode.ConfigurationTarget.Global);
}

async function inspect(
  client: LanguageClient | undefined, directory: string, files?: string[],
): Promise<{ result?: InspectModelsResult; problem?: string }> {
  if (client === undefined || !client.isRunning()) {
    return { problem: "The Pocket Coder server is not running (see Show Logs); Browse… still works." };
  }
  try {
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: "Pocket Coder: reading model files…" },
      () => withTimeout(client.sendRequest(InspectModelsRequest, { ...(directory === "" ? {} : { directory }), ...(files === undefined ? {} : { files }) }), INSPECT_TIMEOUT_MS),
    );
    return { result };
  } catch (error) {
    return { problem: `The server could not inspect the models (${error instanceof Error ? error.message : String(error)}).` };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    promise.then((value) => { clearTimeout(timer); resolve(value); }, (error: unknown) => { clearTimeout(timer); reject(error instanceof Error ? error : new Error(String(error))); });
  });
}
