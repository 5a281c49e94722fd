import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CancellationTokenSource } from "vscode-languageserver/node";
import { abortSignalOf } from "../../src/server/lsp/abortSignalOf";

describe("abortSignalOf", () => {
  test("follows a later cancellation", () => {
    const source = new CancellationTokenSource();
    const { signal } = abortSignalOf(source.token);
    assert.equal(signal.aborted, false);
    source.cancel();
    assert.equal(signal.aborted, true);
  });

  test("a token cancelled before it was first read is already aborted (its event never fires)", () => {
    const source = new CancellationTokenSource();
    source.cancel();
    assert.equal(abortSignalOf(source.token).signal.aborted, true);
  });
});
