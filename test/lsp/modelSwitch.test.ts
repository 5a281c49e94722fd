// A model switch or a shutdown aborts what runs on the old model instead of waiting for it (issue 16, item 1).
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { CancellationTokenSource, InlineCompletionRequest, InlineCompletionTriggerKind, ShutdownRequest } from "vscode-languageserver-protocol/node";
import { fimModel } from "../fixtures/fixtureModels";
import { realisticModel } from "../fixtures/realisticModel";
import { fileUri, LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");
/** Large enough that 1,024 tokens take over a second on a CPU; greedy decoding on its random weights never ends early. */
const SLOW_SHAPE = { embeddingLength: 64, blockCount: 2, headCount: 1, headCountKv: 1, feedForwardLength: 64, seed: 1 };
const MAX_TOKENS = 1024;

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
  /** Generates 1,024 tokens slowly. */
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

  test("a full 1,024-token completion takes over a second here (the premise of the tests below)", async () => {
    const startedAt = performance.now();
    const items = await requestCompletion(client, uri, 1, 2);
    const elapsedMs = performance.now() - startedAt;
    assert.ok(elapsedMs > 1000, `a ${MAX_TOKENS}-token completion took only ${elapsedMs.toFixed(0)} ms: ${JSON.stringify(items)}\n${client.logs.join("\n")}`);
    // Its random weights may settle (post-processing sees no change coming) after hundreds of tokens: still long enough.
    const generated = Number(/ (\d+) generated/.exec(client.logs.filter((line) => line.startsWith("completion (model)")).at(-1) ?? "")?.[1] ?? 0);
    assert.ok(generated >= 512, client.logs.join("\n"));
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

  test("two shutdown requests during a generation answer at once: the first done, the second -32600, no 'Object is disposed'", async () => {
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
    assert.equal(shutdowns[0].status, "fulfilled", JSON.stringify(shutdowns[0]));
    // LSP: a request after shutdown is an InvalidRequest.
    assert.equal(shutdowns[1].status === "rejected" && (shutdowns[1].reason as { code?: number }).code, -32600, JSON.stringify(shutdowns[1]));
    assert.ok(elapsedMs < 1000, `shutdown took ${elapsedMs.toFixed(0)} ms`);
    await pending.catch(() => undefined);
    const logged = [...client.logs, ...client.stderr].join("\n");
    assert.doesNotMatch(logged, /Object is disposed/);
    const exited = new Promise((resolve) => client.process.once("exit", resolve));
    await client.connection.sendNotification("exit");
    await exited;
  });
});
