import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { DoctorRequest } from "../../shared/protocol";

export const DOCTOR_COMMAND = "pocketCoder.doctor";

/**
 * "Doctor": the server's one-screen diagnosis (the same text as `pocket-coder doctor`), in an
 * untitled document that can be read, copied or attached to a bug report.
 */
export async function showDoctorReport(client: LanguageClient | undefined, output: vscode.LogOutputChannel): Promise<string | undefined> {
  if (client === undefined || !client.isRunning()) {
    void vscode.window.showErrorMessage("Pocket Coder: the server is not running, so it cannot be diagnosed. Run `pocket-coder doctor` in a terminal, or see Show Logs.");
    return undefined;
  }
  try {
    const { text } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Pocket Coder: diagnosing (and timing a short generation)…" },
      () => client.sendRequest(DoctorRequest, { measureSpeed: true }),
    );
    output.info(`Doctor:\n${text}`);
    const document = await vscode.workspace.openTextDocument({ content: text, language: "plaintext" });
    await vscode.window.showTextDocument(document, { preview: false });
    return text;
  } catch (error) {
    const message = `Pocket Coder: the doctor failed: ${error instanceof Error ? error.message : String(error)}`;
    output.error(message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
}
