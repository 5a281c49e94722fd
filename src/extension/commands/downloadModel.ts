import * as fs from "node:fs";
import * as path from "node:path";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { InspectModelsRequest, type HardwareInfo } from "../../shared/protocol";
import { adviseModel, ALL_RECOMMENDED_MODELS, formatBytes, type RecommendedModel } from "../../shared/recommendedModels";
import { SETTINGS_SECTION } from "../../shared/settings";
import { DownloadError, downloadFile, fileHasHash, partPathOf } from "../download/modelDownloader";
import { userValue } from "../userSettings";

const OPEN_SETTINGS = "Open Settings";

/**
 * "Download Recommended Model…": the one feature that uses the network, and only when the user has
 * turned on `pocketCoder.network.allowModelDownload` (a user setting; a workspace cannot turn it on).
 * Downloads with progress, cancel and resume, checks the SHA-256, then selects the model.
 */
export async function downloadRecommendedModel(context: vscode.ExtensionContext, client: LanguageClient | undefined): Promise<string | undefined> {
  if (userValue<boolean>("network.allowModelDownload") !== true) {
    const choice = await vscode.window.showInformationMessage(
      "Pocket Coder does not download anything unless you allow it: turn on pocketCoder.network.allowModelDownload in your user settings, " +
        "or copy a GGUF model to this machine and use Select Model… → Browse….",
      OPEN_SETTINGS,
    );
    if (choice === OPEN_SETTINGS) await vscode.commands.executeCommand("workbench.action.openSettings", "pocketCoder.network.allowModelDownload");
    return undefined;
  }

  const advice = adviseModel(await hardwareOf(client));
  type Item = vscode.QuickPickItem & { model: RecommendedModel };
  const items: Item[] = [advice.model, ...ALL_RECOMMENDED_MODELS.filter((model) => model.id !== advice.model.id)].map((model) => ({
    label: model === advice.model ? `$(star-full) ${model.label}` : model.label,
    description: `${model.fileName} · ${formatBytes(model.sizeBytes)}`,
    detail: model === advice.model ? `Recommended: ${advice.reason}` : `From ${new URL(model.url).host}, checked against its SHA-256.`,
    model,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: "Pocket Coder: Download a Model", placeHolder: "The file is checked against its SHA-256 before it is used" });
  if (picked === undefined) return undefined;
  const model = picked.model;

  const directory = userValue<string>("model.directory")?.trim() || path.join(context.globalStorageUri.fsPath, "models");
  const destination = path.join(directory, model.fileName);
  try {
    const ready = fs.existsSync(destination)
      ? await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Checking ${model.fileName}…`, cancellable: true },
        (_progress, token) => fileHasHash(destination, model.sha256, abortSignalOf(token)),
      )
      : false;
    if (!ready) await download(model, destination);
  } catch (error) {
    if (error instanceof DownloadError && error.kind === "cancelled") {
      void vscode.window.showInformationMessage(`Download of ${model.fileName} paused; run the command again to resume from ${partPathOf(destination)}.`);
    } else {
      void vscode.window.showErrorMessage(`Pocket Coder: ${error instanceof Error ? error.message : String(error)}`);
    }
    return undefined;
  }

  await vscode.workspace.getConfiguration(SETTINGS_SECTION).update("model.path", destination, vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`${model.label} is verified and selected (${destination}).`);
  return destination;
}

async function download(model: RecommendedModel, destination: string): Promise<void> {
  await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Downloading ${model.label}`, cancellable: true },
    async (progress, token) => {
      let reported = 0;
      await downloadFile(
        { url: model.url, destination, sha256: model.sha256, expectedBytes: model.sizeBytes },
        {
          signal: abortSignalOf(token),
          onProgress: ({ receivedBytes, totalBytes, resumedFromBytes }) => {
            const total = totalBytes ?? model.sizeBytes;
            const percent = Math.floor((receivedBytes / total) * 100);
            if (percent === reported && receivedBytes < total) return;
            progress.report({
              increment: percent - reported,
              message: `${formatBytes(receivedBytes)} of ${formatBytes(total)}${resumedFromBytes > 0 ? ` (resumed at ${formatBytes(resumedFromBytes)})` : ""}`,
            });
            reported = percent;
          },
        },
      );
      progress.report({ message: "verified" });
    },
  );
}

async function hardwareOf(client: LanguageClient | undefined): Promise<HardwareInfo | undefined> {
  if (client === undefined || !client.isRunning()) return undefined;
  try {
    return (await client.sendRequest(InspectModelsRequest, {})).hardware;
  } catch {
    return undefined;
  }
}

function abortSignalOf(token: vscode.CancellationToken): AbortSignal {
  const controller = new AbortController();
  if (token.isCancellationRequested) controller.abort();
  token.onCancellationRequested(() => controller.abort());
  return controller.signal;
}
