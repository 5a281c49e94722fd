import type { LanguageClient } from "vscode-languageclient/node";
import type { ServerStatus } from "../shared/protocol";

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
}
