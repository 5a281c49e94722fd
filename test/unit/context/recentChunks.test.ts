import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { jaccard, RecentChunks } from "../../../src/server/context/RecentChunks";

const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix} line ${i}`);

function ringWith(files: Record<string, string[]>, capacity = 3) {
  return new RecentChunks((uri) => files[uri], { capacity, chunkLines: 6, maxChunkChars: 1000, nearLines: 4, similarity: 0.9 });
}

describe("RecentChunks (ring buffer of recent edits and views)", () => {
  test("an edit stays pending while the user keeps working there, and is committed when they edit elsewhere", () => {
    const ring = ringWith({ a: numbered("a", 100) });
    ring.edited("a", 10, 10);
    ring.edited("a", 12, 12);
    assert.equal(ring.all.length, 0, "nearby edits only extend the pending place");
    ring.edited("a", 60, 60);
    assert.equal(ring.all.length, 1);
    const chunk = ring.all[0]!;
    assert.ok(chunk.startLine <= 10 && chunk.endLine >= 12, `${chunk.startLine}-${chunk.endLine} covers the edits`);
    assert.equal(chunk.kind, "edit");
    assert.ok(chunk.text.includes("a line 11"));
  });

  test("completing in another document commits the pending edits of the others, not its own", () => {
    const ring = ringWith({ a: numbered("a", 40), b: numbered("b", 40) });
    ring.edited("a", 5, 5);
    ring.edited("b", 20, 20);
    ring.settleExcept("b");
    assert.deepEqual(ring.all.map((chunk) => chunk.uri), ["a"]);
  });

  test("new chunks go last, the oldest falls off the front at capacity", () => {
    const ring = ringWith({ a: numbered("a", 200) });
    for (const line of [10, 50, 90, 130]) ring.viewed("a", line, line + 3);
    assert.equal(ring.all.length, 3);
    assert.deepEqual(ring.all.map((chunk) => [50, 90, 130].find((line) => chunk.text.includes(`a line ${line}\n`))), [50, 90, 130]);
    assert.ok(!ring.all.some((chunk) => chunk.text.includes("a line 11\n")), "the oldest chunk is gone");
  });

  test("a chunk overlapping or nearly equal to an older one replaces it, at the end", () => {
    const files = { a: numbered("a", 100), b: numbered("a", 100) };
    const ring = ringWith(files);
    ring.viewed("a", 10, 14);
    ring.viewed("a", 40, 44);
    ring.viewed("a", 12, 16);
    assert.equal(ring.all.length, 2);
    assert.ok(ring.all[1]!.text.includes("a line 14"), "the newer view of the same place is last");
    ring.viewed("b", 40, 44);
    assert.equal(ring.all.length, 2, "a copy of the same lines in another file counts once");
    assert.equal(ring.all.at(-1)!.uri, "b");
  });

  test("a snapshot is kept: later edits of the file do not change a committed chunk", () => {
    const lines = numbered("a", 50);
    const ring = ringWith({ a: lines });
    ring.viewed("a", 20, 25);
    const before = ring.all[0]!.text;
    lines[22] = "changed";
    assert.equal(ring.all[0]!.text, before);
  });

  test("forget drops a document's chunks; blank or tiny places are not kept", () => {
    const ring = ringWith({ a: numbered("a", 50), blank: ["", "", "", "", ""] });
    ring.viewed("a", 1, 4);
    ring.viewed("blank", 0, 4);
    assert.equal(ring.all.length, 1);
    ring.forget("a");
    assert.equal(ring.all.length, 0);
  });

  test("jaccard similarity of line sets", () => {
    assert.equal(jaccard(["a", "b"], ["a", "b"]), 1);
    assert.equal(jaccard(["a", "b"], ["b", "c"]), 1 / 3);
    assert.equal(jaccard(["a"], ["b"]), 0);
  });
});
