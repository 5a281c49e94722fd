// Documents an editor may open that a careless server chokes on: odd `file:` URIs, untitled, remote and
// virtual documents, and positions outside the text. None may break completion or explain for the others.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FIM_COMPLETION } from "../fixtures/fixtureModels";
import { startChatModelServer } from "./chatModelServer";
import { fileUri, type LspTestClient } from "./LspTestClient";

const ADD = "function add(a, b) {\n  \n}\n";

describe("odd documents never break requests", () => {
  let client: LspTestClient;

  before(async () => {
    client = await startChatModelServer();
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  test("file URIs with a host, an encoded slash or a malformed escape stay open beside working documents", async () => {
    // Each of these made fileURLToPath throw for every request while the document was open.
    for (const uri of ["file://fileserver/share/remote.ts", "file:///tmp/a%2Fb.ts", "file:///tmp/100%25%zz.ts"]) {
      await client.open(uri, ADD);
      assert.equal((await client.complete(uri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION, uri);
    }
    const normal = fileUri("src/normal.ts");
    await client.open(normal, ADD);
    assert.equal((await client.complete(normal, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);
    const explained = await client.explain({ textDocument: { uri: normal }, range: { start: { line: 0, character: 0 }, end: { line: 2, character: 1 } } });
    assert.equal(explained.error, undefined, explained.error?.message);
    assert.equal(explained.result?.stopReason, "done");
  });

  test("untitled, remote and virtual documents complete", async () => {
    for (const uri of ["untitled:Untitled-1", "vscode-remote://ssh-remote%2Bbox/srv/app/main.ts", "vscode-vfs://github/owner/repo/src/a.ts"]) {
      await client.open(uri, ADD);
      assert.equal((await client.complete(uri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION, uri);
    }
  });

  test("a position past the line end or negative is clamped: never an inverted or negative range", async () => {
    const uri = fileUri("src/positions.ts");
    await client.open(uri, "function add(a, b) {\n  \n}\n");
    for (const position of [{ line: 1, character: 500 }, { line: 1, character: -3 }, { line: -1, character: 0 }, { line: 99, character: 7 }]) {
      for (const item of await client.complete(uri, position)) {
        const range = item.range;
        assert.ok(range !== undefined, JSON.stringify(item));
        for (const end of [range.start, range.end]) {
          assert.ok(end.line >= 0 && end.character >= 0, `negative position ${JSON.stringify(range)} for ${JSON.stringify(position)}`);
        }
        const ordered = range.start.line < range.end.line || (range.start.line === range.end.line && range.start.character <= range.end.character);
        assert.ok(ordered, `inverted range ${JSON.stringify(range)} for ${JSON.stringify(position)}`);
        assert.ok(range.start.line <= 3 && range.start.character <= "function add(a, b) {".length, JSON.stringify(range));
      }
    }
    // Line 1 is "  ": past its end is its end, where the completion goes.
    const [clamped] = await client.complete(uri, { line: 1, character: 500 });
    assert.deepEqual(clamped?.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 2 } });
    assert.equal(clamped?.insertText, FIM_COMPLETION);
  });
});
