import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { planCacheReuse, type CacheReusePlan } from "../../../src/server/runtime/cacheReuse";

/** What the cache holds after the plan's ranges are erased (each later token moves down). */
function applied<T>(cached: readonly T[], plan: CacheReusePlan): T[] {
  return cached.filter((_, index) => !plan.erase.some((range) => index >= range.start && index < range.end));
}

const run = (name: string, length: number): string[] => Array.from({ length }, (_, i) => `${name}${i}`);

describe("planCacheReuse", () => {
  test("a prompt that only appends keeps the whole cache", () => {
    const plan = planCacheReuse(["a", "b", "c"], ["a", "b", "c", "d"], 4);
    assert.deepEqual(plan, { erase: [], reused: 3 });
  });

  test("a prompt that differs at the end keeps the common prefix and erases the rest", () => {
    const plan = planCacheReuse(["a", "b", "c", "x", "y"], ["a", "b", "c", "z"], 4);
    assert.deepEqual(plan, { erase: [{ start: 3, end: 5 }], reused: 3 });
  });

  test("after a move down, the suffix's unchanged tail shifts into place; the lines moved over are erased", () => {
    const head = run("head", 6);
    const movedOver = run("moved", 5);
    const tail = run("tail", 8);
    const cached = [...head, "<SUF>", ...movedOver, ...tail, "<MID>", "old"];
    const target = [...head, "<SUF>", ...tail, "new", "<MID>", ...movedOver];
    const plan = planCacheReuse(cached, target, 4);
    assert.deepEqual(plan.erase, [{ start: 7, end: 12 }, { start: 20, end: 22 }]);
    assert.equal(plan.reused, 7 + tail.length);
    assert.deepEqual(applied(cached, plan), target.slice(0, plan.reused));
  });

  test("single tokens that merely match (indentation, newlines) are not kept: node-llama-cpp's own shifting would", () => {
    const cached = ["<PRE>", "x", "<SUF>", "  ", "foo", "\n", "  ", "bar", "\n", "<MID>"];
    const target = ["<PRE>", "x", "  ", "baz", "\n", "<SUF>", "\n", "<MID>"];
    const plan = planCacheReuse(cached, target, 4);
    assert.deepEqual(plan, { erase: [{ start: 2, end: 10 }], reused: 2 });
  });

  test("runs shorter than minRun are evaluated again rather than shifted", () => {
    const cached = ["p", "q", "a", "b", "c", "x"];
    const target = ["p", "q", "b", "c", "x"];
    assert.equal(planCacheReuse(cached, target, 4).reused, 2);
    assert.equal(planCacheReuse(cached, target, 3).reused, 5);
  });

  test("with no common first token the cache starts empty (node-llama-cpp would re-read kept runs all at once)", () => {
    const shared = run("s", 10);
    assert.deepEqual(planCacheReuse(["a", ...shared], ["b", ...shared], 4), { erase: [{ start: 0, end: 11 }], reused: 0 });
    assert.deepEqual(planCacheReuse([], ["a"], 4), { erase: [], reused: 0 });
  });

  test("whatever the inputs, erasing the ranges leaves exactly the first `reused` prompt tokens, runs no shorter than minRun", () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let trial = 0; trial < 500; trial++) {
      const pieces = Array.from({ length: 6 }, (_, i) => run(`r${i}-`, 1 + random(9)));
      const noise = () => Array.from({ length: random(4) }, () => ["\n", " ", "(", ")"][random(4)]!);
      const cached = ["<PRE>", ...pieces.flatMap((piece) => [...noise(), ...piece])];
      const order = pieces.filter(() => random(3) > 0);
      const target = ["<PRE>", ...order.flatMap((piece) => [...noise(), ...piece])];
      const minRun = 1 + random(6);
      const plan = planCacheReuse(cached, target, minRun);
      assert.deepEqual(applied(cached, plan), target.slice(0, plan.reused), `trial ${trial}`);
      for (let i = 1; i < plan.erase.length; i++) {
        const kept = plan.erase[i]!.start - plan.erase[i - 1]!.end;
        assert.ok(kept >= minRun, `trial ${trial}: a kept run of ${kept} < ${minRun}`);
      }
    }
  });
});
