"use strict";
const assert = require("assert");
const vscode = require("vscode");

suite("e2e harness self-test", () => {
  test("the extension activates and sees the environment given to the host", async () => {
    const extension = vscode.extensions.getExtension("pocket-coder.harness-selftest");
    assert.ok(extension, "extension is loaded from extensionDevelopmentPath");
    const api = await extension.activate();
    assert.strictEqual(extension.isActive, true);
    assert.strictEqual(api.testModel, "tiny-test-model.gguf");
  });

  test("the workspace folder is open", () => {
    const folders = (vscode.workspace.workspaceFolders || []).map((f) => f.uri.fsPath);
    assert.deepStrictEqual(folders, [process.env.SELFTEST_WORKSPACE]);
  });

  test("the run's user settings apply", () => {
    assert.strictEqual(vscode.workspace.getConfiguration("selftest").get("marker"), 42);
    const quickSuggestions = vscode.workspace.getConfiguration("editor").get("quickSuggestions");
    assert.deepStrictEqual(quickSuggestions, { other: "off", comments: "off", strings: "off" });
  });

  test("an inline suggestion is inserted on commit", async () => {
    const document = await vscode.workspace.openTextDocument({ language: "plaintext", content: "say: " });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(0, 5, 0, 5);
    // Ghost text appears asynchronously after the trigger; commit does nothing until it has.
    for (let attempt = 0; attempt < 50 && !document.getText().includes("hello"); attempt++) {
      await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
      await new Promise((resolve) => setTimeout(resolve, 100));
      await vscode.commands.executeCommand("editor.action.inlineSuggest.commit");
    }
    assert.strictEqual(document.getText(), "say: hello from the harness");
  });

  if (process.env.SELFTEST_FAIL === "1") {
    test("a deliberately failing assertion (must make the run exit non-zero)", () => {
      assert.strictEqual(1 + 1, 3);
    });
  }
});
