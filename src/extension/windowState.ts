import * as vscode from "vscode";
import { State, type LanguageClient } from "vscode-languageclient/node";
import { WindowStateNotification } from "../shared/protocol";

/**
 * Tells the server whether this window has focus, so that a window in the background unloads its model sooner.
 * Sent whenever the server (re)starts and on every change.
 */
export function reportWindowState(client: LanguageClient): vscode.Disposable {
  const send = (focused: boolean): void => {
    if (client.state !== State.Running) return;
    client.sendNotification(WindowStateNotification, { focused }).catch(() => undefined);
  };
  return vscode.Disposable.from(
    vscode.window.onDidChangeWindowState((state) => send(state.focused)),
    client.onDidChangeState((change) => {
      if (change.newState === State.Running) send(vscode.window.state.focused);
    }),
  );
}
