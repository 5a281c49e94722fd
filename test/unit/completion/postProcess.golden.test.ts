import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { postProcessCompletion } from "../../../src/server/completion/postProcess";
import { contextFromDoc, POST_PROCESS_CASES, type PostProcessCase } from "./postProcessCases";

function run(c: PostProcessCase) {
  const { ctx, before, after } = contextFromDoc(c.doc, c.lang, {
    ...(c.singleLine ? { singleLine: true } : {}),
    ...(c.stopTexts ? { stopTexts: c.stopTexts } : {}),
  });
  const result = postProcessCompletion(c.raw, ctx);
  return { result, before, after };
}

describe("postProcessCompletion golden cases", () => {
  for (const c of POST_PROCESS_CASES) {
    test(c.name, () => {
      const { result, before, after } = run(c);
      if (c.insert === null) {
        assert.equal(result, undefined, `expected the completion to be dropped, got ${JSON.stringify(result)}`);
        return;
      }
      assert.ok(result, "expected a completion, got none");
      assert.deepEqual(result, { insertText: c.insert, replaceSuffixChars: c.replace ?? 0 });
      if (c.final !== undefined) {
        assert.equal(before + result.insertText + after.slice(result.replaceSuffixChars), c.final);
      }
    });
  }
});
