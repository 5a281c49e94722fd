import * as vscode from "vscode";
import type { ServerStatus } from "../shared/protocol";
import { presentStatus } from "./statusPresentation";

export const SHOW_LOGS_COMMAND = "pocketCoder.showLogs";

/** The one status bar item; it shows whatever the server last reported. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("pocketCoder.status", vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = "Pocket Coder";
    this.item.command = SHOW_LOGS_COMMAND;
    this.show({ state: "starting", message: "Starting Pocket Coder…" });
    this.item.show();
  }

  show(status: ServerStatus): void {
    const presentation = presentStatus(status);
    this.item.text = presentation.text;
    this.item.tooltip = presentation.tooltip;
    this.item.backgroundColor = presentation.severity === "normal"
      ? undefined
      : new vscode.ThemeColor(presentation.severity === "error" ? "statusBarItem.errorBackground" : "statusBarItem.warningBackground");
  }

  /** What the item currently says; for tests and the API. */
  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
