import type { LanguageClient } from "vscode-languageclient/node";
import type { ServerStatus } from "../shared/protocol";
import type { ExplainPanel } from "./explain/ExplainPanel";

/** What `activate()` returns: tests and other extensions await it instead of sleeping. */
export interface PocketCoderApi {
  readonly client: LanguageClient;
  /** Resolves with the first settled status (ready, error or disabled). */
  readonly ready: Promise<ServerStatus>;
  status(): ServerStatus;
  /** Resolves with the first status (the current one included) that satisfies `predicate`. */
  waitForStatus(predicate: (status: ServerStatus) => boolean, timeoutMs?: number): Promise<ServerStatus>;
  /** The language server's process id, while it runs. */
  serverPid(): number | undefined;
  statusBarText(): string;
  /** The Explain panel of the latest explanation (undefined before the first one). */
  explainPanel(): ExplainPanel | undefined;
  /**
   * The visible text of the latest explanation, once the panel's webview has rendered its end (done, stopped or
   * error). Rejects after `timeoutMs` or when there is no panel.
   */
  explainPanelText(timeoutMs?: number): Promise<string>;
  /** Stops the running explanation, as the panel's Stop button does. */
  stopExplanation(): void;
}
