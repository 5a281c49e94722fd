// Runs inside a real VS Code extension host: the extension, its language server and a designed model.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { State } from "vscode-languageclient/node";
import type { PocketCoderApi } from "../../../src/extension/api";
import { activateExtension, EXTENSION_ID, openInEditor, setting, triggerAndAcceptInlineSuggestion, triggerAndRun, updateSetting } from "./vscodeHelpers";

const FIM_COMPLETION = "return a + b;";
/** The designed model's multi-line answer after "function sum". */
const SUM_COMPLETION = "(a, b) {\n  return a + b;\n}";

describe("Pocket Coder in VS Code", () => {
  let api: PocketCoderApi;
  let modelPath: string;

  before(async () => {
    api = await activateExtension();
    modelPath = setting<string>("model.path") ?? "";
    assert.notEqual(modelPath, "", "the runner sets pocketCoder.model.path to a fixture model");
  });

  it("activates with the fixture model checked but not loaded: the status bar says it is idle", async () => {
    const status = await api.ready;
    assert.equal(status.state, "unloaded", status.message);
    assert.equal(status.message, "Pocket Coder designed FIM model loads on first use.");
    assert.match(api.statusBarText(), /Pocket Coder · idle$/);
  });

  it("the first suggestion loads the model; accepting it inserts the model's exact completion", async () => {
    const editor = await openInEditor("src/add.ts", "function add(a, b) {\n  \n}\n");
    editor.selection = new vscode.Selection(1, 2, 1, 2);
    const text = await triggerAndAcceptInlineSuggestion(editor);
    assert.equal(text, `function add(a, b) {\n  ${FIM_COMPLETION}\n}\n`);
    const status = api.status();
    assert.equal(status.state, "ready", status.message);
    assert.equal(status.model?.name, "Pocket Coder designed FIM model");
    assert.equal(status.model?.fimFamily, "Qwen2.5-Coder");
  });

  it("the status bar says it is ready and on which backend", () => {
    assert.match(api.statusBarText(), /Pocket Coder · CPU$/);
  });

  it("unused for pocketCoder.model.unloadAfterMinutes, the model is unloaded; the next suggestion loads it again", async () => {
    await updateSetting("model.unloadAfterMinutes", 0.05);
    try {
      const unloaded = await api.waitForStatus((s) => s.state === "unloaded", 30_000);
      assert.match(unloaded.message, /loads on first use\. Unloaded because it was unused for 3 s( in a background window)?\.$/);
      assert.match(api.statusBarText(), /Pocket Coder · idle$/);
      const loading = api.waitForStatus((s) => s.state === "loadingModel", 30_000);
      const editor = await openInEditor("src/after-idle.ts", "function add(a, b) {\n  \n}\n");
      editor.selection = new vscode.Selection(1, 2, 1, 2);
      assert.equal(await triggerAndAcceptInlineSuggestion(editor), `function add(a, b) {\n  ${FIM_COMPLETION}\n}\n`);
      await loading;
    } finally {
      await updateSetting("model.unloadAfterMinutes", undefined);
    }
    await api.waitForStatus((s) => s.state === "ready" || s.state === "unloaded");
  });

  it("accept next word and accept next line (VS Code's own commands) take the suggestion piece by piece", async () => {
    const start = "export function sum";
    const editor = await openInEditor("src/sum.ts", start);
    editor.selection = new vscode.Selection(0, start.length, 0, start.length);
    const afterWord = await triggerAndRun(editor, "editor.action.inlineSuggest.acceptNextWord");
    const word = afterWord.slice(start.length);
    assert.ok(afterWord.startsWith(start) && word.length > 0 && SUM_COMPLETION.startsWith(word) && !word.includes("\n"), JSON.stringify(afterWord));
    // The rest of the suggestion stays on offer: the next partial accepts continue where the last one ended.
    const afterLine = await triggerAndRun(editor, "editor.action.inlineSuggest.acceptNextLine");
    assert.equal(afterLine, `${start}(a, b) {\n`);
    assert.equal(await triggerAndAcceptInlineSuggestion(editor), `${start}${SUM_COMPLETION}`);
  });

  it("completion.enabled set off for one language: no suggestion there, other languages unaffected", async () => {
    const plaintext = vscode.workspace.getConfiguration("pocketCoder", { languageId: "plaintext" });
    // In the workspace's settings (a project may turn a language off): "[plaintext]": { "pocketCoder.completion.enabled": false }.
    await plaintext.update("completion.enabled", false, vscode.ConfigurationTarget.Workspace, true);
    try {
      const notes = await openInEditor("notes.txt", "function add(a, b) {\n  \n}\n");
      assert.equal(notes.document.languageId, "plaintext");
      notes.selection = new vscode.Selection(1, 2, 1, 2);
      await assert.rejects(triggerAndAcceptInlineSuggestion(notes, 3_000), /No inline suggestion/);
      const code = await openInEditor("src/still-on.ts", "function add(a, b) {\n  \n}\n");
      code.selection = new vscode.Selection(1, 2, 1, 2);
      assert.equal(await triggerAndAcceptInlineSuggestion(code), `function add(a, b) {\n  ${FIM_COMPLETION}\n}\n`);
    } finally {
      await plaintext.update("completion.enabled", undefined, vscode.ConfigurationTarget.Workspace, true);
    }
    // The same place in the same file completes once the language is on again.
    const notes = await openInEditor("notes.txt", "function add(a, b) {\n  \n}\n");
    notes.selection = new vscode.Selection(1, 2, 1, 2);
    assert.equal(await triggerAndAcceptInlineSuggestion(notes), `function add(a, b) {\n  ${FIM_COMPLETION}\n}\n`);
  });

  it("each key Pocket Coder contributes is free in VS Code's default keybindings", async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    type Keybinding = { key: string; mac?: string; linux?: string; win?: string; command: string };
    const ours = (extension?.packageJSON as { contributes: { keybindings: Keybinding[] } }).contributes.keybindings;
    assert.ok(ours.some((binding) => binding.command === "editor.action.inlineSuggest.trigger"), "a manual-trigger key is contributed");
    const defaults = await vscode.workspace.openTextDocument(vscode.Uri.parse("vscode://defaultsettings/keybindings.json"));
    // Each entry starts `{ "key": "…", "command": "…"`; the strings are JSON (`alt+\\` stands for alt+\).
    const entries = [...defaults.getText().matchAll(/\{\s*"key":\s*("(?:[^"\\]|\\.)*"),\s*"command":\s*("(?:[^"\\]|\\.)*")/g)]
      .map(([, key, command]) => ({ key: JSON.parse(key!) as string, command: JSON.parse(command!) as string }));
    assert.ok(entries.length > 500, `VS Code's default keybindings were read (${entries.length} entries)`);
    // The default keybindings document lists this platform's keys; a contribution's own key for it wins over `key`.
    const key = (binding: Keybinding): string =>
      (process.platform === "darwin" ? binding.mac : process.platform === "win32" ? binding.win : binding.linux) ?? binding.key;
    // The document lists extensions' keys too: ours must be there, read back exactly, or the comparison below proves nothing.
    for (const binding of ours) assert.ok(entries.some((entry) => entry.key === key(binding) && entry.command === binding.command), `${key(binding)} is listed`);
    for (const binding of ours) {
      const taken = entries.filter((entry) => entry.key === key(binding) && entry.command !== binding.command);
      assert.deepEqual(taken, [], `${key(binding)} (${binding.command}) is already bound`);
    }
  });

  it("a missing model file shows the error state, and setting it back recovers", async () => {
    await updateSetting("model.path", "/nonexistent/model.gguf");
    const failed = await api.waitForStatus((s) => s.state === "error");
    assert.equal(failed.problem?.kind, "modelNotFound");
    assert.match(api.statusBarText(), /\$\(error\) Pocket Coder/);

    await updateSetting("model.path", modelPath);
    const recovered = await api.waitForStatus((s) => s.state === "unloaded");
    assert.equal(recovered.message, "Pocket Coder designed FIM model loads on first use.");
  });

  it("a killed server is restarted and completes again", async () => {
    const pid = api.serverPid();
    assert.ok(pid !== undefined, "the server reports its pid");
    process.kill(pid, "SIGKILL");
    await api.waitForStatus((s) => s.state === "starting");
    await api.waitForStatus((s) => s.state === "unloaded");
    assert.notEqual(api.serverPid(), pid);

    const editor = await openInEditor("src/after-crash.ts", "function add(a, b) {\n  \n}\n");
    editor.selection = new vscode.Selection(1, 2, 1, 2);
    assert.equal(await triggerAndAcceptInlineSuggestion(editor), `function add(a, b) {\n  ${FIM_COMPLETION}\n}\n`);
  });

  it("a crash while loading a model is not restarted in a loop, and Restart Server recovers", async () => {
    // A GPU mode change loads llama.cpp's binding again (~0.5 s) when the model next loads, on the next suggestion
    // request: time enough to kill the server mid-load.
    await updateSetting("gpu", "auto");
    await api.waitForStatus((s) => s.state === "unloaded");
    const loading = api.waitForStatus((s) => s.state === "loadingModel");
    const editor = await openInEditor("src/load-crash.ts", "function add(a, b) {\n  \n}\n");
    editor.selection = new vscode.Selection(1, 2, 1, 2);
    // Not awaited: the trigger's request waits for the load, and the kill must come while it runs. A new editor's
    // inline suggestion controller may not take the first trigger, so ask until the load begins.
    const asking = setInterval(() => void vscode.commands.executeCommand("editor.action.inlineSuggest.trigger"), 200);
    try {
      await loading;
    } finally {
      clearInterval(asking);
    }
    const pid = api.serverPid();
    assert.ok(pid !== undefined);
    process.kill(pid, "SIGKILL");
    const stopped = await api.waitForStatus((s) => s.state === "error");
    assert.match(stopped.message, /stopped while loading the model/);
    // The client settles into Stopped (no restart); a restart would show up as Starting instead.
    assert.equal(await nextClientState(api), State.Stopped);
    assert.equal(api.serverPid() === undefined || api.serverPid() === pid, true);

    await updateSetting("gpu", "cpu");
    await vscode.commands.executeCommand("pocketCoder.restartServer");
    await api.waitForStatus((s) => s.state === "unloaded");
    const after = await openInEditor("src/after-restart.ts", "function add(a, b) {\n  \n}\n");
    after.selection = new vscode.Selection(1, 2, 1, 2);
    assert.equal(await triggerAndAcceptInlineSuggestion(after), `function add(a, b) {\n  ${FIM_COMPLETION}\n}\n`);
    assert.equal(api.status().model?.backend, "cpu");
  });
});

/** The client's state once it leaves Running (Stopped, or Starting for a restart). */
function nextClientState(api: PocketCoderApi): Promise<State> {
  if (!api.client.isRunning()) return Promise.resolve(api.client.state);
  return new Promise((resolve) => {
    const subscription = api.client.onDidChangeState((change) => {
      if (change.newState === State.Running) return;
      subscription.dispose();
      resolve(change.newState);
    });
  });
}
