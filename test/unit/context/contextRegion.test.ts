import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ContextRegion, type ContextCandidate } from "../../../src/server/context/ContextRegion";

const countTokens = (text: string) => Math.ceil(text.length / 4);

function candidate(key: string, uri: string, startLine: number, endLine: number, text = `${key} text\n`): ContextCandidate {
  return { key, kind: "definition", uri, path: uri, startLine, endLine, text };
}

describe("ContextRegion: budget and stable order", () => {
  test("takes candidates in priority order within the budget; new ones go last, most wanted nearest the code", () => {
    const region = new ContextRegion();
    const first = region.choose([candidate("a", "x", 0, 1), candidate("b", "y", 0, 1), candidate("c", "z", 0, 1)], 1000, countTokens);
    assert.deepEqual(first.chosen.map((c) => c.key), ["c", "b", "a"]);
    assert.deepEqual(first.files.at(-1), { path: "x", text: "a text\n" });
  });

  test("a chunk chosen again keeps its place; a new one is appended; a dropped one just leaves", () => {
    const region = new ContextRegion();
    region.choose([candidate("a", "x", 0, 1), candidate("b", "y", 0, 1), candidate("c", "z", 0, 1)], 1000, countTokens);
    const next = region.choose([candidate("d", "w", 0, 1), candidate("a", "x", 0, 1), candidate("c", "z", 0, 1)], 1000, countTokens);
    assert.deepEqual(next.chosen.map((c) => c.key), ["c", "a", "d"]);
  });

  test("what does not fit is skipped, smaller later candidates may still fit", () => {
    const region = new ContextRegion();
    const big = candidate("big", "x", 0, 9, "x".repeat(400));
    const choice = region.choose([candidate("a", "y", 0, 1), big, candidate("b", "z", 0, 1)], 20, countTokens);
    assert.deepEqual(choice.chosen.map((c) => c.key).sort(), ["a", "b"]);
    assert.ok(choice.tokens <= 20);
  });

  test("overlapping chunks of one file, chunks inside the cursor's window, and repeated text count once", () => {
    const region = new ContextRegion();
    const choice = region.choose([
      candidate("def", "x", 10, 20),
      candidate("ranked", "x", 15, 30),
      candidate("window", "current", 40, 50),
      candidate("copy", "y", 0, 1, "def text\n"),
      candidate("other", "x", 21, 25),
    ], 1000, countTokens, { uri: "current", startLine: 30, endLine: 60 });
    assert.deepEqual(choice.chosen.map((c) => c.key), ["other", "def"]);
  });
});
