import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { WindowStateNotification, type ServerStatus } from "../../src/shared/protocol";
import { mebibytes, residentBytes } from "../fixtures/processMemory";
import { realisticModel } from "../fixtures/realisticModel";
import { fileUri, LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");
/** Idle times short enough to wait for: 3 s. */
const SHORT_MINUTES = 0.05;

function settingsFor(modelPath: string, model: { unloadAfterMinutes?: number; unloadInBackgroundAfterMinutes?: number } = {}) {
  return { model: { path: modelPath, ...model }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens: 4 } };
}

/**
 * The model's lifecycle through the real server on Qwen2.5-Coder-0.5B's shape (530 MB of weights, so that what the
 * process holds is plain in its RSS): not loaded at startup, loaded by the first completion, unloaded when idle
 * (sooner in a background window), loaded again by the next completion.
 */
describe("model lifecycle: load on first use, unload when idle", () => {
  let client: LspTestClient;
  let modelPath: string;
  let startRss: number;
  let loadedRss: number;
  const uri = fileUri("src/lifecycle.ts");
  const rss = (): number => residentBytes(client.process.pid!) ?? Number.NaN;
  /** The states published from `from` on, "busy" left out and repeats collapsed. */
  const states = (from: number): string[] => client.statuses.slice(from).map((status) => status.state)
    .filter((state) => state !== "busy").filter((state, index, all) => state !== all[index - 1]);
  const complete = () => client.complete(uri, { line: 1, character: 2 });

  before(async () => {
    modelPath = await realisticModel(MODEL_DIR);
    client = await LspTestClient.start({ settings: settingsFor(modelPath) });
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  test("starts with the model checked but not loaded", async () => {
    const status = await client.waitForStatus((s) => s.state === "unloaded" || s.state === "error");
    assert.equal(status.state, "unloaded", status.message);
    assert.match(status.message, /^Pocket Coder random Qwen2\.5-Coder-0\.5B-shaped model loads on first use\.$/);
    assert.equal(status.model, undefined);
    startRss = rss();
    assert.ok(startRss < 250 * 2 ** 20, `the server holds ${mebibytes(startRss)} before any use`);
  });

  test("the first completion loads the model and is answered", async () => {
    await client.open(uri, "function add(a: number, b: number) {\n  \n}\n");
    const from = client.statuses.length;
    const items = await complete();
    assert.equal(items.length, 1, client.logs.join("\n"));
    assert.deepEqual(states(from), ["loadingModel", "ready"]);
    assert.ok(client.logs.some((line) => line.startsWith("completion (model)")), client.logs.join("\n"));
    loadedRss = rss();
    assert.ok(loadedRss - startRss > 300 * 2 ** 20, `RSS ${mebibytes(startRss)} -> ${mebibytes(loadedRss)} after loading`);
  });

  test("unused for the idle time, the model is unloaded and the process gives its memory back", async () => {
    const from = client.statuses.length;
    await client.changeSettings(settingsFor(modelPath, { unloadAfterMinutes: SHORT_MINUTES }));
    const unloaded = await client.waitForStatus((s) => s.state === "unloaded", from, 30_000);
    assert.match(unloaded.message, /loads on first use\. Unloaded because it was unused for 3 s\.$/);
    const after = rss();
    assert.ok(loadedRss - after > 300 * 2 ** 20, `RSS ${mebibytes(loadedRss)} -> ${mebibytes(after)} after the idle unload\n${client.logs.join("\n")}`);
  });

  test("the next completion loads it again", async () => {
    const from = client.statuses.length;
    assert.equal((await complete()).length, 1, client.logs.join("\n"));
    assert.deepEqual(states(from), ["loadingModel", "ready"]);
  });

  test("a window in the background unloads after the shorter background delay", async () => {
    await client.changeSettings(settingsFor(modelPath, { unloadAfterMinutes: 10, unloadInBackgroundAfterMinutes: SHORT_MINUTES }));
    assert.equal((await complete()).length, 1);
    const from = client.statuses.length;
    await client.connection.sendNotification(WindowStateNotification, { focused: false });
    const unloaded = await client.waitForStatus((s) => s.state === "unloaded", from, 30_000);
    assert.match(unloaded.message, /Unloaded because it was unused for 3 s in a background window\.$/);
  });

  test("back in the foreground, only the idle time applies", async () => {
    await client.connection.sendNotification(WindowStateNotification, { focused: true });
    assert.equal((await complete()).length, 1);
    const from = client.statuses.length;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const unloads: ServerStatus[] = client.statuses.slice(from).filter((status) => status.state === "unloaded");
    assert.deepEqual(unloads, []);
    assert.equal(client.lastStatus?.state, "ready");
  });
});
