import * as vscode from "vscode";
import type { ServerStatus } from "../shared/protocol";
import { SET_ENGINE_API_KEY_COMMAND } from "./commands/engineApiKey";
import { SELECT_MODEL_COMMAND } from "./commands/selectModel";
import { CONTROL_COMMANDS } from "./controls/controlState";
import { actionsForProblem, type ProblemAction } from "./problemActions";
import { SHOW_LOGS_COMMAND } from "./StatusBar";

export const RESTART_SERVER_COMMAND = "pocketCoder.restartServer";

const SELECT_FILE = "Select GGUF file…";
const SHOW_LOGS = "Show Logs";
const RESTART = "Restart Server";
const GET_STARTED = "Get Started";
const SET_API_KEY = "Set Engine API Key…";
const ENGINE_SETTINGS = "Engine Settings";

const ACTION_LABELS: Record<ProblemAction, string> = {
  selectModel: SELECT_FILE,
  setEngineApiKey: SET_API_KEY,
  openEngineSettings: ENGINE_SETTINGS,
  restartServer: RESTART,
  showLogs: SHOW_LOGS,
};

/** Set once the "no model yet" invitation was shown: a new user hears it once, not at every start. */
const WELCOMED_KEY = "pocketCoder.welcomed";

/** Turns problems and notices in the server status into notifications, each once, with the action that fixes it. */
export class ProblemNotifier {
  private readonly shown = new Set<string>();

  /** `memento`: the user's global state, where the one-time welcome is remembered. */
  constructor(private readonly memento: vscode.Memento) {}

  onStatus(status: ServerStatus): void {
    for (const notice of status.notices ?? []) {
      if (this.once(`notice:${notice}`)) void vscode.window.showInformationMessage(`Pocket Coder: ${notice}`);
    }
    const problem = status.state === "error" ? status.problem : undefined;
    if (problem?.kind === "noModel") {
      this.welcome();
      return;
    }
    if (problem === undefined || !this.once(`${problem.kind}:${problem.message}`)) return;

    const actions = actionsForProblem(problem.kind).map((action) => ACTION_LABELS[action]);
    void vscode.window.showErrorMessage(`Pocket Coder: ${problem.message}`, ...actions).then(runAction);
  }

  /** No model yet is the expected first state: one friendly invitation, ever. */
  private welcome(): void {
    if (this.memento.get<boolean>(WELCOMED_KEY) === true) return;
    void this.memento.update(WELCOMED_KEY, true);
    void vscode.window.showInformationMessage(
      "Welcome to Pocket Coder: choose a GGUF code model to get inline completions and explanations, all on this machine.",
      GET_STARTED,
      SELECT_FILE,
    ).then(runAction);
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
    case GET_STARTED:
      await vscode.commands.executeCommand(CONTROL_COMMANDS.setUp);
      break;
    case RESTART:
      await vscode.commands.executeCommand(RESTART_SERVER_COMMAND);
      break;
    case SET_API_KEY:
      await vscode.commands.executeCommand(SET_ENGINE_API_KEY_COMMAND);
      break;
    case ENGINE_SETTINGS:
      await vscode.commands.executeCommand("workbench.action.openSettings", "pocketCoder.engine");
      break;
  }
}
