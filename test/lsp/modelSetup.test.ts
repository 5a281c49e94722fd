// pocketCoder/inspectModels and pocketCoder/doctor against the real server process.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DoctorRequest, InspectModelsRequest, type ModelFileInfo } from "../../src/shared/protocol";
import { chatModel, fimModel, noFimModel, notGgufFile, truncatedModel } from "../fixtures/fixtureModels";
import { LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");

describe("model setup requests", () => {
  let client: LspTestClient;
  let folder: string;
  let fim: string;

  before(async () => {
    fim = await fimModel(MODEL_DIR);
    folder = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-models-"));
    fs.symlinkSync(fim, path.join(folder, "a-fim.gguf"));
    fs.symlinkSync(await chatModel(MODEL_DIR), path.join(folder, "b-chat.gguf"));
    fs.symlinkSync(await noFimModel(MODEL_DIR), path.join(folder, "c-no-fim.gguf"));
    fs.mkdirSync(path.join(folder, "broken"));
    fs.copyFileSync(await notGgufFile(MODEL_DIR), path.join(folder, "broken", "d-not-gguf.gguf"));
    fs.copyFileSync(await truncatedModel(MODEL_DIR), path.join(folder, "broken", "e-truncated.gguf"));
    fs.writeFileSync(path.join(folder, "notes.txt"), "not a model\n");
    fs.writeFileSync(path.join(folder, "big-00002-of-00003.gguf"), "");
    client = await LspTestClient.start({ settings: { model: { path: fim }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens: 32 } } });
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  test("inspectModels lists a folder's GGUF files with what each can do, without loading them", async () => {
    const result = await client.connection.sendRequest(InspectModelsRequest, { directory: folder });
    assert.equal(result.directoryProblem, undefined);
    const byName = new Map(result.models.map((model) => [model.fileName, model]));
    assert.deepEqual([...byName.keys()], ["a-fim.gguf", "b-chat.gguf", "c-no-fim.gguf", "d-not-gguf.gguf", "e-truncated.gguf"]);

    const a = byName.get("a-fim.gguf")!;
    assert.deepEqual(pick(a), { name: "Pocket Coder designed FIM model", architecture: "llama", quantization: "F32", fimFamily: "Qwen2.5-Coder", canComplete: true, canChat: false });
    assert.equal(a.sizeBytes, fs.statSync(fim).size);
    assert.match(a.parameters ?? "", /^\d+(\.\d)?[KMB]$/);

    const b = byName.get("b-chat.gguf")!;
    assert.deepEqual(pick(b), { name: "Pocket Coder designed chat model", architecture: "llama", quantization: "F32", fimFamily: "Qwen2.5-Coder", canComplete: true, canChat: true });
    assert.equal(b.chatTemplate, "ChatML");

    const c = byName.get("c-no-fim.gguf")!;
    assert.equal(c.canComplete, false);
    assert.match(c.completionProblem ?? "", /no fill-in-the-middle \(FIM\) tokens/);

    assert.match(byName.get("d-not-gguf.gguf")?.problem ?? "", /is not a GGUF model file/);
    assert.match(byName.get("e-truncated.gguf")?.problem ?? "", /truncated|damaged/);
  });

  test("inspectModels reports the hardware for the picker's advice", async () => {
    const result = await client.connection.sendRequest(InspectModelsRequest, {});
    assert.deepEqual(result.models, []);
    assert.equal(result.hardware?.backend, "cpu");
    assert.equal(result.hardware?.vramTotalBytes, 0);
    assert.ok((result.hardware?.ramTotalBytes ?? 0) > 0);
    assert.ok((result.hardware?.cpuCores ?? 0) >= 1);
  });

  test("a folder that cannot be read is explained; files can be inspected one by one", async () => {
    const missing = await client.connection.sendRequest(InspectModelsRequest, { directory: path.join(folder, "nope") });
    assert.match(missing.directoryProblem ?? "", /cannot be read/);
    const relative = await client.connection.sendRequest(InspectModelsRequest, { directory: "models" });
    assert.match(relative.directoryProblem ?? "", /absolute path/);
    const one = await client.connection.sendRequest(InspectModelsRequest, { files: [fim] });
    assert.equal(one.models[0]?.canComplete, true);
  });

  test("doctor answers with the same one-screen report as the CLI, speed included", async () => {
    const { text } = await client.connection.sendRequest(DoctorRequest, { measureSpeed: true });
    assert.match(text, /^Pocket Coder .* — doctor$/m);
    assert.match(text, /^Backend +CPU$/m);
    assert.match(text, /completion: yes, FIM family Qwen2\.5-Coder/);
    assert.match(text, /^Speed +[\d.]+ tokens\/s generating/m);
    // The server keeps completing afterwards.
    assert.equal(client.lastStatus?.state, "ready");
  });
});

function pick(model: ModelFileInfo): Partial<ModelFileInfo> {
  const { name, architecture, quantization, fimFamily, canComplete, canChat } = model;
  return { name, architecture, quantization, fimFamily, canComplete, canChat };
}
