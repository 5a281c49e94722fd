import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { buildContextWindow, LINE_CUT_QUANTUM, type ContextWindowOptions } from "../../../src/server/completion/contextWindow";

/** A deterministic stand-in tokenizer: words, single punctuation marks and whitespace runs are one token each. */
function fakeCount(text: string): number {
  return text.match(/\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu)?.length ?? 0;
}

/** Wraps a counter to record how much text it was given. */
function metered(count: (t: string) => number = fakeCount) {
  const m = { calls: 0, chars: 0, count: (t: string) => { m.calls++; m.chars += t.length; return count(t); } };
  return m;
}

function opts(prefixTokens: number, suffixTokens: number, extra: Partial<ContextWindowOptions> = {}): ContextWindowOptions {
  return { prefixTokens, suffixTokens, countTokens: fakeCount, ...extra };
}

function makeDoc(lines: number, make: (i: number) => string = (i) => `  const value${i} = compute(${i}, "item ${i}");`): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(make(i));
  return out.join("\n") + "\n";
}

/** `repeat` builds a rope that V8 flattens on first access (a one-off 50 MB copy); editors hold flat strings. */
function flat(s: string): string {
  s.charCodeAt(s.length >> 1);
  return s;
}

function bestOf3(run: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    run();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** Offset of column `col` on line `line` (0-based). */
function offsetOf(doc: string, line: number, col: number): number {
  let at = 0;
  for (let i = 0; i < line; i++) at = doc.indexOf("\n", at) + 1;
  return at + col;
}

describe("buildContextWindow: small documents", () => {
  test("everything fits: the pieces reassemble the document", () => {
    const doc = "import a\n\nfunction f() {\n  return g(1, 2);\n}\n";
    const cursor = doc.indexOf("g(1");
    const w = buildContextWindow(doc, cursor, opts(1000, 1000));
    assert.equal(w.prefixBeforeLine, "import a\n\nfunction f() {\n");
    assert.equal(w.linePrefix, "  return ");
    assert.equal(w.lineSuffix, "g(1, 2);");
    assert.equal(w.suffix, "g(1, 2);\n}\n");
    assert.equal(w.prefixBeforeLine + w.linePrefix + w.suffix, doc);
    assert.equal(w.prefixTruncated, false);
    assert.equal(w.suffixTruncated, false);
    assert.equal(w.prefixStart, 0);
    assert.equal(w.suffixEnd, doc.length);
  });

  test("edges: empty document, cursor at start and at end, offsets out of range", () => {
    const empty = buildContextWindow("", 0, opts(10, 10));
    assert.deepEqual([empty.prefixBeforeLine, empty.linePrefix, empty.lineSuffix, empty.suffix], ["", "", "", ""]);
    const doc = "a\nb\nc";
    const atStart = buildContextWindow(doc, 0, opts(10, 10));
    assert.deepEqual([atStart.prefixBeforeLine, atStart.linePrefix, atStart.lineSuffix, atStart.suffix], ["", "", "a", "a\nb\nc"]);
    const atEnd = buildContextWindow(doc, doc.length, opts(10, 10));
    assert.deepEqual([atEnd.prefixBeforeLine, atEnd.linePrefix, atEnd.lineSuffix, atEnd.suffix], ["a\nb\n", "c", "", ""]);
    const beyond = buildContextWindow(doc, 99, opts(10, 10));
    assert.equal(beyond.linePrefix, "c");
    const negative = buildContextWindow(doc, -5, opts(10, 10));
    assert.equal(negative.suffix, doc);
  });

  test("CRLF: the line suffix has no \\r, the suffix keeps the document's line breaks", () => {
    const doc = "a = 1\r\nb = f(x)\r\nc = 3\r\n";
    const w = buildContextWindow(doc, doc.indexOf("(x") + 1, opts(100, 100));
    assert.equal(w.linePrefix, "b = f(");
    assert.equal(w.lineSuffix, "x)");
    assert.equal(w.suffix, "x)\r\nc = 3\r\n");
    assert.equal(w.prefixBeforeLine, "a = 1\r\n");
  });
});

describe("buildContextWindow: budgets", () => {
  const doc = makeDoc(2000);
  const cursor = offsetOf(doc, 1000, 8);

  test("prefix: whole lines, within budget, nearly full", () => {
    const w = buildContextWindow(doc, cursor, opts(300, 100, { shareUnusedBudget: false }));
    assert.ok(w.prefixBeforeLine.endsWith("\n"));
    assert.equal(doc[w.prefixStart - 1], "\n", "starts at a line start");
    const n = fakeCount(w.prefixBeforeLine);
    assert.ok(n <= 300, `prefix has ${n} tokens`);
    const lineTokens = fakeCount(makeDoc(1).trim()) + 1;
    assert.ok(n > 300 - lineTokens - 2, `prefix has only ${n} tokens`);
    assert.equal(w.prefixTokenCount, n);
    assert.equal(w.linePrefix, "  const ");
    assert.ok(w.prefixTruncated);
  });

  test("suffix: starts with the line suffix, ends after a whole line, within budget", () => {
    const w = buildContextWindow(doc, cursor, opts(100, 250, { shareUnusedBudget: false }));
    assert.ok(w.suffix.startsWith(w.lineSuffix + "\n"));
    assert.ok(w.suffix.endsWith("\n"));
    const n = fakeCount(w.suffix);
    assert.ok(n <= 250 && n > 200, `suffix has ${n} tokens`);
    assert.ok(w.suffixTruncated);
    assert.equal(w.lineSuffix, "value1000 = compute(1000, \"item 1000\");");
  });

  test("more prefix than suffix when asked: budgets are honoured independently", () => {
    const w = buildContextWindow(doc, cursor, opts(600, 150));
    assert.ok(fakeCount(w.prefixBeforeLine) > 2 * fakeCount(w.suffix));
  });

  test("near the start of the document, unused prefix budget goes to the suffix", () => {
    const c = offsetOf(doc, 3, 4);
    const shared = buildContextWindow(doc, c, opts(400, 100));
    const alone = buildContextWindow(doc, c, opts(400, 100, { shareUnusedBudget: false }));
    assert.equal(shared.prefixStart, 0);
    assert.ok(fakeCount(alone.suffix) <= 100);
    assert.ok(fakeCount(shared.suffix) > 300, `suffix got ${fakeCount(shared.suffix)} tokens`);
    assert.ok(fakeCount(shared.suffix) + fakeCount(shared.prefixBeforeLine) <= 500);
  });

  test("near the end of the document, unused suffix budget goes to the prefix", () => {
    const c = offsetOf(doc, 1998, 4);
    const shared = buildContextWindow(doc, c, opts(100, 400));
    assert.equal(shared.suffixEnd, doc.length);
    assert.ok(fakeCount(shared.prefixBeforeLine) > 300, `prefix got ${fakeCount(shared.prefixBeforeLine)} tokens`);
    assert.ok(fakeCount(shared.prefixBeforeLine) + fakeCount(shared.suffix) <= 500);
  });

  test("zero budgets: no prefix or suffix, but the cursor line is still known", () => {
    const w = buildContextWindow(doc, cursor, opts(0, 0));
    assert.equal(w.prefixBeforeLine, "");
    assert.equal(w.suffix, "");
    assert.equal(w.linePrefix, "  const ");
    assert.equal(w.lineSuffix, "value1000 = compute(1000, \"item 1000\");");
  });

  test("a suffix budget smaller than the rest of the line takes its head; lineSuffix stays whole", () => {
    const w = buildContextWindow(doc, cursor, opts(50, 5, { shareUnusedBudget: false }));
    assert.ok(fakeCount(w.suffix) <= 5 && w.suffix.length > 0);
    assert.ok(w.lineSuffix.startsWith(w.suffix));
    assert.equal(w.lineSuffix, "value1000 = compute(1000, \"item 1000\");");
  });

  test("a tokenizer that is not additive over lines still never exceeds the budget", () => {
    // Every counted piece costs 7 extra tokens: sums of chunks overestimate, whole counts are exact.
    const lumpy = (t: string) => fakeCount(t) + 7;
    for (const budget of [50, 137, 500]) {
      const w = buildContextWindow(doc, cursor, opts(budget, budget, { countTokens: lumpy, shareUnusedBudget: false }));
      assert.ok(lumpy(w.prefixBeforeLine) <= budget + 7 && fakeCount(w.prefixBeforeLine) <= budget, `prefix over ${budget}`);
      assert.ok(fakeCount(w.suffix) <= budget, `suffix over ${budget}`);
    }
  });
});

describe("buildContextWindow: stability while typing (KV-cache reuse)", () => {
  test("typing on the cursor line changes only linePrefix", () => {
    const doc = makeDoc(500);
    const cursor = offsetOf(doc, 250, 10);
    const before = buildContextWindow(doc, cursor, opts(400, 200));
    let typedDoc = doc;
    let at = cursor;
    for (const ch of "foo(bar, ") {
      typedDoc = typedDoc.slice(0, at) + ch + typedDoc.slice(at);
      at++;
      const w = buildContextWindow(typedDoc, at, opts(400, 200));
      assert.equal(w.prefixBeforeLine, before.prefixBeforeLine);
      assert.equal(w.suffix, before.suffix);
      assert.equal(w.lineSuffix, before.lineSuffix);
      assert.ok(w.linePrefix.startsWith(before.linePrefix));
    }
  });

  test("after Enter, the chunks counted above the cursor are mostly the texts counted before (a counter's cache hits)", () => {
    const doc = makeDoc(500);
    const cursor = doc.indexOf("\n", offsetOf(doc, 250, 0));
    const seen = new Set<string>();
    buildContextWindow(doc, cursor, opts(1024, 256, { countTokens: (text) => { seen.add(text); return fakeCount(text); } }));
    const entered = doc.slice(0, cursor) + "\n  " + doc.slice(cursor);
    let newChars = 0;
    let allChars = 0;
    buildContextWindow(entered, cursor + 3, opts(1024, 256, {
      countTokens: (text) => {
        allChars += text.length;
        if (!seen.has(text)) newChars += text.length;
        return fakeCount(text);
      },
    }));
    // What is left: the chunk from the last grid point to the cursor line, the window's top, and one exact recount.
    assert.ok(newChars < 0.6 * allChars, `${newChars} of ${allChars} characters counted anew`);
  });

  test("on a too-long cursor line the cut moves in steps of LINE_CUT_QUANTUM, and the lines above stay", () => {
    const longLine = "x = [" + Array.from({ length: 3000 }, (_, i) => String(i)).join(", ");
    const doc = "import a\nimport b\n" + longLine + "\nprint(x)\n";
    const lineStart = doc.indexOf("x = [");
    const starts = new Set<number>();
    for (let cursor = lineStart + 9000; cursor < lineStart + 9000 + 40; cursor++) {
      const w = buildContextWindow(doc, cursor, opts(200, 100, { linePrefixTokens: 256 }));
      assert.ok(fakeCount(w.linePrefix) <= 256);
      assert.equal(w.prefixBeforeLine, "import a\nimport b\n");
      assert.equal((w.lineStart - 0) % LINE_CUT_QUANTUM, 0);
      starts.add(w.lineStart);
    }
    assert.ok(starts.size <= 2, `cut moved ${starts.size} times in 40 keystrokes`);
  });
});

describe("buildContextWindow: cost on huge documents", () => {
  test("50 MB of ordinary code: only text near the cursor is counted", () => {
    const line = "    result = transform(data[index], options.scale, options.offset)  # keep\n";
    const doc = flat(line.repeat(Math.ceil((50 * 1024 * 1024) / line.length)));
    const m = metered();
    const w = buildContextWindow(doc, Math.floor(doc.length / 2) + 10, { prefixTokens: 1024, suffixTokens: 256, countTokens: m.count });
    assert.ok(m.chars < 64 * 1024, `counted ${m.chars} characters`);
    assert.ok(m.calls < 40, `${m.calls} count calls`);
    assert.ok(fakeCount(w.prefixBeforeLine) <= 1024 && fakeCount(w.prefixBeforeLine) > 900);
    // Best of three (GC pauses aside): a scan over the whole 50 MB would take longer than this on its own.
    const ms = bestOf3(() => buildContextWindow(doc, Math.floor(doc.length / 3), { prefixTokens: 1024, suffixTokens: 256, countTokens: fakeCount }));
    assert.ok(ms < 25, `took ${ms.toFixed(1)} ms`);
  });

  test("a 5 MB single-line (minified) document: capped line, no prefix, bounded work", () => {
    const doc = flat("var a=function(){return 1};".repeat(200_000));
    const m = metered();
    const w = buildContextWindow(doc, Math.floor(doc.length / 2), { prefixTokens: 1024, suffixTokens: 256, countTokens: m.count });
    assert.equal(w.prefixBeforeLine, "");
    assert.ok(fakeCount(w.linePrefix) <= 256 && w.linePrefix.length > 100);
    assert.ok(fakeCount(w.lineSuffix) <= 256 && w.lineSuffix.length > 100);
    assert.equal(w.suffix, w.lineSuffix);
    assert.ok(m.chars < 64 * 1024, `counted ${m.chars} characters`);
    const ms = bestOf3(() => buildContextWindow(doc, Math.floor(doc.length / 3), { prefixTokens: 1024, suffixTokens: 256, countTokens: fakeCount }));
    assert.ok(ms < 25, `took ${ms.toFixed(1)} ms`);
  });

  test("a huge line above the cursor ends the prefix there", () => {
    const doc = "header\n" + "z".repeat(2_000_000) + "\nline a\nline b\nlin";
    const w = buildContextWindow(doc, doc.length, opts(1000, 100));
    assert.equal(w.prefixBeforeLine, "line a\nline b\n");
    assert.equal(w.linePrefix, "lin");
  });

  test("surrogate pairs are never split by a cut", () => {
    const doc = "😀".repeat(5000);
    const w = buildContextWindow(doc, 5000, opts(10, 10, { linePrefixTokens: 20, lineSuffixTokens: 20 }));
    assert.ok(!/^[\uDC00-\uDFFF]/.test(w.linePrefix));
    assert.ok(!/[\uD800-\uDBFF]$/.test(w.lineSuffix));
  });
});
