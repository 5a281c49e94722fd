import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  analyzeCompletion,
  createStepContext,
  isCloserLine,
  isContinuationLine,
  isMidLine,
  postProcessCompletion,
  POST_PROCESS_STEPS,
  repeatingTailStart,
  scanPrefix,
  type PostProcessContext,
} from "../../../src/server/completion/postProcess";
import { linesStartingInText } from "../../../src/server/completion/postProcess/brackets";
import { suffixPrefixOverlaps } from "../../../src/server/completion/postProcess/text";

describe("text helpers", () => {
  test("suffixPrefixOverlaps lists every overlap, longest first", () => {
    assert.deepEqual(suffixPrefixOverlaps("foo(a, b)", ")"), [1]);
    assert.deepEqual(suffixPrefixOverlaps("x = aaa", "aaab"), [3, 2, 1]);
    assert.deepEqual(suffixPrefixOverlaps("abc", "xyz"), []);
    assert.deepEqual(suffixPrefixOverlaps("", "x"), []);
    assert.deepEqual(suffixPrefixOverlaps("ab", "abab"), [2]);
  });
  test("repeatingTailStart finds loops, not literals", () => {
    assert.equal(repeatingTailStart("a, a, a, a, a, a, a, a"), 1);
    assert.equal(repeatingTailStart("const zeros = 0000000000000000000000"), undefined);
    assert.equal(repeatingTailStart("// ----------------------------------------"), undefined);
    assert.equal(repeatingTailStart("return compute(value);"), undefined);
    assert.notEqual(repeatingTailStart("x = self.data.data.data.data.data.data.data"), undefined);
  });
});

describe("line classification", () => {
  test("mid-line: anything but closers and spaces after the cursor", () => {
    assert.equal(isMidLine(""), false);
    assert.equal(isMidLine(")"), false);
    assert.equal(isMidLine("});  "), false);
    assert.equal(isMidLine(`")`), false);
    assert.equal(isMidLine(") {"), true);
    assert.equal(isMidLine(" + b;"), true);
  });
  test("closer and continuation lines", () => {
    for (const l of ["}", "  });", "]", ")", "end", "  </div>", "} while (x);", "},"]) assert.ok(isCloserLine(l), l);
    for (const l of ["} else {", "return x;", "end_time = 1", "foo()"]) assert.ok(!isCloserLine(l), l);
    for (const l of ["} else {", "else:", "elif x:", "} catch (e) {", "except ValueError:", "case 2:", "}).then(() => {", "}, {"]) assert.ok(isContinuationLine(l), l);
    for (const l of ["}", "return x;", "elsewhere()"]) assert.ok(!isContinuationLine(l), l);
  });
});

describe("bracket scanner", () => {
  test("openers left open before the cursor, strings and comments skipped", () => {
    const s = scanPrefix("function f(a) {\n  // (not this\n  const s = \"[\";\n", "  call(x, [", "typescript");
    assert.deepEqual(s.pending.map((p) => [p.char, p.onCursorLine]), [["{", false], ["(", true], ["[", true]]);
    assert.equal(s.openQuote, undefined);
  });
  test("cursor inside a string", () => {
    assert.equal(scanPrefix("", `log("Obj: `, "typescript").openQuote, '"');
    assert.equal(scanPrefix("", "s = '''doc", "python").openQuote, "'''");
    assert.equal(scanPrefix("# it's\n", "x = [", "python").openQuote, undefined);
  });
  test("python comments use #, C-like ones //", () => {
    assert.equal(scanPrefix("", "x = f(  # (", "python").pending.length, 1);
    assert.equal(scanPrefix("", "x = f(  // (", "typescript").pending.length, 1);
    assert.equal(scanPrefix("", "x = f(  /* ( */", "typescript").pending.length, 1);
  });
  test("comments spanning lines, unterminated ones, and comment markers that are operators", () => {
    const ts = scanPrefix("f(/* a (\n b [ */ x,\n// g(\n", "  h({ /* (", "typescript");
    assert.deepEqual(ts.pending.map((p) => p.char), ["(", "(", "{"]);
    assert.equal(ts.inBlockComment, true);
    const sql = scanPrefix("select f(a - b, -- (\n", "  g(-1", "sql");
    assert.deepEqual(sql.pending.map((p) => p.char), ["(", "("]);
    assert.equal(scanPrefix("x = 1 # [ no newline after", "", "python").pending.length, 0);
  });
  test("a completion's closers against the state at the cursor", () => {
    const state = scanPrefix("", "foo(bar[", "typescript");
    const ok = analyzeCompletion("0])", state, "typescript");
    assert.deepEqual([ok.breakAt, ok.consumed, ok.leftOpen, ok.pendingLeft], [undefined, "])", 0, 0]);
    const bad = analyzeCompletion("0))", state, "typescript");
    assert.equal(bad.breakAt, 1);
    const open = analyzeCompletion("0].map(x", state, "typescript");
    assert.deepEqual([open.consumed, open.leftOpen, open.pendingLeft], ["]", 1, 1]);
  });
  test("which lines of a completion start inside a multi-line string or a block comment", () => {
    const inDocstring = scanPrefix("", 'HELP = """', "python");
    assert.deepEqual(linesStartingInText('Usage\n  -h\n"""\nx = 1', inDocstring, "python"), [false, true, true, false]);
    const code = scanPrefix("", "", "typescript");
    assert.deepEqual(linesStartingInText("a = `x\ny`;\n/* c\n d */\nb", code, "typescript"), [false, true, false, true, false]);
    // A line string ends at the line's end, unless the line break is escaped; a line comment ends there too.
    assert.deepEqual(linesStartingInText('s = "a\\\nb";\nt = "c\nd // e\nf', code, "typescript"), [false, true, false, false, false]);
  });
});

describe("pipeline", () => {
  const ctx: PostProcessContext = { linePrefix: "  return ", suffix: "\n}\n", prefixBeforeLine: "function f() {\n", languageId: "typescript" };

  test("steps are composed in one place, each named", () => {
    const names = POST_PROCESS_STEPS.map((s) => s.name);
    assert.equal(new Set(names).size, names.length);
    assert.equal(names[0], "normalizeNewlines");
    assert.equal(names[names.length - 1], "dropEmpty");
  });

  test("trace reports the steps that changed the completion", () => {
    const seen: string[] = [];
    const r = postProcessCompletion("a + b;  \n}\n", ctx, { trace: (name) => seen.push(name) });
    assert.deepEqual(r, { insertText: "a + b;", replaceSuffixChars: 0 });
    assert.deepEqual(seen, ["trimWhitespace", "limitScopeByIndentation"]);
  });

  test("custom step lists", () => {
    const r = postProcessCompletion("a\r\nb", ctx, { steps: POST_PROCESS_STEPS.filter((s) => s.name === "normalizeNewlines") });
    assert.deepEqual(r, { insertText: "a\nb", replaceSuffixChars: 0 });
  });

  test("the context is normalised once: CRLF suffix, missing lineSuffix", () => {
    const c = createStepContext({ linePrefix: "x", suffix: "ab\r\n\r\n  next\r\n" });
    assert.equal(c.lineSuffix, "ab");
    assert.equal(c.nextNonBlankLine, "  next");
    assert.equal(c.singleLine, true);
  });

  test("invariants on random input: never throws, replace stays on the line suffix, no CR, never blank", () => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ["a", "b", " ", "  ", "\n", "\r\n", "(", ")", "[", "]", "{", "}", '"', "'", ";", ",", "x = ", "return ", "if (", "  }", "\t", "#", "//", "end"];
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[rnd(alphabet.length)]).join("");
    for (let i = 0; i < 3000; i++) {
      const linePrefix = pick(rnd(4)).replace(/[\r\n]/g, "");
      const lineSuffix = pick(rnd(3)).replace(/[\r\n]/g, "");
      const context: PostProcessContext = {
        linePrefix,
        suffix: lineSuffix + "\n" + pick(rnd(8)),
        prefixBeforeLine: pick(rnd(10)) + "\n",
        languageId: ["typescript", "python", "go", "markdown", ""][rnd(5)]!,
      };
      const raw = pick(rnd(20));
      const r = postProcessCompletion(raw, context);
      if (r === undefined) continue;
      assert.ok(r.replaceSuffixChars >= 0 && r.replaceSuffixChars <= lineSuffix.length, JSON.stringify({ raw, context, r }));
      assert.ok(!r.insertText.includes("\r"));
      assert.ok(r.insertText.trim().length > 0);
    }
  });

  test("a long degenerate completion is handled in linear-ish time", () => {
    const raw = "foo(bar, baz);\n".repeat(5000) + "x".repeat(20000);
    const started = performance.now();
    const r = postProcessCompletion(raw, { ...ctx, linePrefix: "  " });
    assert.ok(performance.now() - started < 500);
    assert.equal(r?.insertText, "foo(bar, baz);");
  });
});
