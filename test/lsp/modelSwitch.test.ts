// A model switch or a shutdown aborts what runs on the old model instead of waiting for it (issue 16, item 1).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { CancellationTokenSource, InlineCompletionRequest, InlineCompletionTriggerKind, ShutdownRequest } from "vscode-languageserver-protocol/node";
import { fimModel } from "../fixtures/fixtureModels";
import { realisticModel } from "../fixtures/realisticModel";
import { fileUri, LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");
/** Large enough that 512 tokens take seconds on a CPU; greedy decoding on its random weights never ends early. */
const SLOW_SHAPE = { embeddingLength: 64, blockCount: 2, headCount: 1, headCountKv: 1, feedForwardLength: 64, seed: 1 };
const MAX_TOKENS = 512;

function settingsFor(modelPath: string) {
  return { model: { path: modelPath }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens: MAX_TOKENS } };
}

/** An invoked request (no debounce) for a completion at the end of `text`. */
function requestCompletion(client: LspTestClient, uri: string, line: number, character: number, cancel?: CancellationTokenSource) {
  return client.connection.sendRequest(
    InlineCompletionRequest.type,
    { textDocument: { uri }, position: { line, character }, context: { triggerKind: InlineCompletionTriggerKind.Invoked } },
    cancel?.token,
  );
}

describe("switching models while a long completion generates", () => {
  /** Generates 512 tokens slowly. */
  let slow: string;
  /** The designed tiny model: loads in a moment, so the time to settle after a switch is the time the old generation holds it up. */
  let quick: string;
  let client: LspTestClient;
  const uri = fileUri("switch.ts");
  const text = "function add(a: number, b: number) {\n  ";

  before(async () => {
    slow = await realisticModel(MODEL_DIR, SLOW_SHAPE);
    quick = await fimModel(MODEL_DIR);
    client = await LspTestClient.start({ settings: settingsFor(slow) });
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
    await client.open(uri, text);
  });

  after(async () => {
    if (client.process.exitCode === null) await client.stop();
  });

  test("a full 512-token completion takes over a second here (the premise of the tests below)", async () => {
    const startedAt = performance.now();
    const items = await requestCompletion(client, uri, 1, 2);
    const elapsedMs = performance.now() - startedAt;
    assert.ok(elapsedMs > 1000, `a ${MAX_TOKENS}-token completion took only ${elapsedMs.toFixed(0)} ms: ${JSON.stringify(items)}\n${client.logs.join("\n")}`);
    assert.ok(client.logs.some((line) => line.includes(`${MAX_TOKENS} generated`)), client.logs.join("\n"));
  });

  test("the new model is checked and waiting within 1 s of the settings change, and the old model's answer never arrives", async () => {
    // A different document state, so that the cache cannot answer.
    await client.replaceText(uri, `${text}const x = `);
    const pending = requestCompletion(client, uri, 1, 12);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const from = client.statuses.length;
    const changedAt = performance.now();
    client.settings = settingsFor(quick);
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: null });
    const settled = await client.waitForStatus((s) => s.state === "unloaded", from, 10_000);
    const settledMs = performance.now() - changedAt;
    assert.match(settled.message, /^Pocket Coder designed FIM model loads on first use\./);
    assert.ok(settledMs < 1000, `the new model was checked ${settledMs.toFixed(0)} ms after the change\n${client.logs.join("\n")}`);
    const answer = await pending;
    assert.deepEqual(answer === null ? [] : Array.isArray(answer) ? answer : answer.items, [], "the old model's completion was not delivered");
  });

  test("two shutdown requests during a generation both answer at once, without 'Object is disposed'", async () => {
    assert.equal((await client.changeSettings(settingsFor(slow))).state, "unloaded");
    assert.equal((await client.waitForModel(client.statuses.length - 1)).state, "ready");
    await client.replaceText(uri, `${text}let y = `);
    const pending = requestCompletion(client, uri, 1, 10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const startedAt = performance.now();
    const shutdowns = await Promise.allSettled([
      client.connection.sendRequest(ShutdownRequest.type),
      client.connection.sendRequest(ShutdownRequest.type),
    ]);
    const elapsedMs = performance.now() - startedAt;
    for (const outcome of shutdowns) assert.equal(outcome.status, "fulfilled", JSON.stringify(outcome));
    assert.ok(elapsedMs < 1000, `shutdown took ${elapsedMs.toFixed(0)} ms`);
    await pending.catch(() => undefined);
    const logged = [...client.logs, ...client.stderr].join("\n");
    assert.doesNotMatch(logged, /Object is disposed/);
    const exited = new Promise((resolve) => client.process.once("exit", resolve));
    await client.connection.sendNotification("exit");
    await exited;
  });
});
