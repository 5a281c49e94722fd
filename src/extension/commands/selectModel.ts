import * as os from "node:os";
import * as vscode from "vscode";
import { SETTINGS_SECTION } from "../../shared/settings";

export const SELECT_MODEL_COMMAND = "pocketCoder.selectModel";

/**
 * Lets the user pick a local GGUF file and stores it in the user (machine-wide) settings: the
 * setting has machine scope, so a workspace can never choose which file is loaded.
 */
export async function selectModelFile(): Promise<string | undefined> {
  const current = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>("model.path") ?? "";
  const picked = await vscode.window.showOpenDialog({
    title: "Select a GGUF code model",
    openLabel: "Use this model",
    canSelectMany: false,
    canSelectFolders: false,
    filters: { "GGUF models": ["gguf"] },
    defaultUri: vscode.Uri.file(current !== "" ? current : os.homedir()),
  });
  const file = picked?.[0];
  if (file === undefined) return undefined;
  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update("model.path", file.fsPath, vscode.ConfigurationTarget.Global);
  return file.fsPath;
}
