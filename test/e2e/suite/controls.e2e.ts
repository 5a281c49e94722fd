// The quick controls (off/on, per language, snooze), the local statistics and the read-only Doctor, in a real
// VS Code extension host, checked by what a user sees: the status bar text, the ghost text, the views.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { PocketCoderApi } from "../../../src/extension/api";
import { activateExtension, openInEditor, triggerAndAcceptInlineSuggestion, triggerAndRun } from "./vscodeHelpers";

const BEFORE = "function add(a, b) {\n  \n}\n";
const AFTER = "function add(a, b) {\n  return a + b;\n}\n";

async function editorAtGap(relativePath: string): Promise<vscode.TextEditor> {
  const editor = await openInEditor(relativePath, BEFORE);
  editor.selection = new vscode.Selection(1, 2, 1, 2);
  return editor;
}

async function waitForStatusBar(api: PocketCoderApi, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(api.statusBarText())) {
    if (Date.now() > deadline) throw new Error(`The status bar says "${api.statusBarText()}", not ${String(pattern)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return api.statusBarText();
}

function activeReport(): vscode.TextDocument {
  const document = vscode.window.activeTextEditor?.document;
  assert.ok(document, "a view is open");
  return document;
}

describe("Quick controls, statistics and Doctor", () => {
  let api: PocketCoderApi;

  before(async () => {
    api = await activateExtension();
    // Checked, and loaded by the first suggestion below.
    assert.equal((await api.ready).state, "unloaded");
    await vscode.commands.executeCommand("pocketCoder.resetStatistics");
  });

  it("snooze: the status says until when, no suggestion comes, and cancelling brings them back", async () => {
    assert.equal(await triggerAndAcceptInlineSuggestion(await editorAtGap("src/before-snooze.ts")), AFTER);
    const editor = await editorAtGap("src/snooze.ts");
    await vscode.commands.executeCommand("pocketCoder.snoozeCompletions", 15);
    const text = await waitForStatusBar(api, /snoozed/);
    const until = new Date(Date.now() + 15 * 60_000);
    // The minute may turn between the command and this line.
    const expected = [0, 1].map((back) => {
      const at = new Date(until.getTime() - back * 60_000);
      return `$(bell-slash) Pocket Coder: snoozed until ${String(at.getHours()).padStart(2, "0")}:${String(at.getMinutes()).padStart(2, "0")}`;
    });
    assert.ok(expected.includes(text), `${text} is one of ${expected.join(", ")}`);
    await assert.rejects(triggerAndAcceptInlineSuggestion(editor, 3_000), /No inline suggestion/);

    await vscode.commands.executeCommand("pocketCoder.cancelSnooze");
    await waitForStatusBar(api, /^\$\(sparkle\) Pocket Coder · CPU$/);
    // Another file: VS Code does not ask again at a place where nothing changed since it was told "nothing".
    assert.equal(await triggerAndAcceptInlineSuggestion(await editorAtGap("src/after-snooze.ts")), AFTER);
  });

  it("off for the current language: its files get nothing, the status says so, others still complete", async () => {
    // The toggle writes the settings layer that decides; here the workspace's (code-server's web client keeps user
    // settings apart from the file the harness writes, and a write there drops the machine-scoped model path).
    const plaintext = vscode.workspace.getConfiguration("pocketCoder", { languageId: "plaintext" });
    await plaintext.update("completion.enabled", true, vscode.ConfigurationTarget.Workspace, true);
    const notes = await editorAtGap("notes-off.txt");
    assert.equal(notes.document.languageId, "plaintext");
    await vscode.commands.executeCommand("pocketCoder.turnOffCompletionsForLanguage");
    await waitForStatusBar(api, /^\$\(circle-slash\) Pocket Coder: off for plaintext$/);
    const inspected = vscode.workspace.getConfiguration("pocketCoder", { languageId: "plaintext" }).inspect<boolean>("completion.enabled");
    assert.equal(inspected?.workspaceLanguageValue, false, "written as a language override where the value was set");
    await assert.rejects(triggerAndAcceptInlineSuggestion(notes, 3_000), /No inline suggestion/);

    const code = await editorAtGap("src/other-language.ts");
    await waitForStatusBar(api, /^\$\(sparkle\) Pocket Coder · CPU$/);
    assert.equal(await triggerAndAcceptInlineSuggestion(code), AFTER);

    const again = await editorAtGap("notes-off.txt");
    await vscode.commands.executeCommand("pocketCoder.turnOnCompletionsForLanguage", "plaintext");
    await waitForStatusBar(api, /^\$\(sparkle\) Pocket Coder · CPU$/);
    const after = vscode.workspace.getConfiguration("pocketCoder", { languageId: "plaintext" }).inspect<boolean>("completion.enabled");
    assert.equal(after?.workspaceLanguageValue, true);
    assert.equal(await triggerAndAcceptInlineSuggestion(again), AFTER);
    await plaintext.update("completion.enabled", undefined, vscode.ConfigurationTarget.Workspace, true);
  });

  it("off everywhere says off and completes nowhere; on again completes", async () => {
    const editor = await editorAtGap("src/everywhere.ts");
    const configuration = vscode.workspace.getConfiguration("pocketCoder");
    await configuration.update("completion.enabled", true, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand("pocketCoder.turnOffCompletions");
    await waitForStatusBar(api, /^\$\(circle-slash\) Pocket Coder: off$/);
    await assert.rejects(triggerAndAcceptInlineSuggestion(editor, 3_000), /No inline suggestion/);
    assert.equal(vscode.workspace.getConfiguration("pocketCoder").inspect("completion.enabled")?.workspaceValue, false);
    await vscode.commands.executeCommand("pocketCoder.turnOnCompletions");
    // Turning completions off everywhere unloaded the model; on again, the next suggestion loads it.
    await waitForStatusBar(api, /^\$\(sparkle\) Pocket Coder · idle$/);
    assert.equal(await triggerAndAcceptInlineSuggestion(await editorAtGap("src/everywhere-on.ts")), AFTER);
    await configuration.update("completion.enabled", undefined, vscode.ConfigurationTarget.Workspace);
  });

  it("VS Code's own snooze is offered exactly where this VS Code has it (1.102 and later)", async () => {
    const [major = 0, minor = 0] = vscode.version.split(".").map(Number);
    const hasOwnSnooze = (await vscode.commands.getCommands(true)).includes("editor.action.inlineSuggest.snooze");
    assert.equal(hasOwnSnooze, major > 1 || minor >= 102, `VS Code ${vscode.version}`);
  });

  it("statistics count whole accepts and line steps per language, in a read-only view", async () => {
    const start = "export function sum";
    const editor = await openInEditor("src/stats.ts", start);
    editor.selection = new vscode.Selection(0, start.length, 0, start.length);
    // Accept Next Line takes "(a, b) {\n"; Tab the rest.
    assert.equal(await triggerAndRun(editor, "editor.action.inlineSuggest.acceptNextLine"), `${start}(a, b) {\n`);
    await triggerAndAcceptInlineSuggestion(editor);
    await vscode.commands.executeCommand("pocketCoder.showStatistics");
    const view = activeReport();
    assert.equal(view.uri.scheme, "pocket-coder");
    assert.equal(view.languageId, "pocket-coder-report");
    const text = view.getText();
    assert.match(text, /counted on this machine, never sent anywhere/);
    // Earlier tests accepted 4 TypeScript suggestions whole; this one took a line first, then the rest.
    const typescript = /^typescript +(\d+) +(\d+) +\d+% +(\d+) +(\d+) +(\d+) +(\d+)$/m.exec(text);
    assert.ok(typescript, text);
    const [, shown, accepted, whole, , lines] = typescript.map(Number);
    assert.equal(whole, 5, text);
    assert.equal(lines, 1, text);
    assert.ok(accepted! >= 5 && shown! >= accepted!, text);
    assert.match(text, /^plaintext +1 +1 +100% +1 +0 +0 +0$/m);
    assert.match(text, /p50 \d+ ms, p90 \d+ ms/);

    await vscode.commands.executeCommand("pocketCoder.resetStatistics");
    await vscode.commands.executeCommand("pocketCoder.showStatistics");
    assert.match(activeReport().getText(), /No suggestions shown yet\./);
  });

  it("Doctor opens as a read-only view with word wrap, and ends with the statistics", async () => {
    await vscode.commands.executeCommand("pocketCoder.doctor");
    const view = activeReport();
    assert.equal(view.uri.scheme, "pocket-coder");
    assert.equal(view.isUntitled, false);
    assert.equal(view.isDirty, false);
    assert.equal(vscode.workspace.getConfiguration("editor", view).get("wordWrap"), "on");
    const text = view.getText();
    assert.match(text, /^Pocket Coder .* — doctor$/m);
    assert.match(text, /^Speed +\d/m);
    assert.match(text, /Suggestion statistics since/);
    await vscode.commands.executeCommand("workbench.action.closeActiveEditor");
    assert.ok(!vscode.window.visibleTextEditors.some((editor) => editor.document.uri.scheme === "pocket-coder" && editor.document.uri.path.endsWith("Doctor")));
  });
});
