import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { FIM_COMPLETION, fimModel, noFimModel, notGgufFile, truncatedModel } from "../fixtures/fixtureModels";
import { fileUri, LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");
const settingsFor = (modelPath: string) => ({ model: { path: modelPath }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens: 32 } });

/** One server goes through every bad model in turn, then recovers: a bad file never takes it down. */
describe("bad models give an actionable status and the server survives", () => {
  let client: LspTestClient;

  before(async () => {
    // Through the `pocket-coder serve --stdio` CLI: the entry other editors use.
    client = await LspTestClient.start({ settings: settingsFor(""), viaCli: true, env: { POCKET_CODER_MODEL: "" } });
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  test("no model configured: says how to choose one", async () => {
    const status = await client.waitForStatus((s) => s.state === "error");
    assert.equal(status.problem?.kind, "noModel");
    assert.match(status.message, /No model is configured.*Select GGUF file/);
  });

  test("a path that does not exist", async () => {
    const status = await client.changeSettings(settingsFor("/nowhere/model.gguf"));
    assert.equal(status.state, "error");
    assert.equal(status.problem?.kind, "modelNotFound");
    assert.match(status.message, /\/nowhere\/model\.gguf does not exist/);
  });

  test("a relative path is refused", async () => {
    const status = await client.changeSettings(settingsFor("models/model.gguf"));
    assert.equal(status.problem?.kind, "modelNotFound");
    assert.match(status.message, /absolute path/);
  });

  test("a directory", async () => {
    const status = await client.changeSettings(settingsFor(MODEL_DIR));
    assert.equal(status.problem?.kind, "invalidModel");
    assert.match(status.message, /is not a file/);
  });

  test("a file that is not GGUF", async () => {
    const status = await client.changeSettings(settingsFor(await notGgufFile(MODEL_DIR)));
    assert.equal(status.problem?.kind, "invalidModel");
    assert.match(status.message, /is not a GGUF model file/);
  });

  test("a truncated GGUF file", async () => {
    const status = await client.changeSettings(settingsFor(await truncatedModel(MODEL_DIR)));
    assert.equal(status.state, "error");
    assert.ok(status.problem?.kind === "invalidModel" || status.problem?.kind === "loadFailed", JSON.stringify(status));
    assert.match(status.message, /truncated|damaged/);
  });

  test("a model without FIM tokens names FIM-capable models", async () => {
    const status = await client.changeSettings(settingsFor(await noFimModel(MODEL_DIR)));
    assert.equal(status.problem?.kind, "noFimSupport");
    assert.match(status.message, /fill-in-the-middle.*Qwen2\.5-Coder/);
  });

  test("completion requests while in error are answered empty", async () => {
    const uri = fileUri("src/error.ts");
    await client.open(uri, "function add(a, b) {\n  \n}\n");
    assert.deepEqual(await client.complete(uri, { line: 1, character: 2 }), []);
  });

  test("pointing at a good model recovers without a restart", async () => {
    const pid = client.process.pid;
    const status = await client.changeSettings(settingsFor(await fimModel(MODEL_DIR)));
    assert.equal(status.state, "unloaded", status.message);
    assert.equal(client.process.pid, pid);
    assert.equal(client.process.exitCode, null);
    const uri = fileUri("src/recovered.ts");
    await client.open(uri, "function add(a, b) {\n  \n}\n");
    assert.equal((await client.complete(uri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);
  });
});

describe("GPU fallback", () => {
  test("asking for CUDA where there is none ends on a working backend with one notice", async () => {
    const modelPath = await fimModel(MODEL_DIR);
    const client = await LspTestClient.start({ settings: { ...settingsFor(modelPath), gpu: "cuda" } });
    try {
      const status = await client.waitForModel();
      assert.equal(status.state, "ready", status.message);
      assert.notEqual(status.model?.backend, "cuda");
      const notices = client.statuses.flatMap((s) => s.notices ?? []);
      assert.equal(notices.length, 1, JSON.stringify(notices));
      assert.match(notices[0] ?? "", /CUDA was requested but is not available/);
      const uri = fileUri("src/gpu.ts");
      await client.open(uri, "function add(a, b) {\n  \n}\n");
      assert.equal((await client.complete(uri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);
    } finally {
      await client.stop();
    }
  });
});
