import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { buildContextWindow } from "../../../src/server/completion/contextWindow";
import { createQwenCoderFamily } from "../../../src/server/completion/fim/qwenCoder";
import { renderPrompt } from "../../../src/server/completion/fim/promptParts";
import { DEFAULT_LAYOUT_LIMITS, planPromptLayout, type PromptAnchor, type PromptLayout, type PromptLayoutLimits } from "../../../src/server/completion/promptLayout";

/** Words, punctuation marks and whitespace runs are one token each. */
function fakeCount(text: string): number {
  return text.match(/\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu)?.length ?? 0;
}

const PREFIX_TOKENS = 400;
const SUFFIX_TOKENS = 100;
const LIMITS: PromptLayoutLimits = { ...DEFAULT_LAYOUT_LIMITS, recentLines: 16, prefixTokens: PREFIX_TOKENS, recentTokens: 256 };
const KEY = "src/main.ts";

/** 300 lines of ~14 tokens: the prefix budget holds about 28 of them. */
function makeDoc(lines = 300): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(`  const value${i} = compute(${i}, "item");`);
  return out.join("\n") + "\n";
}

function lineStartOf(doc: string, line: number): number {
  let offset = 0;
  for (let i = 0; i < line; i++) offset = doc.indexOf("\n", offset) + 1;
  return offset;
}

function plan(doc: string, cursor: number, previous: PromptAnchor | undefined, key = KEY): PromptLayout {
  const window = buildContextWindow(doc, cursor, { prefixTokens: PREFIX_TOKENS, suffixTokens: SUFFIX_TOKENS, countTokens: fakeCount });
  return planPromptLayout(doc, cursor, window, key, previous, LIMITS, fakeCount);
}

/** Which of the head and split were kept (the suffix has tests of its own). */
function boundaries(layout: PromptLayout): { head: boolean; split: boolean } {
  return { head: layout.kept.head, split: layout.kept.split };
}

function lineEnd(doc: string, line: number): number {
  return doc.indexOf("\n", lineStartOf(doc, line));
}

describe("planPromptLayout", () => {
  test("without a previous prompt it is the context window: lines above, then the cursor line's prefix", () => {
    const doc = makeDoc();
    const cursor = lineStartOf(doc, 150) + 8;
    const window = buildContextWindow(doc, cursor, { prefixTokens: PREFIX_TOKENS, suffixTokens: SUFFIX_TOKENS, countTokens: fakeCount });
    const layout = plan(doc, cursor, undefined);
    assert.equal(layout.stablePrefix, window.prefixBeforeLine);
    assert.equal(layout.recentPrefix, "  const ");
    assert.deepEqual(boundaries(layout), { head: false, split: false });
    assert.deepEqual(layout.anchor, {
      documentKey: KEY, head: window.prefixStart, split: lineStartOf(doc, 150), stablePrefix: window.prefixBeforeLine, suffix: window.suffix,
    });
  });

  test("typing on the line and pressing Enter keep the stable prefix: new text only lengthens the recent prefix", () => {
    let doc = makeDoc();
    let cursor = lineEnd(doc, 150);
    const first = plan(doc, cursor, undefined);
    let previous = first.anchor;
    for (const typed of ["\n", "  ", "i", "f", " (x) {", "\n    ", "return 1;", "\n  ", "}"]) {
      doc = doc.slice(0, cursor) + typed + doc.slice(cursor);
      cursor += typed.length;
      const layout = plan(doc, cursor, previous);
      assert.deepEqual(boundaries(layout), { head: true, split: true }, `after ${JSON.stringify(typed)}`);
      assert.equal(layout.stablePrefix, first.stablePrefix);
      assert.equal(layout.recentPrefix, doc.slice(lineStartOf(doc, 150), cursor));
      previous = layout.anchor;
    }
    assert.equal(plan(doc, cursor, previous).recentPrefix, `  const value150 = compute(150, "item");\n  if (x) {\n    return 1;\n  }`);
  });

  test("the split moves to the cursor line once the recent prefix holds more lines than allowed", () => {
    let doc = makeDoc();
    let cursor = lineEnd(doc, 150);
    let previous = plan(doc, cursor, undefined).anchor;
    for (let line = 1; line <= LIMITS.recentLines; line++) {
      doc = doc.slice(0, cursor) + `\n  step(${line});` + doc.slice(cursor);
      cursor = doc.indexOf("\n", cursor + 1);
      const layout = plan(doc, cursor, previous);
      assert.equal(layout.kept.split, true);
      previous = layout.anchor;
    }
    doc = doc.slice(0, cursor) + "\n  done();" + doc.slice(cursor);
    cursor = doc.indexOf("\n", cursor + 1);
    const layout = plan(doc, cursor, previous);
    assert.equal(layout.kept.split, false);
    assert.equal(layout.recentPrefix, "  done();");
    assert.ok(layout.stablePrefix.endsWith(`  step(${LIMITS.recentLines});\n`));
  });

  test("the split moves to the cursor line once the recent prefix is over its token cap", () => {
    const doc = makeDoc();
    const before = plan(doc, lineEnd(doc, 150), undefined);
    // 15 lines of 18 tokens: within the line limit, over the 256-token cap.
    const far = plan(doc, lineEnd(doc, 165), before.anchor);
    assert.equal(far.kept.split, false);
    assert.equal(far.recentPrefix, `  const value165 = compute(165, "item");`);
    const near = plan(doc, lineEnd(doc, 160), before.anchor);
    assert.equal(near.kept.split, true);
  });

  test("moving the cursor up keeps the head, so the new stable prefix is a prefix of the cached one", () => {
    const doc = makeDoc();
    const before = plan(doc, lineEnd(doc, 150), undefined);
    const up = plan(doc, lineEnd(doc, 140), before.anchor);
    assert.deepEqual(boundaries(up), { head: true, split: false });
    assert.ok(before.stablePrefix.startsWith(up.stablePrefix));
    assert.equal(up.anchor?.head, before.anchor?.head);
    assert.equal(up.recentPrefix, `  const value140 = compute(140, "item");`);
  });

  test("moving up so far that the kept head would leave less than half a window starts a fresh window", () => {
    const doc = makeDoc();
    const before = plan(doc, lineEnd(doc, 150), undefined);
    const far = plan(doc, lineEnd(doc, 130), before.anchor);
    assert.deepEqual(boundaries(far), { head: false, split: false });
    const fresh = plan(doc, lineEnd(doc, 130), undefined);
    assert.equal(far.stablePrefix, fresh.stablePrefix);
  });

  test("moving down within the line limit keeps both; beyond the budget the window starts fresh", () => {
    const doc = makeDoc();
    const before = plan(doc, lineEnd(doc, 150), undefined);
    const near = plan(doc, lineEnd(doc, 155), before.anchor);
    assert.deepEqual(boundaries(near), { head: true, split: true });
    assert.equal(near.stablePrefix, before.stablePrefix);
    const far = plan(doc, lineEnd(doc, 190), before.anchor);
    assert.deepEqual(boundaries(far), { head: false, split: false });
    assert.ok(fakeCount(far.stablePrefix) <= PREFIX_TOKENS);
  });

  test("an edit inside the stable prefix, another document, or a cut cursor line start fresh", () => {
    const doc = makeDoc();
    const cursor = lineEnd(doc, 150);
    const before = plan(doc, cursor, undefined);
    const at = lineStartOf(doc, 140);
    const edited = doc.slice(0, at) + "  edited();\n" + doc.slice(at);
    assert.deepEqual(plan(edited, cursor + "  edited();\n".length, before.anchor).kept, { head: false, split: false, suffix: false });
    assert.deepEqual(boundaries(plan(doc, cursor, before.anchor, "src/other.ts")), { head: false, split: false });

    const longLine = "x ".repeat(10_000);
    const withLong = doc.slice(0, cursor) + longLine + doc.slice(cursor);
    const cut = plan(withLong, cursor + longLine.length, before.anchor);
    assert.equal(cut.anchor, undefined);
    assert.ok(cut.recentPrefix.length < longLine.length, "the cursor line's prefix is capped");
  });

  test("any sequence of requests gives contiguous text ending at the cursor, within the budgets", () => {
    let seed = 11;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let doc = makeDoc(200);
    let previous: PromptAnchor | undefined;
    for (let step = 0; step < 400; step++) {
      const r = random();
      let cursor = Math.floor(random() * doc.length);
      if (r < 0.3) {
        const text = random() < 0.3 ? "\n    " : "ab(";
        doc = doc.slice(0, cursor) + text + doc.slice(cursor);
        cursor += text.length;
      }
      const layout = plan(doc, cursor, previous, random() < 0.1 ? "other.ts" : KEY);
      const combined = layout.stablePrefix + layout.recentPrefix;
      assert.ok(doc.slice(0, cursor).endsWith(combined), `step ${step}: contiguous text ending at the cursor`);
      // The window lends the prefix what the suffix cannot use (near the document's end).
      assert.ok(fakeCount(layout.stablePrefix) <= PREFIX_TOKENS + SUFFIX_TOKENS, `step ${step}: stable prefix within budget`);
      assert.ok(fakeCount(layout.recentPrefix) <= LIMITS.recentTokens, `step ${step}: recent prefix within cap`);
      assert.ok(layout.stablePrefix === "" || layout.stablePrefix.endsWith("\n"), `step ${step}: the split is a line start`);
      previous = layout.anchor;
    }
  });

  test("in a file shorter than the prefix budget, the suffix stays the same while typing (Enters included)", () => {
    // 20 lines above the cursor, 180 below: the suffix gets the prefix's unused budget, which typing uses up.
    const lines = makeDoc(200).split("\n");
    let doc = lines.slice(0, 20).join("\n") + "\n\n" + lines.slice(20).join("\n");
    let cursor = lines.slice(0, 20).join("\n").length + 1;
    let previous = plan(doc, cursor, undefined).anchor;
    const suffixes = new Set<string>();
    for (const key of [..."  let total = 0;", "\n  ", ..."for (const x of xs) {", "\n    ", ..."total += x;", "\n  ", "}"]) {
      doc = doc.slice(0, cursor) + key + doc.slice(cursor);
      cursor += key.length;
      const layout = plan(doc, cursor, previous);
      suffixes.add(layout.suffix);
      previous = layout.anchor;
    }
    assert.equal(suffixes.size, 1);
    const fresh = buildContextWindow(doc, cursor, { prefixTokens: PREFIX_TOKENS, suffixTokens: SUFFIX_TOKENS, countTokens: fakeCount });
    assert.notEqual(fresh.suffix, [...suffixes][0], "a fresh window would have cut the suffix elsewhere by now");
  });

  test("with a real FIM family, typing a function (Enters included) only appends to the rendered prompt", () => {
    const family = createQwenCoderFamily();
    let doc = makeDoc();
    let cursor = lineEnd(doc, 150) + 1;
    doc = doc.slice(0, cursor) + "\n" + doc.slice(cursor);
    let previous: PromptAnchor | undefined;
    let previousPrompt: string | undefined;
    let appendOnly = 0;
    for (const key of [..."function add(a, b) {", "\n  ", ..."return a + b;", "\n", ..."}"]) {
      doc = doc.slice(0, cursor) + key + doc.slice(cursor);
      cursor += key.length;
      const window = buildContextWindow(doc, cursor, { prefixTokens: PREFIX_TOKENS, suffixTokens: SUFFIX_TOKENS, countTokens: fakeCount });
      const layout = planPromptLayout(doc, cursor, window, KEY, previous, LIMITS, fakeCount);
      const prompt = renderPrompt(family.buildPrompt({
        stablePrefix: layout.stablePrefix, recentPrefix: layout.recentPrefix, suffix: layout.suffix, filePath: KEY, repoName: "demo", extraContext: [],
      }));
      if (previousPrompt !== undefined) {
        assert.equal(prompt, previousPrompt + key, `typing ${JSON.stringify(key)} appends exactly that text`);
        appendOnly++;
      }
      previous = layout.anchor;
      previousPrompt = prompt;
    }
    assert.equal(appendOnly, 35);
  });
});
