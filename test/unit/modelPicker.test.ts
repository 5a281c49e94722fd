import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { actionFor, buildPickerEntries, capabilityLine } from "../../src/extension/modelPicker";
import type { HardwareInfo, ModelFileInfo } from "../../src/shared/protocol";

const GIB = 1024 ** 3;
const qwen: ModelFileInfo = {
  path: "/models/qwen2.5-coder-1.5b-q8_0.gguf", fileName: "qwen2.5-coder-1.5b-q8_0.gguf", sizeBytes: 1_646_573_056,
  name: "Qwen2.5 Coder 1.5B", architecture: "qwen2", parameters: "1.5B", quantization: "Q8_0",
  fimFamily: "Qwen2.5-Coder", canComplete: true, canChat: false,
};
const instruct: ModelFileInfo = {
  ...qwen, path: "/models/instruct.gguf", fileName: "instruct.gguf", fimFamily: undefined, canComplete: false, canChat: true, chatTemplate: "Qwen",
  completionProblem: "It has no fill-in-the-middle (FIM) tokens, so it cannot do inline completion (it is a chat/instruct model: usable for Explain only).",
};
const broken: ModelFileInfo = {
  path: "/models/broken.gguf", fileName: "broken.gguf", sizeBytes: 10, name: "broken.gguf", canComplete: false, canChat: false,
  problem: "/models/broken.gguf is not a GGUF model file.",
};
const gpu: HardwareInfo = { backend: "cuda", gpuDevices: ["NVIDIA RTX 4070"], vramTotalBytes: 12 * GIB, vramFreeBytes: 11 * GIB, ramTotalBytes: 32 * GIB, ramFreeBytes: 20 * GIB, cpuCores: 16 };

describe("the Select Model picker", () => {
  test("lists the folder's models with size, architecture, parameters, quantisation and capabilities", () => {
    const entries = buildPickerEntries({
      result: { models: [qwen, instruct, broken], hardware: gpu }, currentPath: qwen.path, directory: "/models", downloadAllowed: false,
    });
    assert.deepEqual(entries.slice(0, 4).map((entry) => [entry.label, entry.description, entry.detail]), [
      ["Models in /models", undefined, undefined],
      ["$(check) qwen2.5-coder-1.5b-q8_0.gguf", "1.5 GB · qwen2 · 1.5B · Q8_0 · in use", "Completion ✓ (Qwen2.5-Coder) · Chat ✗"],
      ["$(warning) instruct.gguf", "1.5 GB · qwen2 · 1.5B · Q8_0", "Completion ✗ (no FIM tokens) · Chat ✓ (Qwen)"],
      ["$(error) broken.gguf", "10 B", "Unusable: /models/broken.gguf is not a GGUF model file."],
    ]);
  });

  test("advises by VRAM: 12 GB → the 3B model; the advice explains how to get it when downloads are off", () => {
    const entries = buildPickerEntries({ result: { models: [], hardware: gpu }, currentPath: "", directory: "", downloadAllowed: false });
    const advice = entries.find((entry) => entry.label.startsWith("$(lightbulb)"));
    assert.equal(advice?.label, "$(lightbulb) Qwen2.5-Coder 3B (base, Q8_0)");
    assert.match(advice?.detail ?? "", /8–16 GB.*CUDA: NVIDIA RTX 4070, 12\.0 GB VRAM/);
    assert.equal(advice?.action?.kind, "advice");
    assert.match(advice?.action?.kind === "advice" ? advice.action.message : "", /qwen2\.5-coder-3b-q8_0\.gguf .*SHA-256 [0-9a-f]{64}.*Browse…/);
    assert.equal(entries.some((entry) => entry.action?.kind === "download"), false, "no download entry while downloads are off");
    assert.ok(entries.some((entry) => entry.label === "$(folder-library) Set a models folder…"));
    assert.ok(entries.some((entry) => entry.label === "$(folder-opened) Browse…"));
  });

  test("with downloads allowed, the advice downloads", () => {
    const entries = buildPickerEntries({ result: { models: [] }, currentPath: "", directory: "", downloadAllowed: true });
    assert.equal(entries.find((entry) => entry.label.startsWith("$(lightbulb)"))?.action?.kind, "download");
    assert.ok(entries.some((entry) => entry.label.startsWith("$(cloud-download)")));
  });

  test("explains an unreadable folder, an empty folder and a server that cannot be asked", () => {
    const unreadable = buildPickerEntries({ result: { models: [], directoryProblem: "cannot be read (EACCES)" }, currentPath: "", directory: "/m", downloadAllowed: false });
    assert.equal(unreadable[1]?.detail, "cannot be read (EACCES)");
    const empty = buildPickerEntries({ result: { models: [] }, currentPath: "", directory: "/m", downloadAllowed: false });
    assert.equal(empty[1]?.label, "$(info) No .gguf files in this folder");
    const down = buildPickerEntries({ result: undefined, currentPath: "", directory: "/m", downloadAllowed: false, serverProblem: "not running" });
    assert.ok(down.some((entry) => entry.detail === "not running"));
  });

  test("choosing: a FIM model is used, a chat-only model is offered for Explain, a broken file is explained", () => {
    assert.deepEqual(actionFor(qwen), { kind: "use", path: qwen.path });
    const chatOnly = actionFor(instruct);
    assert.equal(chatOnly.kind, "chatOnly");
    assert.match(chatOnly.kind === "chatOnly" ? chatOnly.message : "", /instruct\.gguf cannot do inline completion/);
    assert.deepEqual(actionFor(broken), { kind: "unusable", message: broken.problem });
    const general = actionFor({ ...instruct, canChat: false });
    assert.match(general.kind === "unusable" ? general.message : "", /Use a FIM-capable base code model/);
    assert.equal(capabilityLine(qwen), "Completion ✓ (Qwen2.5-Coder) · Chat ✗");
  });
});
