import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { TextDocument } from "vscode-languageserver-textdocument";
import { EditTracker } from "../../../src/server/lsp/contextFeature";

describe("EditTracker", () => {
  test("reports the lines each ranged change touched, a paste's inserted lines included; a full replacement is no edit", () => {
    const edits: Array<[string, number, number]> = [];
    const tracker = new EditTracker();
    tracker.listener = (uri, first, last) => edits.push([uri, first, last]);
    const configuration = tracker.configuration(TextDocument);
    let document = configuration.create("file:///a.ts", "typescript", 1, "one\ntwo\nthree\n");
    document = configuration.update(document, [{ range: { start: { line: 1, character: 3 }, end: { line: 1, character: 3 } }, text: "!" }], 2);
    document = configuration.update(document, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: "a\nb\nc\n" }], 3);
    document = configuration.update(document, [{ text: "replaced\n" }], 4);
    assert.deepEqual(edits, [["file:///a.ts", 1, 1], ["file:///a.ts", 2, 5]]);
    assert.equal(document.getText(), "replaced\n");
  });
});
