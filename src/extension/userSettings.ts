import * as vscode from "vscode";
import { SETTINGS_SECTION } from "../shared/settings";
import { DidChangeConfigurationNotification, type LanguageClient } from "vscode-languageclient/node";
import { PROXY_SETTING_KEYS, withEngineProxy, withUserValuesOnly, type MachineScopedKey } from "./trustedSettings";

/** The user's (global) value of a machine-scoped setting, else its default; never a workspace's. */
export function userValue<T>(key: MachineScopedKey): T | undefined {
  const inspected = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

/** The `pocketCoder` section as the server may see it: machine-scoped keys from user settings only. */
export function trustedSettingsSection(merged: unknown = vscode.workspace.getConfiguration().get(SETTINGS_SECTION)): Record<string, unknown> {
  return withEngineProxy(withUserValuesOnly(merged, (key) => userValue(key)), {
    proxy: userHttpValue("proxy"), noProxy: userHttpValue("noProxy"), proxySupport: userHttpValue("proxySupport"),
    proxyAuthorization: userHttpValue("proxyAuthorization"),
  });
}

/** VS Code's own `http.*` setting from user settings (they are application-scoped; a workspace's value is ignored). */
function userHttpValue(key: string): unknown {
  const inspected = vscode.workspace.getConfiguration("http").inspect(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

/** VS Code's proxy settings changed: the server pulls the `pocketCoder` section again, which carries them. */
export function watchProxySettings(client: LanguageClient, output: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (!PROXY_SETTING_KEYS.some((key) => event.affectsConfiguration(key)) || !client.isRunning()) return;
    client.sendNotification(DidChangeConfigurationNotification.type, { settings: null }).catch((error: unknown) => {
      output.warn(`Could not tell the server that the proxy settings changed: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
}
