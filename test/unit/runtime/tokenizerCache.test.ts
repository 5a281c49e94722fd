import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { TokenizerCache } from "../../../src/server/runtime/TokenizerCache";
import type { Token } from "../../../src/server/runtime/nodeLlamaCpp";

function countingTokenizer() {
  const calls: string[] = [];
  const tokenize = (text: string, special: boolean): Token[] => {
    calls.push(`${special ? "s" : "t"}:${text}`);
    return [...text].map((c) => (c.charCodeAt(0) + (special ? 1000 : 0)) as Token);
  };
  return { calls, tokenize };
}

describe("TokenizerCache", () => {
  test("tokenizes each text once, and keeps special and plain tokenizations apart", () => {
    const { calls, tokenize } = countingTokenizer();
    const cache = new TokenizerCache(tokenize);
    assert.deepEqual(cache.tokens("ab", false), [97, 98]);
    assert.deepEqual(cache.tokens("ab", false), [97, 98]);
    assert.deepEqual(cache.tokens("ab", true), [1097, 1098]);
    assert.deepEqual(calls, ["t:ab", "s:ab"]);
  });

  test("forgets the least recently used text beyond its capacity", () => {
    const { calls, tokenize } = countingTokenizer();
    const cache = new TokenizerCache(tokenize, 2);
    cache.tokens("a", false);
    cache.tokens("b", false);
    cache.tokens("a", false); // "a" is now the most recently used
    cache.tokens("c", false); // evicts "b"
    cache.tokens("a", false);
    cache.tokens("b", false);
    assert.deepEqual(calls, ["t:a", "t:b", "t:c", "t:b"]);
  });
});
