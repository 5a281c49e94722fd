import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  createStepContext, postProcessCompletion, settledReason, type PostProcessContext,
} from "../../../src/server/completion/postProcess";
import { contextFromDoc, CURSOR, POST_PROCESS_CASES } from "./postProcessCases";

/**
 * The exact reasons promise that generating more could not change the result: wherever they fire on a prefix of a
 * completion, post-processing that prefix gives what post-processing the whole completion gives.
 */
function assertExactWherever(raw: string, context: PostProcessContext, label: string): number {
  const ctx = createStepContext(context);
  const whole = postProcessCompletion(raw, context);
  let fired = 0;
  for (let end = 1; end <= raw.length; end++) {
    const reason = settledReason(raw.slice(0, end), ctx);
    if (reason === undefined || reason === "loop") continue;
    fired++;
    assert.deepEqual(postProcessCompletion(raw.slice(0, end), context), whole, `${label}: settled (${reason}) at ${end} of ${JSON.stringify(raw)}`);
    break;
  }
  return fired;
}

describe("settledReason: when generation may stop early", () => {
  test("single-line mode settles at the first line break", () => {
    const { ctx } = contextFromDoc(`const x = foo(${CURSOR}, y);`, "typescript");
    const step = createStepContext(ctx);
    assert.equal(settledReason("a, b", step), undefined);
    assert.equal(settledReason("a, b\n", step), "lineEnd");
  });

  test("a block settles at the first complete line past its end, not before", () => {
    const { ctx } = contextFromDoc(`function f(a: number) {\n  ${CURSOR}\n}\n\nfunction g() {}\n`, "typescript");
    const step = createStepContext(ctx);
    const raw = "if (a > 1) {\n    return a;\n  }\n  return 0;\n}\n\nfunction h() {\n";
    const settledAt = [...raw].findIndex((_, i) => settledReason(raw.slice(0, i + 1), step) !== undefined) + 1;
    assert.equal(raw.slice(0, settledAt), "if (a > 1) {\n    return a;\n  }\n  return 0;\n}\n");
    assert.equal(settledReason(raw.slice(0, settledAt), step), "blockEnd");
    assert.deepEqual(postProcessCompletion(raw.slice(0, settledAt), ctx), postProcessCompletion(raw, ctx));
  });

  test("a loop settles once it repeats, and is dropped as it would be at the token limit", () => {
    const { ctx } = contextFromDoc(`const handlers = [\n  ${CURSOR}\n];\n`, "typescript");
    const step = createStepContext(ctx);
    const loop = "[Get".repeat(32);
    const at = [...loop].findIndex((_, i) => settledReason(loop.slice(0, i + 1), step) !== undefined) + 1;
    assert.equal(at, "[Get".repeat(6).length - 1 + 1);
    assert.equal(settledReason(loop.slice(0, at), step), "loop");
    assert.equal(postProcessCompletion(loop.slice(0, at), ctx), undefined);
    assert.equal(postProcessCompletion(loop, ctx), undefined);
    const words = " addDefaultValue".repeat(8);
    assert.equal(settledReason(" addDefaultValue".repeat(4), step), "loop");
    assert.equal(postProcessCompletion(words, ctx), undefined);
  });

  test("ordinary text in progress is not settled", () => {
    const { ctx } = contextFromDoc(`function f() {\n  ${CURSOR}\n}\n`, "typescript");
    const step = createStepContext(ctx);
    for (const raw of ["const a = 1;", "const a = 1;\n  const b = 2;\n", "if (a) {\n    b();\n", "x.push(1);\n  x.push(2);\n  x.push(3);\n"]) {
      assert.equal(settledReason(raw, step), undefined, raw);
    }
  });

  test("exact on every golden case: stopping where it settles changes nothing", () => {
    let fired = 0;
    for (const c of POST_PROCESS_CASES) {
      const { ctx } = contextFromDoc(c.doc, c.lang, {
        ...(c.singleLine ? { singleLine: true } : {}),
        ...(c.stopTexts ? { stopTexts: c.stopTexts } : {}),
      });
      fired += assertExactWherever(c.raw, ctx, c.name);
    }
    assert.ok(fired >= 15, `the golden cases exercise early stops (${fired})`);
  });

  test("exact on 3,000 random completions", () => {
    let seed = 987;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const alphabet = ["a", "b", " ", "  ", "    ", "\n", "\n  ", "\n    ", "\n}", "(", ")", "{", "}", ";", "x = ", "return ", "if (", "} else {", "end", "#", "\t", "\r\n"];
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[rnd(alphabet.length)]).join("");
    let fired = 0;
    for (let i = 0; i < 3000; i++) {
      const context: PostProcessContext = {
        linePrefix: pick(rnd(3)).replace(/[\r\n]/g, ""),
        suffix: pick(rnd(2)).replace(/[\r\n]/g, "") + "\n" + pick(rnd(8)),
        prefixBeforeLine: pick(rnd(10)) + "\n",
        languageId: ["typescript", "python", "go", "markdown", ""][rnd(5)]!,
        singleLine: rnd(5) === 0,
      };
      fired += assertExactWherever(pick(rnd(24)), context, `random ${i}`);
    }
    assert.ok(fired > 500, `random completions exercise early stops (${fired})`);
  });
});
