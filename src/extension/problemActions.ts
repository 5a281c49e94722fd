import type { ProblemKind } from "../shared/protocol";

/** What an error notification offers, by what went wrong: the action that fixes it first, then the logs. */
export type ProblemAction = "selectModel" | "setEngineApiKey" | "openEngineSettings" | "restartServer" | "showLogs";

export function actionsForProblem(kind: ProblemKind): readonly ProblemAction[] {
  switch (kind) {
    case "internal":
      return ["restartServer", "showLogs"];
    case "engineAuth":
      return ["setEngineApiKey", "showLogs"];
    case "engineUnreachable":
    case "engineModelNotFound":
    case "engineFailed":
      return ["openEngineSettings", "showLogs"];
    default:
      return ["selectModel", "showLogs"];
  }
}
