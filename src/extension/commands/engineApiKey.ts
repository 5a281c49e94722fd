import * as vscode from "vscode";
import { State, Trace, type LanguageClient } from "vscode-languageclient/node";
import { SetEngineApiKeyNotification } from "../../shared/protocol";
import { SETTINGS_SECTION } from "../../shared/settings";

export const SET_ENGINE_API_KEY_COMMAND = "pocketCoder.setEngineApiKey";
/** The SecretStorage key: the API key lives in the OS keychain, never in settings. */
const SECRET_KEY = "pocketCoder.engine.apiKey";

/** Asks for the engine's API key (hidden input), keeps it in SecretStorage and hands it to the server. Empty forgets it. */
export async function setEngineApiKey(context: vscode.ExtensionContext): Promise<void> {
  const url = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<string>("engine.url")?.globalValue ?? "";
  const value = await vscode.window.showInputBox({
    title: "Pocket Coder: Engine API Key",
    prompt: url === "" ? "The API key of your inference server (empty: forget the key)." : `The API key for ${url} (empty: forget the key).`,
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  if (value.trim() === "") await context.secrets.delete(SECRET_KEY);
  else await context.secrets.store(SECRET_KEY, value.trim());
  // secrets.onDidChange sends it (see watchEngineApiKey).
}

/**
 * Whether a key is stored, kept current for `initializationOptions` (ENGINE_API_KEY_FOLLOWS): the server then waits
 * for the key instead of being refused once at startup. Only that a key exists is told, never the key.
 */
export class StoredEngineApiKey implements vscode.Disposable {
  private present = false;
  private readonly watcher: vscode.Disposable;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.watcher = context.secrets.onDidChange((event) => {
      if (event.key === SECRET_KEY) void this.refresh();
    });
  }

  get stored(): boolean {
    return this.present;
  }

  /** Reads secret storage again; a storage that cannot be read counts as no key (the server then waits for nothing). */
  async refresh(): Promise<void> {
    try {
      this.present = (await this.context.secrets.get(SECRET_KEY)) !== undefined;
    } catch {
      this.present = false;
    }
  }

  dispose(): void {
    this.watcher.dispose();
  }
}

/** Sends the stored key now and whenever it changes or the server restarts. */
export function watchEngineApiKey(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.LogOutputChannel): vscode.Disposable {
  const send = () => void sendEngineApiKey(context, client, output);
  return vscode.Disposable.from(
    context.secrets.onDidChange((event) => {
      if (event.key === SECRET_KEY) send();
    }),
    client.onDidChangeState((event) => {
      if (event.newState === State.Running) send();
    }),
  );
}

/** Never throws: a key that cannot be read or sent is logged (without the key), and completion goes on without it. */
export async function sendEngineApiKey(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.LogOutputChannel): Promise<void> {
  try {
    await sendStoredKey(context, client);
  } catch (error) {
    output.warn(`Could not hand the engine API key to the server: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function sendStoredKey(context: vscode.ExtensionContext, client: LanguageClient): Promise<void> {
  if (!client.isRunning()) return;
  const apiKey = (await context.secrets.get(SECRET_KEY)) ?? null;
  // The message trace (pocketCoder.trace.server = verbose) would print the key: it is off while the key is sent.
  const traceSetting = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>("trace.server", "off");
  const trace = Trace.fromString(traceSetting);
  if (trace !== Trace.Off) await client.setTrace(Trace.Off);
  try {
    await client.sendNotification(SetEngineApiKeyNotification, { apiKey });
  } finally {
    if (trace !== Trace.Off) await client.setTrace(trace);
  }
}
