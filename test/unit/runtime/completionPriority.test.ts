import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CompletionPriority } from "../../../src/server/runtime/CompletionPriority";

/** Whether `promise` has settled after the current microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("CompletionPriority", () => {
  test("idle: an explanation's step goes ahead at once", async () => {
    const priority = new CompletionPriority();
    assert.equal(priority.busy, false);
    assert.equal(await settled(priority.whenIdle()), true);
  });

  test("a step waits while any completion holds a claim, and goes on when the last one ends", async () => {
    const priority = new CompletionPriority();
    const first = priority.claim();
    const second = priority.claim();
    const step = priority.whenIdle();
    first();
    assert.equal(await settled(step), false, "one completion still queued");
    first(); // a second call of the same release changes nothing
    assert.equal(priority.busy, true);
    second();
    assert.equal(await settled(step), true);
    assert.equal(priority.busy, false);
  });

  test("an aborted explanation stops waiting at once", async () => {
    const priority = new CompletionPriority();
    const release = priority.claim();
    const controller = new AbortController();
    const step = priority.whenIdle(controller.signal);
    assert.equal(await settled(step), false);
    controller.abort();
    assert.equal(await settled(step), true);
    assert.equal(await settled(priority.whenIdle(controller.signal)), true, "already aborted");
    release();
  });
});
