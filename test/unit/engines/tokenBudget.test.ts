// How a remote engine counts tokens for window budgets and which context it uses: the pure rules. The engines applying
// them against the loopback fake are in remoteEngines.test.ts.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chooseContextSize, OLLAMA_AUTO_CONTEXT_LIMIT } from "../../../src/server/engines/engineContextSize";
import { DEFAULT_CHARS_PER_TOKEN, LearntTokenCount } from "../../../src/server/engines/learntTokenCount";
import { modelContextLength } from "../../../src/server/engines/ollamaEngine";

describe("LearntTokenCount", () => {
  test("the default ratio until enough was seen, then the server's ratio with a margin that counts a little high", () => {
    const count = new LearntTokenCount();
    assert.equal(count.charsPerToken, DEFAULT_CHARS_PER_TOKEN);
    count.observe(120, 30);
    assert.equal(count.isLearnt, false, "30 tokens say little");
    assert.equal(count.count("x".repeat(30)), 10);
    count.observe(280, 70);
    assert.equal(count.isLearnt, true);
    assert.ok(Math.abs(count.charsPerToken - 4 * 0.9) < 1e-9, String(count.charsPerToken));
    assert.equal(count.count("x".repeat(36)), 10);
    assert.ok(count.count("x".repeat(400)) >= 100, "never fewer tokens than the server counted");
  });

  test("nonsense is ignored; the ratio stays within 1..8; old text counts less once much was seen", () => {
    const count = new LearntTokenCount();
    count.observe(0, 10);
    count.observe(10, 0);
    count.observe(Number.NaN, 5);
    assert.equal(count.isLearnt, false);
    count.observe(50, 100);
    assert.equal(count.charsPerToken, 1);
    const drifting = new LearntTokenCount();
    drifting.observe(200_000, 40_000);
    drifting.observe(60_000, 20_000); // past 50 000 tokens: what came so far counts half
    drifting.observe(30_000, 10_000);
    // A plain average would be 290 000 / 70 000 = 4.14 characters per token; halved history gives 160 000 / 40 000.
    assert.ok(Math.abs(drifting.charsPerToken - 4 * 0.9) < 1e-9, String(drifting.charsPerToken));
  });
});

describe("chooseContextSize", () => {
  test("the setting wins but never beyond what the server states; automatic takes the stated size up to a limit", () => {
    assert.equal(chooseContextSize(8192, 0), 8192);
    assert.equal(chooseContextSize(32768, 0, OLLAMA_AUTO_CONTEXT_LIMIT), 8192);
    assert.equal(chooseContextSize(2048, 0, OLLAMA_AUTO_CONTEXT_LIMIT), 2048);
    assert.equal(chooseContextSize(32768, 16384, OLLAMA_AUTO_CONTEXT_LIMIT), 16384);
    assert.equal(chooseContextSize(8192, 16384), 8192);
    assert.equal(chooseContextSize(undefined, 0), 4096);
    assert.equal(chooseContextSize(undefined, 12000), 12000);
    assert.equal(chooseContextSize(0, 0), 4096);
  });

  test("Ollama's context length is read from model_info under the model's own architecture", () => {
    assert.equal(modelContextLength({ model_info: { "general.architecture": "qwen2", "qwen2.context_length": 32768, "clip.context_length": 77 } }), 32768);
    assert.equal(modelContextLength({ model_info: { "starcoder2.context_length": 16384 } }), 16384);
    assert.equal(modelContextLength({}), undefined);
  });
});
