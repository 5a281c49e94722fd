import * as vscode from "vscode";
import type { ServerStatus } from "../shared/protocol";
import { SELECT_MODEL_COMMAND } from "./commands/selectModel";
import { SHOW_LOGS_COMMAND } from "./StatusBar";

export const RESTART_SERVER_COMMAND = "pocketCoder.restartServer";

const SELECT_FILE = "Select GGUF file…";
const SHOW_LOGS = "Show Logs";
const OPEN_SETTINGS = "Open Settings";
const RESTART = "Restart Server";

/** Turns problems and notices in the server status into notifications, each once, with the action that fixes it. */
export class ProblemNotifier {
  private readonly shown = new Set<string>();

  onStatus(status: ServerStatus): void {
    for (const notice of status.notices ?? []) {
      if (this.once(`notice:${notice}`)) void vscode.window.showInformationMessage(`Pocket Coder: ${notice}`);
    }
    const problem = status.state === "error" ? status.problem : undefined;
    if (problem === undefined || !this.once(`${problem.kind}:${problem.message}`)) return;

    const actions = problem.kind === "internal"
      ? [RESTART, SHOW_LOGS]
      : problem.kind === "noModel"
        ? [SELECT_FILE, OPEN_SETTINGS]
        : [SELECT_FILE, SHOW_LOGS];
    void vscode.window.showErrorMessage(`Pocket Coder: ${problem.message}`, ...actions).then(runAction);
  }

  private once(key: string): boolean {
    if (this.shown.has(key)) return false;
    this.shown.add(key);
    return true;
  }
}

async function runAction(action: string | undefined): Promise<void> {
  switch (action) {
    case SELECT_FILE:
      await vscode.commands.executeCommand(SELECT_MODEL_COMMAND);
      break;
    case SHOW_LOGS:
      await vscode.commands.executeCommand(SHOW_LOGS_COMMAND);
      break;
    case OPEN_SETTINGS:
      await vscode.commands.executeCommand("workbench.action.openSettings", "pocketCoder");
      break;
    case RESTART:
      await vscode.commands.executeCommand(RESTART_SERVER_COMMAND);
      break;
  }
}
