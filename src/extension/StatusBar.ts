import * as vscode from "vscode";
import type { ServerStatus } from "../shared/protocol";
import { CONTROL_COMMANDS } from "./controls/controlState";
import { presentStatus, type ClientControls } from "./statusPresentation";

export const SHOW_LOGS_COMMAND = "pocketCoder.showLogs";

/**
 * The one status bar item: the server's last status plus what the user turned off or snoozed.
 * Clicking it opens the quick controls menu.
 */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem("pocketCoder.status", vscode.StatusBarAlignment.Right, 100);
  private status: ServerStatus = { state: "starting", message: "Starting Pocket Coder…" };
  private controls: ClientControls = {};

  constructor() {
    this.item.name = "Pocket Coder";
    this.item.command = CONTROL_COMMANDS.showMenu;
    this.render();
    this.item.show();
  }

  show(status: ServerStatus): void {
    this.status = status;
    this.render();
  }

  showControls(controls: ClientControls): void {
    this.controls = controls;
    this.render();
  }

  private render(): void {
    const presentation = presentStatus(this.status, this.controls);
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
