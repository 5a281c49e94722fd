import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { completeAtCursor } from "../../../src/server/completion/CompletionEngine";
import { createQwenCoderFamily } from "../../../src/server/completion/fim/qwenCoder";
import { createStepContext, postProcessInContext, type PostProcessContext } from "../../../src/server/completion/postProcess";
import type { GenerationResult, StopReason, TextGenerator } from "../../../src/server/completion/textGenerator";
import { contextFromDoc, CURSOR } from "./postProcessCases";

function atTokenLimit(raw: string, context: PostProcessContext, stopReason: StopReason = "maxTokens") {
  return postProcessInContext(raw, createStepContext(context), { stopReason });
}

describe("post-processing after a stop at the token limit", () => {
  const { ctx } = contextFromDoc(`function f(a: number, b: number) {\n  ${CURSOR}\n}\n`, "typescript");

  test("the cut last line is not shown; the lines the model finished are", () => {
    assert.deepEqual(atTokenLimit("const s = a + b;\n  const c = compute(", ctx), { insertText: "const s = a + b;", replaceSuffixChars: 0 });
    // Had it finished (any other reason), the line would be judged as written.
    assert.deepEqual(atTokenLimit("const s = a + b;\n  const c = compute(", ctx, "endOfGeneration"), { insertText: "const s = a + b;\n  const c = compute(", replaceSuffixChars: 0 });
  });

  test("a completion that ended with its line break lost nothing", () => {
    assert.deepEqual(atTokenLimit("const s = a + b;\n  return s;\n", ctx), { insertText: "const s = a + b;\n  return s;", replaceSuffixChars: 0 });
  });

  test("an only line stays when it is complete enough: nothing of its own left open, no operand awaited", () => {
    assert.deepEqual(atTokenLimit("return Math.max(a, b);", ctx), { insertText: "return Math.max(a, b);", replaceSuffixChars: 0 });
    assert.deepEqual(atTokenLimit("i++", ctx), { insertText: "i++", replaceSuffixChars: 0 });
    for (const cut of ["const c = compute(", "const c = compute(a,", "return a +", "const name = `a", "const s =", "return a.", "\n  const c = [1, 2"]) {
      assert.equal(atTokenLimit(cut, ctx), undefined, cut);
    }
  });

  test("closing what the document opened before the cursor is complete", () => {
    const { ctx: call } = contextFromDoc(`const x = foo(${CURSOR}\n`, "typescript");
    assert.deepEqual(atTokenLimit("a, b)", call), { insertText: "a, b)", replaceSuffixChars: 0 });
  });

  test("the engine tells post-processing why generation stopped", async () => {
    const generator: TextGenerator = {
      contextSize: 4096,
      countTokens: (text) => Math.ceil(text.length / 4),
      generate: async (): Promise<GenerationResult> => ({
        text: "const s = a + b;\n  const c = compute(", stopReason: "maxTokens",
        promptTokens: 10, reusedTokens: 0, generatedTokens: 16, promptMs: 1, generateMs: 1,
      }),
    };
    const text = "function f(a: number, b: number) {\n  \n}\n";
    const outcome = await completeAtCursor(
      { generator, fim: createQwenCoderFamily() },
      { text, offset: text.indexOf("\n  \n") + 3, languageId: "typescript", filePath: "f.ts", repoName: "r" },
      { maxTokens: 16, prefixTokens: 512, suffixTokens: 128, extraContextTokens: 0, recentTokens: 256 },
      new AbortController().signal,
    );
    assert.equal(outcome.kind === "completion" && outcome.insertText, "const s = a + b;");
  });
});
