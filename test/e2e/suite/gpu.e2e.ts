// Runs with pocketCoder.gpu = "vulkan" on Mesa's software Vulkan device (GGML_VK_VISIBLE_DEVICES=0).
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { activateExtension, openInEditor, triggerAndAcceptInlineSuggestion } from "./vscodeHelpers";

describe("Pocket Coder on the Vulkan backend", () => {
  it("offloads layers to the GPU, says so, and completes exactly as on CPU", async () => {
    const api = await activateExtension();
    assert.equal((await api.ready).state, "unloaded", "the model loads on first use");
    const editor = await openInEditor("src/gpu.ts", "function add(a, b) {\n  \n}\n");
    editor.selection = new vscode.Selection(1, 2, 1, 2);
    assert.equal(await triggerAndAcceptInlineSuggestion(editor), "function add(a, b) {\n  return a + b;\n}\n");

    const status = api.status();
    assert.equal(status.state, "ready", status.message);
    assert.equal(status.model?.backend, "vulkan");
    assert.ok((status.model?.gpuLayers ?? 0) > 0, `layers offloaded: ${status.model?.gpuLayers}`);
    assert.equal(status.model?.gpuLayers, status.model?.totalLayers);
    assert.match(api.statusBarText(), /Vulkan \d+\/\d+$/);
  });
});
