import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CompletionCache, hashString, type CompletionCacheKey } from "../../../src/server/completion/CompletionCache";

const above = "import { add } from './math';\n\nfunction main() {\n";

function key(prefix: string, suffix = "\n}\n"): CompletionCacheKey {
  return { prefix, suffix };
}

describe("CompletionCache: exact hits", () => {
  test("set then get the same context", () => {
    const cache = new CompletionCache();
    cache.set(key(above + "  const x = add("), { insertText: "1, 2)", replaceSuffixChars: 1 });
    assert.deepEqual(cache.get(key(above + "  const x = add(")), { insertText: "1, 2)", replaceSuffixChars: 1 });
    assert.deepEqual(cache.lookup(key(above + "  const x = add(")), { insertText: "1, 2)", replaceSuffixChars: 1, typedChars: 0 });
  });

  test("another suffix or another prefix misses", () => {
    const cache = new CompletionCache();
    cache.set(key(above + "  return "), { insertText: "0;", replaceSuffixChars: 0 });
    assert.equal(cache.lookup(key(above + "  return ", "\n}\nmore")), undefined);
    assert.equal(cache.lookup(key("// changed\n" + above + "  return ")), undefined);
  });

  test("only the prefix tail and the suffix head are keyed", () => {
    const cache = new CompletionCache({ prefixKeyChars: 40, suffixKeyChars: 50 });
    const tailText = above + "  return ";
    cache.set(key("A".repeat(500) + tailText, "\n}\n" + "B".repeat(200)), { insertText: "0;", replaceSuffixChars: 0 });
    // A different far-away start (the window moved) and a different far-away end still hit.
    assert.equal(cache.lookup(key("C".repeat(900) + tailText, "\n}\n" + "B".repeat(47) + "D".repeat(10)))?.insertText, "0;");
  });
});

describe("CompletionCache: type-through", () => {
  test("typing the first characters of the suggestion returns the rest", () => {
    const cache = new CompletionCache();
    const linePrefix = "  const total = items.reduce(";
    cache.set(key(above + linePrefix, ")\n}\n"), { insertText: "(sum, item) => sum + item.price, 0)", replaceSuffixChars: 1 });
    const typed = "(sum, it";
    const hit = cache.lookup(key(above + linePrefix + typed, ")\n}\n"));
    assert.deepEqual(hit, { insertText: "em) => sum + item.price, 0)", replaceSuffixChars: 1, typedChars: typed.length });
  });

  test("a typed character that differs from the suggestion misses", () => {
    const cache = new CompletionCache();
    cache.set(key(above + "  return "), { insertText: "value * 2;", replaceSuffixChars: 0 });
    assert.equal(cache.lookup(key(above + "  return valuX")), undefined);
    assert.equal(cache.lookup(key(above + "  return x")), undefined);
  });

  test("having typed all of it leaves nothing to suggest", () => {
    const cache = new CompletionCache();
    cache.set(key(above + "  return "), { insertText: "0;", replaceSuffixChars: 0 });
    assert.equal(cache.lookup(key(above + "  return 0;")), undefined);
  });

  test("typing all but the auto-closed character it replaces leaves nothing to suggest", () => {
    const cache = new CompletionCache();
    cache.set(key(above + "  add(", ")\n}\n"), { insertText: "1, 2)", replaceSuffixChars: 1 });
    assert.deepEqual(cache.lookup(key(above + "  add(1", ")\n}\n")), { insertText: ", 2)", replaceSuffixChars: 1, typedChars: 1 });
    assert.equal(cache.lookup(key(above + "  add(1, 2", ")\n}\n")), undefined);
  });

  test("deleting back to where the suggestion was made is an exact hit again", () => {
    const cache = new CompletionCache();
    cache.set(key(above + "  return "), { insertText: "value * 2;", replaceSuffixChars: 0 });
    assert.equal(cache.lookup(key(above + "  return val"))?.insertText, "ue * 2;");
    assert.equal(cache.lookup(key(above + "  return "))?.insertText, "value * 2;");
  });

  test("typing through a line break (accepting a line, then Enter) continues on the next line", () => {
    const cache = new CompletionCache();
    cache.set(key(above + "  "), { insertText: "const a = 1;\n  const b = 2;\n  return a + b;", replaceSuffixChars: 0 });
    const hit = cache.lookup(key(above + "  const a = 1;\n  const b"));
    assert.deepEqual(hit, { insertText: " = 2;\n  return a + b;", replaceSuffixChars: 0, typedChars: "const a = 1;\n  const b".length });
  });

  test("type-through works when the prefix is longer than the key tail", () => {
    const cache = new CompletionCache({ prefixKeyChars: 64 });
    const long = "x".repeat(10_000) + "\n" + above + "  log(";
    cache.set(key(long, ")\n"), { insertText: "message, level)", replaceSuffixChars: 1 });
    assert.equal(cache.lookup(key(long + "message, l", ")\n"))?.insertText, "evel)");
    assert.equal(cache.lookup(key("y" + long.slice(1) + "message, l", ")\n"))?.insertText, "evel)", "a change beyond the tail is not seen");
  });

  test("the most recently used suggestion wins when several match", () => {
    const cache = new CompletionCache();
    cache.set(key(above + "  re"), { insertText: "turn 1;", replaceSuffixChars: 0 });
    cache.set(key(above + "  ret"), { insertText: "urn 2;", replaceSuffixChars: 0 });
    assert.equal(cache.lookup(key(above + "  retu"))?.insertText, "rn 2;");
  });
});

describe("CompletionCache: LRU", () => {
  test("the least recently used entry goes first", () => {
    const cache = new CompletionCache({ maxEntries: 2 });
    cache.set(key("a"), { insertText: "1", replaceSuffixChars: 0 });
    cache.set(key("b"), { insertText: "2", replaceSuffixChars: 0 });
    assert.ok(cache.get(key("a"))); // a is now the most recent
    cache.set(key("c"), { insertText: "3", replaceSuffixChars: 0 });
    assert.equal(cache.size, 2);
    assert.equal(cache.get(key("b")), undefined);
    assert.ok(cache.get(key("a")));
    assert.ok(cache.get(key("c")));
    cache.clear();
    assert.equal(cache.size, 0);
    assert.equal(cache.lookup(key("a")), undefined);
  });

  test("setting the same context again replaces the entry", () => {
    const cache = new CompletionCache();
    cache.set(key("a"), { insertText: "1", replaceSuffixChars: 0 });
    cache.set(key("a"), { insertText: "2", replaceSuffixChars: 0 });
    assert.equal(cache.size, 1);
    assert.equal(cache.get(key("a"))?.insertText, "2");
  });

  test("lookups stay fast with a full cache and long contexts", () => {
    const cache = new CompletionCache({ maxEntries: 256 });
    const body = "let v = compute(a, b, c);\n".repeat(400);
    for (let i = 0; i < 256; i++) cache.set(key(body + `  step${i}(`, ")\n"), { insertText: `arg${i}, more)`, replaceSuffixChars: 1 });
    const started = performance.now();
    for (let i = 0; i < 1000; i++) cache.lookup(key(body + `  step${i % 256}(arg`, ")\n"));
    const ms = performance.now() - started;
    assert.ok(ms < 1000, `1000 lookups took ${ms.toFixed(0)} ms`);
  });
});

test("hashString is stable and spreads", () => {
  assert.equal(hashString("abc"), hashString("abc"));
  assert.notEqual(hashString("abc"), hashString("abd"));
  assert.notEqual(hashString(""), hashString(" "));
});
