import type { ServerStatus } from "../../shared/protocol";

export interface StatusMessage {
  readonly type: "error" | "info";
  readonly text: string;
}

/**
 * The `window/showMessage` notifications for a client without Pocket Coder's status UI: each model problem and
 * notice once, as the VS Code extension's notifications show them.
 */
export class StatusMessages {
  private readonly shown = new Set<string>();

  for(status: ServerStatus): StatusMessage[] {
    const messages: StatusMessage[] = [];
    for (const notice of status.notices ?? []) {
      if (this.once(`notice:${notice}`)) messages.push({ type: "info", text: `Pocket Coder: ${notice}` });
    }
    const problem = status.state === "error" ? status.problem : undefined;
    if (problem !== undefined && this.once(`${problem.kind}:${problem.message}`)) messages.push({ type: "error", text: `Pocket Coder: ${problem.message}` });
    return messages;
  }

  private once(key: string): boolean {
    if (this.shown.has(key)) return false;
    this.shown.add(key);
    return true;
  }
}
