// Runs inside a real VS Code extension host: "Pocket Coder: Explain Selection" with designed chat models.
//
// Needs (set by the runner):
//   pocketCoder.model.path          the FIM fixture (fimModel), for completion
//   pocketCoder.explain.model.path  the chat fixture (chatModel): answers CHAT_ANSWER to any ChatML prompt
//   pocketCoder.gpu "cpu", pocketCoder.threads 1
//   env POCKET_CODER_XSS_MODEL      the XSS chat fixture (xssChatModel): answers XSS_ANSWER
//   env POCKET_CODER_E2E_SUITE      "explain"
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import type { PocketCoderApi } from "../../../src/extension/api";
import type { ExplainRunResult } from "../../../src/extension/explain/explainCommand";
import { activateExtension, delay, EXTENSION_ID, openInEditor, setting, updateSetting } from "./vscodeHelpers";

const CHAT_ANSWER = "This function adds two numbers.\n\n```js\nadd(1, 2); // 3\n```";
const XSS_ANSWER = "Beware: <img src=x onerror=alert(1)> is shown as text.";
const INJECTION = "<img src=x onerror=alert(1)>";
const ADD = "function add(a, b) {\n  return a + b;\n}\n";
/** ~3,000 prompt tokens for the tiny model: long enough to stop or replace mid-prompt. */
const LONG = `${"let filler = 1;\n".repeat(190)}${ADD}`;

function explainSelection(): Thenable<ExplainRunResult> {
  return vscode.commands.executeCommand<ExplainRunResult>("pocketCoder.explainSelection");
}

function selectAll(editor: vscode.TextEditor): void {
  const last = editor.document.lineAt(editor.document.lineCount - 1);
  editor.selection = new vscode.Selection(0, 0, last.lineNumber, last.text.length);
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await delay(10);
  }
}

describe("Pocket Coder: Explain Selection in VS Code", () => {
  let api: PocketCoderApi;
  let explainModel: string;

  before(async () => {
    api = await activateExtension();
    const status = await api.ready;
    assert.equal(status.state, "unloaded", status.message);
    explainModel = setting<string>("explain.model.path") ?? "";
    assert.notEqual(explainModel, "", "the runner sets pocketCoder.explain.model.path to the chat fixture");
  });

  it("contributes the command, its editor menu entry and a keybinding", async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      contributes: {
        commands: Array<{ command: string; title: string; category?: string }>;
        menus: Record<string, Array<{ command: string; when?: string }>>;
        keybindings: Array<{ command: string; key: string; mac?: string; when?: string }>;
      };
    };
    const command = manifest.contributes.commands.find((entry) => entry.command === "pocketCoder.explainSelection");
    assert.deepEqual(command, { command: "pocketCoder.explainSelection", title: "Explain Selection", category: "Pocket Coder" });
    assert.equal(manifest.contributes.menus["editor/context"]?.find((entry) => entry.command === "pocketCoder.explainSelection")?.when, "editorHasSelection");
    assert.ok(manifest.contributes.menus["commandPalette"]?.some((entry) => entry.command === "pocketCoder.explainSelection"));
    const keybinding = manifest.contributes.keybindings.find((entry) => entry.command === "pocketCoder.explainSelection");
    assert.equal(keybinding?.key, "shift+alt+e");
    assert.ok((await vscode.commands.getCommands(true)).includes("pocketCoder.explainSelection"));
  });

  it("explains the selection: the panel shows the model's explanation", async () => {
    const editor = await openInEditor("src/explain-add.js", ADD);
    editor.selection = new vscode.Selection(0, 0, 2, 1);
    const result = await explainSelection();
    assert.deepEqual(result, { outcome: "done", text: CHAT_ANSWER });
    const shown = await api.explainPanelText();
    assert.ok(shown.includes("This function adds two numbers."), shown);
    assert.ok(shown.includes("add(1, 2); // 3"), shown);
    assert.equal(api.explainPanel()?.markdown, CHAT_ANSWER);
  });

  it("without a selection, explains the code around the cursor", async () => {
    const editor = await openInEditor("src/explain-cursor.js", `const x = 1;\n\n${ADD}`);
    editor.selection = new vscode.Selection(3, 4, 3, 4);
    const result = await explainSelection();
    assert.equal(result.outcome, "done");
    assert.equal(result.text, CHAT_ANSWER);
  });

  it("an empty file: a message, no explanation", async () => {
    await openInEditor("src/explain-empty.js", "");
    const result = await explainSelection();
    assert.equal(result.outcome, "nothing");
    assert.match(result.message ?? "", /empty/);
  });

  it("Stop ends a running explanation, and the panel says it stopped", async () => {
    const editor = await openInEditor("src/explain-stop.js", LONG);
    selectAll(editor);
    const running = explainSelection();
    await waitUntil(() => api.explainPanel()?.isStreaming === true, "the explanation to start");
    api.stopExplanation();
    assert.equal(api.explainPanel()?.isStreaming, false, "the spinner stops at once");
    const result = await running;
    assert.equal(result.outcome, "stopped");
    assert.equal(result.text, "");
    assert.equal(await api.explainPanelText(), "");
  });

  it("a newer explanation replaces the running one", async () => {
    const longEditor = await openInEditor("src/explain-older.js", LONG);
    selectAll(longEditor);
    const older = explainSelection();
    await waitUntil(() => api.explainPanel()?.isStreaming === true, "the first explanation to start");
    const editor = await openInEditor("src/explain-newer.js", ADD);
    selectAll(editor);
    const newer = await explainSelection();
    assert.equal((await older).outcome, "stopped");
    assert.deepEqual(newer, { outcome: "done", text: CHAT_ANSWER });
  });

  it("closing the panel cancels the explanation", async () => {
    const editor = await openInEditor("src/explain-close.js", LONG);
    selectAll(editor);
    const running = explainSelection();
    await waitUntil(() => api.explainPanel()?.isStreaming === true, "the explanation to start");
    api.explainPanel()?.dispose();
    assert.equal((await running).outcome, "stopped");
  });

  it("\"Explain this problem\" is offered on a diagnostic and explains it", async () => {
    const editor = await openInEditor("src/explain-problem.js", ADD);
    const diagnostics = vscode.languages.createDiagnosticCollection("explain-e2e");
    try {
      const range = new vscode.Range(1, 9, 1, 14);
      diagnostics.set(editor.document.uri, [new vscode.Diagnostic(range, "'a' is possibly undefined.", vscode.DiagnosticSeverity.Error)]);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>("vscode.executeCodeActionProvider", editor.document.uri, range);
      const explain = actions.find((action) => action.title === "Explain this problem (Pocket Coder)");
      assert.ok(explain?.command, `offered: ${actions.map((action) => action.title).join(", ")}`);
      const result = await vscode.commands.executeCommand<ExplainRunResult>(explain.command.command, ...(explain.command.arguments ?? []));
      assert.deepEqual(result, { outcome: "done", text: CHAT_ANSWER });
    } finally {
      diagnostics.dispose();
    }
  });

  it("model output containing HTML is shown as text, never as markup", async () => {
    const xssModel = process.env["POCKET_CODER_XSS_MODEL"];
    assert.ok(xssModel, "the runner sets POCKET_CODER_XSS_MODEL to the XSS chat fixture");
    await updateSetting("explain.model.path", xssModel);
    try {
      const editor = await openInEditor("src/explain-xss.js", ADD);
      editor.selection = new vscode.Selection(0, 0, 2, 1);
      // The server applies the new setting after pulling the configuration: explain until its model answers.
      let result = await explainSelection();
      for (const deadline = Date.now() + 30_000; result.text !== XSS_ANSWER && Date.now() < deadline;) {
        await delay(250);
        result = await explainSelection();
      }
      assert.deepEqual(result, { outcome: "done", text: XSS_ANSWER });
      const shown = await api.explainPanelText();
      // The tag is visible as text: had it become an element, its markup would not be in the text content.
      assert.ok(shown.includes(INJECTION), shown);
      assert.equal(shown.trim(), XSS_ANSWER);
    } finally {
      await updateSetting("explain.model.path", explainModel);
    }
  });
});
