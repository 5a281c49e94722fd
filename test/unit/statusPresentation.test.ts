import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { presentStatus } from "../../src/extension/statusPresentation";
import type { ModelStatus } from "../../src/shared/protocol";

const model: ModelStatus = {
  name: "Qwen2.5-Coder-1.5B", path: "/m.gguf", fimFamily: "Qwen2.5-Coder", backend: "vulkan",
  gpuDevices: ["llvmpipe"], gpuLayers: 29, totalLayers: 29, contextSize: 4096, threads: 2,
};

describe("presentStatus", () => {
  test("ready on a GPU shows backend and offloaded layers", () => {
    const shown = presentStatus({ state: "ready", message: "ready", model });
    assert.equal(shown.text, "$(sparkle) Pocket Coder · Vulkan 29/29");
    assert.match(shown.tooltip, /GPU layers: 29 of 29/);
    assert.match(shown.tooltip, /llvmpipe/);
    assert.equal(shown.severity, "normal");
  });

  test("the tooltip shows the device's VRAM use when the server measured it", () => {
    const shown = presentStatus({ state: "ready", message: "", model: { ...model, vramUsedBytes: 1.5 * 1024 ** 3, vramTotalBytes: 8 * 1024 ** 3 } });
    assert.match(shown.tooltip, /^VRAM: 1\.5 GB used of 8\.0 GB$/m);
    assert.doesNotMatch(presentStatus({ state: "ready", message: "", model }).tooltip, /VRAM/);
  });

  test("ready on CPU says CPU", () => {
    assert.equal(presentStatus({ state: "ready", message: "", model: { ...model, backend: "cpu", gpuLayers: 0 } }).text, "$(sparkle) Pocket Coder · CPU");
  });

  test("a remote engine: the bar and the tooltip say where completions are computed", () => {
    const remote: ModelStatus = {
      ...model, name: "qwen2.5-coder-7b", path: "http://gpu-box:8080/", backend: "cpu", gpuDevices: [], gpuLayers: 0, totalLayers: 0, threads: 0,
      engine: { kind: "llama-server", url: "http://gpu-box:8080/", host: "gpu-box:8080", model: "qwen2.5-coder-7b", slots: 4 },
    };
    const shown = presentStatus({ state: "ready", message: "qwen2.5-coder-7b ready on gpu-box:8080 (llama-server).", model: remote });
    assert.equal(shown.text, "$(sparkle) Pocket Coder · Remote · gpu-box:8080");
    assert.match(shown.tooltip, /^Completions computed on: Remote · gpu-box:8080 · qwen2\.5-coder-7b$/m);
    assert.match(shown.tooltip, /^Engine: llama-server at http:\/\/gpu-box:8080\/ \(4 slots\)$/m);
    assert.doesNotMatch(shown.tooltip, /GPU layers/);
  });

  test("an error is shown as an error with its message", () => {
    const shown = presentStatus({ state: "error", message: "The model file was not found.", problem: { kind: "modelNotFound", message: "The model file was not found." } });
    assert.equal(shown.text, "$(error) Pocket Coder");
    assert.equal(shown.severity, "error");
    assert.match(shown.tooltip, /^The model file was not found\./);
  });

  test("no model yet is an invitation, not an error", () => {
    const shown = presentStatus({ state: "error", message: "No model is configured.", problem: { kind: "noModel", message: "No model is configured." } });
    assert.equal(shown.text, "$(rocket) Set up Pocket Coder");
    assert.equal(shown.severity, "normal");
    assert.match(shown.tooltip, /^No model is configured\./);
  });

  test("what the user turned off or snoozed replaces where the model runs", () => {
    const ready = { state: "ready" as const, message: "Ready", model: { ...model, backend: "cpu" as const } };
    assert.equal(presentStatus(ready, { block: { kind: "off" } }).text, "$(circle-slash) Pocket Coder: off");
    assert.equal(presentStatus(ready, { block: { kind: "offForLanguage", languageId: "markdown" } }).text, "$(circle-slash) Pocket Coder: off for markdown");
    const snoozed = presentStatus(ready, { block: { kind: "snoozed", until: 0 }, formatTime: () => "14:20" });
    assert.equal(snoozed.text, "$(bell-slash) Pocket Coder: snoozed until 14:20");
    assert.match(snoozed.tooltip, /^Inline completions: snoozed until 14:20\.$/m);
    assert.match(snoozed.tooltip, /Model: Qwen2\.5-Coder-1\.5B/);
  });

  test("a server error outranks what the user turned off", () => {
    const shown = presentStatus({ state: "error", message: "Load failed.", problem: { kind: "loadFailed", message: "Load failed." } }, { block: { kind: "off" } });
    assert.equal(shown.text, "$(error) Pocket Coder");
  });

  test("a fallback notice turns the item into a warning", () => {
    const shown = presentStatus({ state: "ready", message: "", model: { ...model, backend: "cpu" }, notices: ["CUDA was requested but is not available"] });
    assert.equal(shown.severity, "warning");
    assert.match(shown.tooltip, /Note: CUDA was requested/);
  });

  test("loading spins and says so", () => {
    assert.equal(presentStatus({ state: "loadingModel", message: "Loading" }).text, "$(loading~spin) Pocket Coder · Loading…");
  });

  test("a model not in memory shows as idle, with when it loads in the tooltip", () => {
    const shown = presentStatus({ state: "unloaded", message: "Qwen2.5-Coder-1.5B loads on first use." });
    assert.equal(shown.text, "$(sparkle) Pocket Coder · idle");
    assert.equal(shown.severity, "normal");
    assert.match(shown.tooltip, /^Qwen2\.5-Coder-1\.5B loads on first use\.$/m);
  });
});
