import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { adviseModel, ALL_RECOMMENDED_MODELS, formatBytes, RECOMMENDED_MODELS } from "../../src/shared/recommendedModels";

const GIB = 1024 ** 3;

describe("hardware-tier advice", () => {
  test("CPU, or a GPU under 8 GB: the 1.5B model", () => {
    assert.equal(adviseModel({ backend: "cpu", vramTotalBytes: 0 }).model, RECOMMENDED_MODELS.small);
    assert.equal(adviseModel({ backend: "cpu", vramTotalBytes: 24 * GIB }).model, RECOMMENDED_MODELS.small, "VRAM of an unused GPU does not count");
    assert.equal(adviseModel({ backend: "vulkan", vramTotalBytes: 6 * GIB }).model, RECOMMENDED_MODELS.small);
    assert.equal(adviseModel(undefined).model, RECOMMENDED_MODELS.small);
  });

  test("8–16 GB: the 3B model; more: the 7B model", () => {
    assert.equal(adviseModel({ backend: "cuda", vramTotalBytes: 8 * GIB }).model, RECOMMENDED_MODELS.medium);
    assert.equal(adviseModel({ backend: "metal", vramTotalBytes: 16 * GIB }).model, RECOMMENDED_MODELS.medium);
    const large = adviseModel({ backend: "cuda", vramTotalBytes: 24 * GIB });
    assert.equal(large.model, RECOMMENDED_MODELS.large);
    assert.match(large.reason, /24\.0 GB/);
  });

  test("every recommended model is a pinned HTTPS download with a size and a SHA-256", () => {
    for (const model of ALL_RECOMMENDED_MODELS) {
      assert.match(model.url, /^https:\/\/huggingface\.co\/ggml-org\/[^/]+\/resolve\/[0-9a-f]{40}\//, model.id);
      assert.ok(model.url.endsWith(`/${model.fileName}`));
      assert.match(model.sha256, /^[0-9a-f]{64}$/);
      assert.ok(model.sizeBytes > 1e9);
    }
  });

  test("formatBytes", () => {
    assert.equal(formatBytes(1_646_573_056), "1.5 GB");
    assert.equal(formatBytes(7 * 1024 ** 2), "7 MB");
    assert.equal(formatBytes(512), "512 B");
  });
});
