import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { DoctorRequest } from "../../shared/protocol";
import type { ReportDocuments } from "../views/ReportDocuments";

export const DOCTOR_COMMAND = "pocketCoder.doctor";

/**
 * "Doctor": the server's one-screen diagnosis (the same text as `pocket-coder doctor`) followed by the
 * statistics, in a read-only view that can be read, copied or attached to a bug report.
 */
export async function showDoctorReport(
  client: LanguageClient | undefined,
  output: vscode.LogOutputChannel,
  reports: ReportDocuments,
  statisticsText: () => string,
): Promise<string | undefined> {
  if (client === undefined || !client.isRunning()) {
    void vscode.window.showErrorMessage("Pocket Coder: the server is not running, so it cannot be diagnosed. Restart Server starts it again; Show Logs says why it stopped.");
    return undefined;
  }
  try {
    const { text } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "Pocket Coder: diagnosing (and timing a short generation)…" },
      () => client.sendRequest(DoctorRequest, { measureSpeed: true }),
    );
    output.info(`Doctor:\n${text}`);
    const report = `${text}\n\n${statisticsText()}\n`;
    await reports.show("Doctor", report);
    return report;
  } catch (error) {
    const message = `Pocket Coder: the doctor failed: ${error instanceof Error ? error.message : String(error)}`;
    output.error(message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
}
