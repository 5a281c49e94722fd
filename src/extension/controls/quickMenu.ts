import * as vscode from "vscode";
import { buildMenu, type MenuContext } from "./controlState";

/** The status bar's menu: a QuickPick of the quick controls; the chosen entry runs its command. */
export async function showQuickMenu(context: MenuContext): Promise<void> {
  type Item = vscode.QuickPickItem & { command?: string; args?: readonly unknown[] };
  const items: Item[] = buildMenu(context).map((entry) => entry.separator === true
    ? { label: entry.label, kind: vscode.QuickPickItemKind.Separator }
    : {
        label: entry.label,
        ...(entry.description === undefined ? {} : { description: entry.description }),
        ...(entry.command === undefined ? {} : { command: entry.command }),
        ...(entry.args === undefined ? {} : { args: entry.args }),
      });
  const picked = await vscode.window.showQuickPick(items, { title: "Pocket Coder", placeHolder: "Inline completions, model and diagnostics" });
  if (picked?.command !== undefined) await vscode.commands.executeCommand(picked.command, ...(picked.args ?? []));
}

/** Whether the running VS Code has `command` (VS Code's own snooze exists from 1.102 on). */
export async function hasCommand(command: string): Promise<boolean> {
  return (await vscode.commands.getCommands(true)).includes(command);
}
