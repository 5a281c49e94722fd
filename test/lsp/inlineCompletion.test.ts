import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { CancellationTokenSource } from "vscode-languageserver-protocol/node";
import { FIM_COMPLETION, fimModel, SUM_COMPLETION } from "../fixtures/fixtureModels";
import { fileUri, LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");
const settingsFor = (modelPath: string, maxTokens = 64) => ({ model: { path: modelPath }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens } });

describe("textDocument/inlineCompletion against the real server process", () => {
  let client: LspTestClient;
  let modelPath: string;

  before(async () => {
    modelPath = await fimModel(MODEL_DIR);
    client = await LspTestClient.start({ settings: settingsFor(modelPath) });
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  test("reports the loaded model, its FIM family and the CPU backend", () => {
    const model = client.lastStatus?.model;
    assert.ok(model);
    assert.equal(model.name, "Pocket Coder designed FIM model");
    assert.equal(model.fimFamily, "Qwen2.5-Coder");
    assert.equal(model.backend, "cpu");
    assert.equal(model.gpuLayers, 0);
    assert.equal(model.threads, 1);
  });

  test("completes an indented empty line with the model's designed text", async () => {
    const uri = fileUri("src/add.ts");
    await client.open(uri, "function add(a, b) {\n  \n}\n");
    const items = await client.complete(uri, { line: 1, character: 2 });
    assert.deepEqual(items, [{ insertText: FIM_COMPLETION, range: { start: { line: 1, character: 2 }, end: { line: 1, character: 2 } } }]);
  });

  test("a multi-line completion keeps its lines and indentation", async () => {
    const uri = fileUri("src/sum.ts");
    await client.open(uri, "export function sum");
    const items = await client.complete(uri, { line: 0, character: 19 });
    assert.equal(items.length, 1);
    assert.equal(items[0]?.insertText, SUM_COMPLETION);
  });

  test("follows edits: the completion is computed on the current text", async () => {
    const uri = fileUri("src/edited.ts");
    await client.open(uri, "const x = 1;\n");
    assert.deepEqual(await client.complete(uri, { line: 0, character: 12 }), []);
    await client.replaceText(uri, "function add(a, b) {\n  \n}\n");
    assert.equal((await client.complete(uri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);
  });

  test("a request cancelled during prompt evaluation yields nothing, and the server keeps serving", async () => {
    // A cold 1,300-token prompt takes ~240 ms on the tiny model; the cancel arrives within a millisecond or two.
    const uri = fileUri("src/cancel.ts");
    await client.open(uri, `${"let cancelMe = 1;\n".repeat(900)}function add(a, b) {\n  \n}\n`);
    const source = new CancellationTokenSource();
    const cancelled = client.complete(uri, { line: 901, character: 2 }, source);
    source.cancel();
    const outcome = await cancelled.then((items) => items, (error: unknown) => error);
    assert.ok(Array.isArray(outcome) ? outcome.length === 0 : /cancel/i.test(String(outcome)), `unexpected: ${JSON.stringify(outcome)}`);
    assert.equal((await client.complete(uri, { line: 901, character: 2 }))[0]?.insertText, FIM_COMPLETION);
  });

  test("a superseded request is answered empty and the newest one gets the completion", async () => {
    const slowUri = fileUri("src/slow.ts");
    // A long document makes the first request's prompt evaluation take a while, so the second arrives mid-flight.
    await client.open(slowUri, `${"let value = 1;\n".repeat(900)}function add(a, b) {\n  \n}\n`);
    const uri = fileUri("src/fast.ts");
    await client.open(uri, "function add(a, b) {\n  \n}\n");
    const first = client.complete(slowUri, { line: 901, character: 2 });
    const second = client.complete(uri, { line: 1, character: 2 });
    const [firstItems, secondItems] = await Promise.all([first, second]);
    assert.deepEqual(firstItems, []);
    assert.equal(secondItems[0]?.insertText, FIM_COMPLETION);
  });

  test("a binary document gets no completion and no error", async () => {
    const uri = fileUri("assets/blob.bin");
    await client.open(uri, `\u0000\u0001PNG\u0000${"\u0000".repeat(100)}\n  `, "plaintext");
    assert.deepEqual(await client.complete(uri, { line: 1, character: 2 }), []);
  });

  test("a 25 MB document gets no completion and the server stays responsive", async () => {
    const uri = fileUri("logs/huge.log");
    await client.open(uri, "x".repeat(25 * 1024 * 1024), "log");
    assert.deepEqual(await client.complete(uri, { line: 0, character: 10 }), []);
    const small = fileUri("src/after-huge.ts");
    await client.open(small, "function add(a, b) {\n  \n}\n");
    assert.equal((await client.complete(small, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);
  });

  test("a document just under the limit is windowed: the prompt stays bounded", async () => {
    const uri = fileUri("src/long.ts");
    await client.open(uri, `${"// filler line\n".repeat(200_000)}function add(a, b) {\n  \n}\n`);
    const items = await client.complete(uri, { line: 200_001, character: 2 });
    assert.equal(items[0]?.insertText, FIM_COMPLETION);
  });

  test("completion.enabled = false turns completion off and frees the model; turned on, the next request loads it", async () => {
    const status = await client.changeSettings({ ...settingsFor(modelPath), completion: { enabled: false, maxTokens: 64 } });
    assert.equal(status.state, "disabled");
    assert.ok(client.logs.some((line) => line.startsWith("Unloaded the model because completion was turned off")), client.logs.join("\n"));
    const uri = fileUri("src/disabled.ts");
    await client.open(uri, "function add(a, b) {\n  \n}\n");
    assert.deepEqual(await client.complete(uri, { line: 1, character: 2 }), []);
    assert.equal(client.lastStatus?.state, "disabled", "a request while disabled does not load the model");
    assert.equal((await client.changeSettings(settingsFor(modelPath))).state, "unloaded");
    assert.equal((await client.complete(uri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);
    assert.equal(client.lastStatus?.state, "ready");
  });
});
