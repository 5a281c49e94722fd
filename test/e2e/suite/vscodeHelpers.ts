import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { PocketCoderApi } from "../../../src/extension/api";

export const EXTENSION_ID = "pocket-coder.pocket-coder";

export async function activateExtension(): Promise<PocketCoderApi> {
  const extension = vscode.extensions.getExtension<PocketCoderApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in the test host`);
  return extension.activate();
}

export async function openInEditor(relativePath: string, text: string): Promise<vscode.TextEditor> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, "the test host must open a workspace folder");
  const uri = vscode.Uri.joinPath(folder.uri, relativePath);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text));
  const document = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(document);
}

/**
 * Asks VS Code for an inline suggestion at the cursor and accepts it, the way Tab does. Ghost text
 * appears asynchronously, so this re-triggers until the document changes or the time is up.
 */
export function triggerAndAcceptInlineSuggestion(editor: vscode.TextEditor, timeoutMs = 30_000): Promise<string> {
  return triggerAndRun(editor, "editor.action.inlineSuggest.commit", timeoutMs);
}

/**
 * Asks VS Code for an inline suggestion at the cursor and runs `command` on it (commit, acceptNextWord,
 * acceptNextLine, …) until the document changes; returns the new text.
 */
export async function triggerAndRun(editor: vscode.TextEditor, command: string, timeoutMs = 30_000): Promise<string> {
  const before = editor.document.getText();
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
    for (let attempt = 0; attempt < 10 && editor.document.getText() === before; attempt++) {
      await delay(100);
      await vscode.commands.executeCommand(command);
    }
    if (editor.document.getText() !== before) return editor.document.getText();
  }
  throw new Error(`No inline suggestion was taken by ${command} within ${timeoutMs} ms.`);
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function setting<T>(key: string): T | undefined {
  return vscode.workspace.getConfiguration("pocketCoder").get<T>(key);
}

export async function updateSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration("pocketCoder").update(key, value, vscode.ConfigurationTarget.Global);
}
