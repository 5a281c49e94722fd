// Runs inside a real VS Code extension host (code-server ships TypeScript's built-in language features): completion
// context from the editor's language services. The server's side (reading a declaration into the prompt) is tested
// over LSP in test/lsp/context.test.ts; here the real TypeScript language service answers, through the extension.
import * as assert from "node:assert/strict";
import * as vscode from "vscode";
import { findDefinitions } from "../../../src/extension/editorContext";
import { activateExtension, delay, openInEditor, triggerAndAcceptInlineSuggestion } from "./vscodeHelpers";

const GREET = "export function greet(name: string): string {\n  return `Hello, ${name}!`;\n}\n";
const MAIN = "import { greet } from './greet';\n\nconst message = greet('Ada');\nfunction add(a, b) {\n  \n}\n";

describe("completion context from VS Code's language services", () => {
  before(async () => {
    // Checked at startup; the first suggestion loads it.
    const status = await (await activateExtension()).ready;
    assert.equal(status.state, "unloaded", status.message);
  });

  it("TypeScript's definition provider answers pocketCoder/definitions with the whole declaration in another file", async () => {
    await openInEditor("src/greet.ts", GREET);
    const editor = await openInEditor("src/main.ts", MAIN);
    const at = { line: 2, character: MAIN.split("\n")[2]!.indexOf("greet") };
    // TypeScript's server starts with the first TypeScript file (half a minute on a loaded machine): ask until it answers.
    const params = { textDocument: { uri: editor.document.uri.toString(), version: editor.document.version }, positions: [at] };
    const deadline = Date.now() + 100_000;
    let answer = await findDefinitions(params);
    while (Date.now() < deadline && !answer.definitions.some((d) => d.uri.endsWith("/src/greet.ts"))) {
      await delay(500);
      answer = await findDefinitions(params);
    }
    const definition = answer.definitions.find((d) => d.kind === "definition" && d.uri.endsWith("/src/greet.ts"));
    assert.ok(definition, JSON.stringify(answer));
    assert.equal(definition.from, 0);
    assert.deepEqual([definition.range.start.line, definition.range.end.line], [0, 2], "the target range is the whole function, not just its name");
  });

  it("while VS Code asks for a suggestion, the server asks the editor's definition providers about the cursor's lines", async () => {
    const asked: Array<{ uri: string; word: string }> = [];
    // A second provider beside TypeScript's: it records what Pocket Coder's server asked VS Code about.
    const recorder = vscode.languages.registerDefinitionProvider({ language: "typescript" }, {
      provideDefinition(document, position) {
        const range = document.getWordRangeAtPosition(position);
        asked.push({ uri: document.uri.toString(), word: range === undefined ? "" : document.getText(range) });
        return undefined;
      },
    });
    try {
      const editor = await openInEditor("src/uses-greet.ts", "import { greet } from './greet';\nconst message = greet('Grace');\nfunction add(a, b) {\n  \n}\n");
      editor.selection = new vscode.Selection(3, 2, 3, 2);
      const text = await triggerAndAcceptInlineSuggestion(editor);
      assert.match(text, /return a \+ b;/);
      const words = asked.filter((entry) => entry.uri === editor.document.uri.toString()).map((entry) => entry.word);
      assert.ok(words.includes("add"), `the line above the cursor was looked up: ${words.join(", ")}`);
    } finally {
      recorder.dispose();
    }
  });
});
