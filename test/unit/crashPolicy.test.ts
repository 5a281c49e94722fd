import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decideAfterCrash, MAX_RESTARTS, RESTART_WINDOW_MS } from "../../src/extension/crashPolicy";

describe("decideAfterCrash", () => {
  test("a crash while serving is restarted", () => {
    assert.deepEqual(decideAfterCrash("ready", "/m.gguf", [1000], 1000), { restart: true });
  });

  test("a crash while loading the model is never restarted, and the message names the file", () => {
    const decision = decideAfterCrash("loadingModel", "/models/bad.gguf", [1000], 1000);
    assert.equal(decision.restart, false);
    assert.match(decision.restart ? "" : decision.reason, /while loading the model \/models\/bad\.gguf/);
  });

  test("more than MAX_RESTARTS crashes within the window stop the restarts", () => {
    const now = 10 * RESTART_WINDOW_MS;
    const crashes = Array.from({ length: MAX_RESTARTS + 1 }, (_, i) => now - i * 1000);
    const decision = decideAfterCrash("ready", undefined, crashes, now);
    assert.equal(decision.restart, false);
  });

  test("old crashes outside the window do not count", () => {
    const now = 10 * RESTART_WINDOW_MS;
    const crashes = [...Array.from({ length: 10 }, (_, i) => i), now];
    assert.deepEqual(decideAfterCrash("ready", undefined, crashes, now), { restart: true });
  });
});
