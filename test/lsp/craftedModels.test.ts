// Model files nobody vetted (the model picker lists whole folders): crafted headers must cost no memory, and
// every bad file must say what is wrong in words a person can act on.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { InspectModelsRequest, type ServerStatus } from "../../src/shared/protocol";
import { fimModel, noFimModel } from "../fixtures/fixtureModels";
import { LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models", "crafted");
const settingsFor = (modelPath: string) => ({ model: { path: modelPath }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens: 16 } });
const MB = 1024 * 1024;

/** A 14 MB file whose header claims a million tensors: node-llama-cpp's reader allocated ~200 MB for it. */
function hugeTensorCountFile(): string {
  const bytes = Buffer.alloc(14 * MB);
  bytes.write("GGUF", 0, "latin1");
  bytes.writeUInt32LE(3, 4);
  bytes.writeBigUInt64LE(1_000_000n, 8);
  bytes.writeBigUInt64LE(0n, 16);
  return write("huge-tensor-count.gguf", bytes);
}

function write(name: string, bytes: Buffer): string {
  fs.mkdirSync(MODEL_DIR, { recursive: true });
  const filePath = path.join(MODEL_DIR, name);
  fs.writeFileSync(filePath, bytes);
  return filePath;
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) * 1024;
}

describe("crafted and damaged model files", () => {
  let client: LspTestClient;
  let goodModel: string;

  before(async () => {
    goodModel = await fimModel(path.join(REPO_ROOT, ".test-models"));
    client = await LspTestClient.start({ settings: settingsFor(goodModel) });
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  test("a header claiming a million tensors is refused with a clear message and the server's memory stays flat", { skip: process.platform !== "linux" && "reads /proc" }, async (t) => {
    const crafted = hugeTensorCountFile();
    // Warm: the first inspection of a good file loads node-llama-cpp's header reader.
    await client.connection.sendRequest(InspectModelsRequest, { files: [goodModel] });
    const pid = client.process.pid!;
    const before = rssBytes(pid);
    let peak = before;
    for (let round = 0; round < 3; round++) {
      const { models } = await client.connection.sendRequest(InspectModelsRequest, { files: [crafted, goodModel] });
      assert.match(models[0]?.problem ?? "", /not a valid GGUF file: the tensor count is 1000000, more than the \d+ bytes left/);
      assert.equal(models[1]?.canComplete, true);
      peak = Math.max(peak, rssBytes(pid));
    }
    const status = await client.changeSettings(settingsFor(crafted));
    assert.equal(status.problem?.kind, "invalidModel");
    assert.match(status.message, /tensor count/);
    const afterRss = rssBytes(pid);
    const figures = `RSS before ${(before / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB, after ${(afterRss / MB).toFixed(0)} MB`;
    t.diagnostic(figures);
    assert.ok(peak - before < 50 * MB, figures);
    assert.ok(afterRss - before < 50 * MB, figures);
    assert.equal((await client.changeSettings(settingsFor(goodModel))).state, "unloaded");
  });

  test("a file cut inside its last tensor says it is truncated and where", async () => {
    const whole = fs.readFileSync(goodModel);
    const cut = write("cut-in-last-tensor.gguf", whole.subarray(0, whole.length - 64));
    const status = await client.changeSettings(settingsFor(cut));
    assert.equal(status.problem?.kind, "invalidModel", status.message);
    assert.match(status.message, /is truncated: the data of tensor blk\.1\.ffn_down\.weight ends at byte \d+, past the end of the file.*download it again/);
    assert.equal((await client.changeSettings(settingsFor(goodModel))).state, "unloaded");
  });
});

/** `bytes` with the first occurrence of `find` replaced by `replacement` (of the same length). */
function patched(bytes: Buffer, find: Buffer, replacement: Buffer): Buffer {
  const at = bytes.indexOf(find);
  assert.ok(at >= 0 && find.length === replacement.length, "pattern not found");
  const copy = Buffer.from(bytes);
  replacement.copy(copy, at);
  return copy;
}

const ggufString = (text: string) => { const length = Buffer.alloc(8); length.writeBigUInt64LE(BigInt(text.length)); return Buffer.concat([length, Buffer.from(text)]); };
const u32 = (value: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(value); return b; };
const u64 = (value: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(value)); return b; };
const uid = typeof process.getuid === "function" ? process.getuid() : -1;

describe("llama.cpp's reason, not \"Failed to load model\"", { timeout: 180_000 }, () => {
  let client: LspTestClient;
  let goodModel: string;

  before(async () => {
    goodModel = await fimModel(path.join(REPO_ROOT, ".test-models"));
    client = await LspTestClient.start({ settings: settingsFor(goodModel) });
    assert.equal((await client.waitForModel()).state, "ready");
  });

  /** A file whose header passes: it is checked, then its load on first use (the Doctor's measurement) fails. */
  async function loadFailure(settings: ReturnType<typeof settingsFor>): Promise<ServerStatus> {
    const checked = await client.changeSettings(settings);
    assert.equal(checked.state, "unloaded", checked.message);
    return client.waitForModel(client.statuses.length - 1);
  }

  after(async () => {
    // After this suite's failed loads, freeing the runtime was seen to hang; shutdown is bounded (5 s) and exits cleanly.
    const stopped = await Promise.race([client.stop(), new Promise((resolve) => setTimeout(() => resolve("hung"), 20_000))]);
    if (stopped === "hung") client.process.kill("SIGKILL");
    assert.equal(stopped, 0);
  });

  test("an unknown architecture is named", async () => {
    const bytes = patched(fs.readFileSync(goodModel), Buffer.concat([u32(8), ggufString("llama")]), Buffer.concat([u32(8), ggufString("llamz")]));
    const status = await loadFailure(settingsFor(write("unknown-architecture.gguf", bytes)));
    assert.equal(status.problem?.kind, "loadFailed", status.message);
    assert.match(status.message, /could not load .*: unknown model architecture: 'llamz'/);
    assert.doesNotMatch(status.message, /Failed to load model/);
  });

  test("corrupt tensor sizes: llama.cpp's reason names the tensor", async () => {
    // output_norm.weight has one dimension, the vocabulary size; claim half of it: the tensors after it no longer
    // start where llama.cpp expects (their data still lies in the file, so the header check passes it on).
    const whole = fs.readFileSync(goodModel);
    const name = ggufString("output_norm.weight");
    const at = whole.indexOf(Buffer.concat([name, u32(1)]));
    const size = Number(whole.readBigUInt64LE(at + name.length + 4));
    const bytes = patched(whole, Buffer.concat([name, u32(1), u64(size)]), Buffer.concat([name, u32(1), u64(size / 2)]));
    const status = await loadFailure(settingsFor(write("wrong-shape.gguf", bytes)));
    assert.equal(status.problem?.kind, "loadFailed", status.message);
    assert.match(status.message, /could not load .*: tensor 'output\.weight' has offset \d+, expected \d+\./);
  });

  test("an instruct-only completion model blocking Explain names pocketCoder.explain.model.path", async () => {
    const status = await client.changeSettings(settingsFor(await noFimModel(path.join(REPO_ROOT, ".test-models"))));
    assert.equal(status.problem?.kind, "noFimSupport", status.message);
    const uri = pathToFileURL(path.join(REPO_ROOT, "src/explain-me.ts")).toString();
    await client.open(uri, "const x = 1;\n");
    const exchange = await client.explain({ textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 12 } } });
    assert.match(exchange.error?.message ?? "", /pocketCoder\.explain\.model\.path/);
  });

  test("an unreadable file says permission denied and is not an internal error", { skip: uid === 0 && !fs.existsSync("/usr/bin/setpriv") && "root without setpriv" }, async () => {
    const unreadable = write("unreadable.gguf", fs.readFileSync(goodModel));
    fs.chmodSync(unreadable, 0o000);
    // root reads any file: run that server as nobody, as a user would be.
    const other = uid === 0
      ? await LspTestClient.start({ settings: settingsFor(unreadable), wrapper: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] })
      : client;
    try {
      const status = uid === 0
        ? await other.waitForStatus((s) => s.state === "error" || s.state === "ready")
        : await other.changeSettings(settingsFor(unreadable));
      assert.equal(status.problem?.kind, "unreadableModel", status.message);
      assert.match(status.message, /cannot be read: permission denied.*Select GGUF file/);
    } finally {
      if (other !== client) await other.stop();
      fs.chmodSync(unreadable, 0o644);
    }
  });
});

describe("editors without Pocket Coder's status UI", { timeout: 120_000 }, () => {
  test("see a model problem as window/showMessage; the VS Code extension's client does not get it", async () => {
    const missing = { ...settingsFor("/nowhere/missing-model.gguf") };
    const plain = await LspTestClient.start({ settings: missing });
    const extension = await LspTestClient.start({ settings: missing, serverStatusUi: true });
    try {
      for (const client of [plain, extension]) assert.equal((await client.waitForStatus((s) => s.state === "error")).problem?.kind, "modelNotFound");
      const errors = plain.shownMessages.filter((message) => message.type === 1);
      assert.equal(errors.length, 1, JSON.stringify(plain.shownMessages));
      assert.match(errors[0]?.message ?? "", /^Pocket Coder: The model file \/nowhere\/missing-model\.gguf does not exist/);
      assert.deepEqual(extension.shownMessages, []);
    } finally {
      await plain.stop();
      await extension.stop();
    }
  });
});
