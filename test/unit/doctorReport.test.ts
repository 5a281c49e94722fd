import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { formatDoctorReport, type DoctorFacts } from "../../src/server/doctor/doctorReport";
import { binaryPackageName, cpuFeaturesOf } from "../../src/server/runtime/runtimeInfo";

const GIB = 1024 ** 3;
const base: DoctorFacts = {
  version: "0.1.0",
  platform: { os: "Linux", release: "6.1.0", arch: "x64", node: "20.18.1" },
  settings: { gpu: "auto", threadsSetting: 0, threads: 8, modelPath: "/models/qwen.gguf" },
  runtime: {
    nodeLlamaCppVersion: "3.22.1", llamaCppRelease: "ggml-org/llama.cpp b5000", buildType: "prebuilt",
    binaryPackage: "@node-llama-cpp/linux-x64-vulkan", installedBinaries: ["linux-x64", "linux-x64-vulkan"],
    gpuTypes: [
      { backend: "cuda", driverFound: true, binaryShipped: false, used: false },
      { backend: "vulkan", driverFound: true, binaryShipped: true, used: true },
    ],
    cpuFeatures: "AVX AVX2",
  },
  hardware: { backend: "vulkan", gpuDevices: ["NVIDIA GeForce RTX 3060"], vramTotalBytes: 12 * GIB, vramFreeBytes: 9 * GIB, ramTotalBytes: 32 * GIB, ramFreeBytes: 16 * GIB, cpuCores: 8 },
  status: { state: "ready", message: "ready" },
  model: {
    name: "Qwen2.5 Coder 1.5B", path: "/models/qwen.gguf", fimFamily: "Qwen2.5-Coder", backend: "vulkan", gpuDevices: ["NVIDIA GeForce RTX 3060"],
    gpuLayers: 29, totalLayers: 29, contextSize: 4096, threads: 8, vramUsedBytes: 3 * GIB, vramTotalBytes: 12 * GIB,
  },
  modelFile: {
    path: "/models/qwen.gguf", fileName: "qwen.gguf", sizeBytes: 1_646_573_056, name: "Qwen2.5 Coder 1.5B", architecture: "qwen2",
    parameters: "1.5B", quantization: "Q8_0", fimFamily: "Qwen2.5-Coder", canComplete: true, canChat: false,
  },
  speed: { promptTokens: 20, promptMs: 40, generatedTokens: 32, generateMs: 310, promptTokensPerSecond: 500, generatedTokensPerSecond: 100 },
  notices: [],
};

describe("the doctor's report", () => {
  test("a GPU machine: device, layers, VRAM, why CUDA is not used, speed and advice", () => {
    const text = formatDoctorReport(base);
    for (const line of [
      "Platform     Linux 6.1.0 x64, Node 20.18.1",
      "CPU / RAM    8 cores, 32.0 GB RAM (16.0 GB free)",
      "Threads      8 (pocketCoder.threads = 0, automatic)",
      "Runtime      node-llama-cpp 3.22.1, llama.cpp ggml-org/llama.cpp b5000, prebuilt binary",
      "Binary       @node-llama-cpp/linux-x64-vulkan (installed: linux-x64, linux-x64-vulkan)",
      "Backend      Vulkan — NVIDIA GeForce RTX 3060",
      "             CUDA    not used: its binaries are not in this installation (install the CUDA variant of the VSIX; Vulkan also drives NVIDIA GPUs)",
      "             Vulkan  in use: 29 of 29 layers offloaded",
      "VRAM         3.0 GB used of 12.0 GB",
      "             Qwen2.5 Coder 1.5B · qwen2 · 1.5B · Q8_0 · 1.5 GB",
      "             completion: yes, FIM family Qwen2.5-Coder",
      "Speed        100 tokens/s generating (32 tokens in 310 ms), 500 tokens/s reading the prompt (20 tokens in 40 ms)",
      "Advice       Qwen2.5-Coder 3B (base, Q8_0): The GPU has 12.0 GB of memory (8–16 GB): the 3B model fits and completes better.",
    ]) {
      assert.ok(text.split("\n").includes(line), `missing line:\n${line}\nin:\n${text}`);
    }
  });

  test("a CPU machine where Vulkan loaded without a device, with a fallback notice", () => {
    const text = formatDoctorReport({
      ...base,
      settings: { ...base.settings, gpu: "vulkan" },
      runtime: { ...base.runtime, gpuTypes: [{ backend: "cuda", driverFound: false, binaryShipped: true, used: false, error: "NoBinaryFoundError: no CUDA" }, { backend: "vulkan", driverFound: true, binaryShipped: true, used: false }] },
      hardware: { ...base.hardware!, backend: "cpu", gpuDevices: [], vramTotalBytes: 0, vramFreeBytes: 0 },
      idleGpuBuild: "vulkan",
      model: { ...base.model!, backend: "cpu", gpuDevices: [], gpuLayers: 0, vramUsedBytes: undefined, vramTotalBytes: undefined },
      notices: ["Vulkan was requested but no Vulkan GPU device was found (software renderers are not used); running on the CPU."],
    });
    assert.match(text, /^Backend +CPU \(the Vulkan build loaded but found no GPU device\)$/m);
    assert.match(text, /^ +CUDA +not used: failed to start \(NoBinaryFoundError: no CUDA\)$/m);
    assert.match(text, /^ +Vulkan +not used: it started but found no GPU device/m);
    assert.match(text, /^VRAM +none in use \(CPU backend\)$/m);
    assert.match(text, /^Note +Vulkan was requested/m);
    assert.match(text, /^Advice +Qwen2\.5-Coder 1\.5B/m);
  });

  test("no model, nothing measured", () => {
    const text = formatDoctorReport({ ...base, settings: { ...base.settings, modelPath: "" }, model: undefined, modelFile: undefined, speed: undefined, status: { state: "error", message: "No model is configured." } });
    assert.match(text, /^Model +none configured/m);
    assert.match(text, /^ +not loaded: No model is configured\.$/m);
    assert.match(text, /^Speed +not measured/m);
  });

  test("binary package names and CPU features", () => {
    assert.equal(binaryPackageName(false, "linux", "x64"), "linux-x64");
    assert.equal(binaryPackageName("cuda", "win32", "x64"), "win-x64-cuda");
    assert.equal(binaryPackageName("metal", "darwin", "arm64"), "mac-arm64-metal");
    assert.equal(binaryPackageName(false, "darwin", "x64"), "mac-x64");
    assert.equal(binaryPackageName(false, "linux", "arm"), "linux-armv7l");
    assert.equal(cpuFeaturesOf("CPU : SSE3 = 1 | AVX = 1 | AVX512 = 0 | LLAMAFILE = 1 | "), "SSE3 AVX LLAMAFILE");
  });
});
