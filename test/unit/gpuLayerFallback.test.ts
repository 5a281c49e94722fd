import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { fallbackLayerCounts, loadWithLayerFallback, looksLikeOutOfMemory, type GpuLayersRequest } from "../../src/server/runtime/gpuLayerFallback";

describe("VRAM-aware loading", () => {
  test("tries half, a quarter, then no layers", () => {
    assert.deepEqual(fallbackLayerCounts(29), [14, 7, 0]);
    assert.deepEqual(fallbackLayerCounts(3), [1, 0]);
    assert.deepEqual(fallbackLayerCounts(1), [0]);
  });

  test("when the automatic fit runs out of memory, fewer layers are used and the first error is kept for the notice", async () => {
    const tried: GpuLayersRequest[] = [];
    const result = await loadWithLayerFallback({
      totalLayers: 29,
      offloading: true,
      attempt: async (layers) => {
        tried.push(layers);
        if (layers === "auto" || layers > 10) throw new Error("ggml_vulkan: Device memory allocation of size 1048576 failed.\nmore");
        return `loaded with ${layers}`;
      },
      log: () => undefined,
    });
    assert.deepEqual(tried, ["auto", 14, 7]);
    assert.deepEqual(result, { value: "loaded with 7", gpuLayers: 7, fellBackFrom: "ggml_vulkan: Device memory allocation of size 1048576 failed." });
  });

  test("falls back to the CPU (0 layers) as the last resort", async () => {
    const result = await loadWithLayerFallback({
      totalLayers: 5, offloading: true, log: () => undefined,
      attempt: async (layers) => {
        if (layers !== 0) throw new Error("out of memory");
        return "cpu";
      },
    });
    assert.equal(result.gpuLayers, 0);
  });

  test("if even the CPU fails, the first error is thrown; on the CPU backend there is no retry", async () => {
    await assert.rejects(
      loadWithLayerFallback({ totalLayers: 5, offloading: true, log: () => undefined, attempt: async (layers) => { throw new Error(`failed at ${layers}`); } }),
      /failed at auto/,
    );
    let calls = 0;
    await assert.rejects(
      loadWithLayerFallback({ totalLayers: 5, offloading: false, log: () => undefined, attempt: async () => { calls++; throw new Error("bad file"); } }),
      /bad file/,
    );
    assert.equal(calls, 1);
  });

  test("out-of-memory wording is recognised", () => {
    for (const message of ["CUDA error: out of memory", "ErrorOutOfDeviceMemory", "cudaMalloc failed", "Not enough VRAM to fit the model", "failed to allocate buffer"]) {
      assert.ok(looksLikeOutOfMemory(message), message);
    }
    assert.equal(looksLikeOutOfMemory("unknown model architecture: 'foo'"), false);
  });
});
