import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_SETTINGS, needsModelReload, normalizeSettings, resolveThreadCount } from "../../src/shared/settings";

describe("normalizeSettings", () => {
  test("missing or non-object input gives the defaults without problems", () => {
    for (const raw of [undefined, null, 42, "x", []]) {
      assert.deepEqual(normalizeSettings(raw), { settings: DEFAULT_SETTINGS, problems: [] });
    }
  });

  test("keeps valid values and trims the model path", () => {
    const { settings, problems } = normalizeSettings({
      model: { path: "  /models/qwen.gguf ", directory: "/models", unloadAfterMinutes: 0.5, unloadInBackgroundAfterMinutes: 0 }, gpu: "vulkan", threads: 3,
      completion: { enabled: false, maxTokens: 64 }, explain: { model: { path: "/models/chat.gguf" }, maxTokens: 300 },
      network: { allowModelDownload: true },
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(settings, {
      model: { path: "/models/qwen.gguf", directory: "/models", unloadAfterMinutes: 0.5, unloadInBackgroundAfterMinutes: 0 }, gpu: "vulkan", threads: 3,
      completion: { enabled: false, maxTokens: 64 }, explain: { modelPath: "/models/chat.gguf", maxTokens: 300 },
      network: { allowModelDownload: true },
      exclude: DEFAULT_SETTINGS.exclude, context: DEFAULT_SETTINGS.context,
      engine: DEFAULT_SETTINGS.engine,
    });
  });

  test("idle unload times out of range or not numbers are reported and fall back", () => {
    const { settings, problems } = normalizeSettings({ model: { unloadAfterMinutes: -1, unloadInBackgroundAfterMinutes: "5" } });
    assert.equal(settings.model.unloadAfterMinutes, DEFAULT_SETTINGS.model.unloadAfterMinutes);
    assert.equal(settings.model.unloadInBackgroundAfterMinutes, DEFAULT_SETTINGS.model.unloadInBackgroundAfterMinutes);
    assert.equal(problems.length, 2);
    assert.ok(problems.every((problem) => problem.includes("pocketCoder.model.unload")));
  });

  test("a remote engine: kind, URL, model, FIM family and CA file", () => {
    const { settings, problems } = normalizeSettings({
      engine: { kind: "openai", url: " https://gpu-box:8000/ ", model: "qwen2.5-coder-7b", fimFamily: "qwen2.5-coder", caFile: "/etc/ca.pem" },
    });
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.engine, {
      kind: "openai", url: "https://gpu-box:8000/", model: "qwen2.5-coder-7b", fimFamily: "qwen2.5-coder", caFile: "/etc/ca.pem", contextSize: 0,
      proxy: { url: "", noProxy: [], enabled: true, authorization: "" },
    });
  });

  test("a bad engine URL (not http, or with credentials) is refused by name, and a remote kind without one is reported", () => {
    for (const url of ["ftp://gpu-box", "http://user:secret@gpu-box:8080", "gpu-box:8080 x"]) {
      const { settings, problems } = normalizeSettings({ engine: { kind: "llama-server", url } });
      assert.equal(settings.engine.url, "");
      assert.ok(problems.some((problem) => problem.includes("pocketCoder.engine.url")), url);
      assert.ok(problems.every((problem) => !problem.includes("secret")), "the refused URL's password is not repeated");
    }
    const { settings, problems } = normalizeSettings({ engine: { kind: "teapot" } });
    assert.equal(settings.engine.kind, "local");
    assert.ok(problems.some((problem) => problem.includes("pocketCoder.engine.kind")));
  });

  test("bad values fall back to defaults and each is reported by name", () => {
    const { settings, problems } = normalizeSettings({
      model: { path: 7 }, gpu: "tpu", threads: -1, completion: { enabled: "yes", maxTokens: 1.5 },
    });
    assert.deepEqual(settings, DEFAULT_SETTINGS);
    assert.equal(problems.length, 5);
    for (const name of ["model.path", "gpu", "threads", "completion.enabled", "completion.maxTokens"]) {
      assert.ok(problems.some((problem) => problem.includes(`pocketCoder.${name}`)), name);
    }
  });
});

describe("needsModelReload", () => {
  test("only model paths, GPU mode and threads reload the model", () => {
    const base = DEFAULT_SETTINGS;
    assert.equal(needsModelReload(base, { ...base, model: { ...base.model, path: "/a.gguf" } }), true);
    assert.equal(needsModelReload(base, { ...base, explain: { ...base.explain, modelPath: "/chat.gguf" } }), true);
    assert.equal(needsModelReload(base, { ...base, model: { ...base.model, directory: "/models" } }), false);
    assert.equal(needsModelReload(base, { ...base, model: { ...base.model, unloadAfterMinutes: 1, unloadInBackgroundAfterMinutes: 1 } }), false);
    assert.equal(needsModelReload(base, { ...base, gpu: "cpu" }), true);
    assert.equal(needsModelReload(base, { ...base, threads: 2 }), true);
    assert.equal(needsModelReload(base, { ...base, completion: { enabled: false, maxTokens: 5 } }), false);
  });
});

describe("resolveThreadCount", () => {
  test("automatic leaves one core for the editor and never oversubscribes", () => {
    assert.equal(resolveThreadCount(0, 2), 1);
    assert.equal(resolveThreadCount(0, 16), 15);
    assert.equal(resolveThreadCount(0, 1), 1);
    assert.equal(resolveThreadCount(8, 2), 2);
    assert.equal(resolveThreadCount(1, 2), 1);
    assert.equal(resolveThreadCount(0, 0), 1);
  });
});
