// Runs inside a real VS Code extension host: the extension, its language server and a designed model.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { State } from "vscode-languageclient/node";
import type { PocketCoderApi } from "../../../src/extension/api";
import { activateExtension, openInEditor, setting, triggerAndAcceptInlineSuggestion, updateSetting } from "./vscodeHelpers";

const FIM_COMPLETION = "return a + b;";

describe("Pocket Coder in VS Code", () => {
  let api: PocketCoderApi;
  let modelPath: string;

  before(async () => {
    api = await activateExtension();
    modelPath = setting<string>("model.path") ?? "";
    assert.notEqual(modelPath, "", "the runner sets pocketCoder.model.path to a fixture model");
  });

  it("activates and becomes ready with the fixture model", async () => {
    const status = await api.ready;
    assert.equal(status.state, "ready", status.message);
    assert.equal(status.model?.name, "Pocket Coder designed FIM model");
    assert.equal(status.model?.fimFamily, "Qwen2.5-Coder");
  });

  it("the status bar says it is ready and on which backend", () => {
    assert.match(api.statusBarText(), /Pocket Coder · CPU$/);
  });

  it("accepting the inline suggestion inserts the model's exact completion", async () => {
    const editor = await openInEditor("src/add.ts", "function add(a, b) {\n  \n}\n");
    editor.selection = new vscode.Selection(1, 2, 1, 2);
    const text = await triggerAndAcceptInlineSuggestion(editor);
    assert.equal(text, `function add(a, b) {\n  ${FIM_COMPLETION}\n}\n`);
  });

  it("a missing model file shows the error state, and setting it back recovers", async () => {
    await updateSetting("model.path", "/nonexistent/model.gguf");
    const failed = await api.waitForStatus((s) => s.state === "error");
    assert.equal(failed.problem?.kind, "modelNotFound");
    assert.match(api.statusBarText(), /\$\(error\) Pocket Coder/);

    await updateSetting("model.path", modelPath);
    const recovered = await api.waitForStatus((s) => s.state === "ready");
    assert.equal(recovered.model?.path, modelPath);
  });

  it("a killed server is restarted and completes again", async () => {
    const pid = api.serverPid();
    assert.ok(pid !== undefined, "the server reports its pid");
    process.kill(pid, "SIGKILL");
    await api.waitForStatus((s) => s.state === "starting");
    await api.waitForStatus((s) => s.state === "ready");
    assert.notEqual(api.serverPid(), pid);

    const editor = await openInEditor("src/after-crash.ts", "function add(a, b) {\n  \n}\n");
    editor.selection = new vscode.Selection(1, 2, 1, 2);
    assert.equal(await triggerAndAcceptInlineSuggestion(editor), `function add(a, b) {\n  ${FIM_COMPLETION}\n}\n`);
  });

  it("a crash while loading a model is not restarted in a loop, and Restart Server recovers", async () => {
    // A GPU mode change loads llama.cpp's binding again (~0.5 s): time enough to kill the server mid-load.
    const loading = api.waitForStatus((s) => s.state === "loadingModel");
    await updateSetting("gpu", "auto");
    await loading;
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
    const ready = await api.waitForStatus((s) => s.state === "ready");
    assert.equal(ready.model?.backend, "cpu");
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
