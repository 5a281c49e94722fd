"use strict";
// Offers one fixed inline completion everywhere, and shows a status bar item once active so UI
// tests know when typing will get ghost text.
const vscode = require("vscode");

const SUGGESTION = "hello from the harness";

function activate(context) {
  context.subscriptions.push(
    vscode.languages.registerInlineCompletionItemProvider(
      [{ scheme: "file" }, { scheme: "untitled" }],
      {
        provideInlineCompletionItems(_document, position) {
          return [new vscode.InlineCompletionItem(SUGGESTION, new vscode.Range(position, position))];
        },
      },
    ),
  );
  const ready = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right);
  ready.text = "selftest ready";
  ready.show();
  context.subscriptions.push(ready);
  // Returned as the extension's API so the suite can check what the extension host saw.
  return { suggestion: SUGGESTION, testModel: process.env.POCKET_CODER_TEST_MODEL };
}

module.exports = { activate, deactivate() {} };
