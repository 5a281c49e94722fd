import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { postProcessCompletion, type PostProcessContext } from "../../../src/server/completion/postProcess";
import { CURSOR, POST_PROCESS_CASES, type PostProcessCase } from "./postProcessCases";

/** Splits a document with a cursor marker into the post-processing context (as the context window would). */
export function contextFromDoc(doc: string, lang: string, extra: Partial<PostProcessContext> = {}): { ctx: PostProcessContext; before: string; after: string } {
  const at = doc.indexOf(CURSOR);
  if (at < 0) throw new Error("no cursor marker");
  const before = doc.slice(0, at);
  const after = doc.slice(at + CURSOR.length);
  const lineStart = before.lastIndexOf("\n") + 1;
  return {
    before,
    after,
    ctx: {
      prefixBeforeLine: before.slice(0, lineStart),
      linePrefix: before.slice(lineStart),
      suffix: after,
      languageId: lang,
      ...extra,
    },
  };
}

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
