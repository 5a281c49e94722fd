import * as vscode from "vscode";
import { SETTINGS_SECTION } from "../shared/settings";
import { withUserValuesOnly, type MachineScopedKey } from "./trustedSettings";

/** The user's (global) value of a machine-scoped setting, else its default; never a workspace's. */
export function userValue<T>(key: MachineScopedKey): T | undefined {
  const inspected = vscode.workspace.getConfiguration(SETTINGS_SECTION).inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue;
}

/** The `pocketCoder` section as the server may see it: machine-scoped keys from user settings only. */
export function trustedSettingsSection(merged: unknown = vscode.workspace.getConfiguration().get(SETTINGS_SECTION)): Record<string, unknown> {
  return withUserValuesOnly(merged, (key) => userValue(key));
}
