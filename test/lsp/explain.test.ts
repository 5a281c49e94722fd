// pocketCoder/explain against the real server process and designed models: streaming over $/progress,
// cancellation (mid-prompt, before dispatch, by a newer request), errors, truncation, and completions meanwhile.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { CancellationTokenSource, LSPErrorCodes, ErrorCodes } from "vscode-languageserver-protocol/node";
import { CHAT_ANSWER, chatModel, FIM_COMPLETION, XSS_ANSWER, xssChatModel } from "../fixtures/fixtureModels";
import { fileUri, LspTestClient, REPO_ROOT, type ExplainExchange } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");
const CHAT_TOKENS = ["This", " function", " adds", " two", " numbers.", "\n\n", "```js\n", "add(1, 2);", " // 3", "\n```"];

function settingsFor(modelPath: string, explainModelPath = "") {
  return {
    model: { path: modelPath }, gpu: "cpu", threads: 1,
    completion: { enabled: true, maxTokens: 64 },
    explain: { model: { path: explainModelPath }, maxTokens: 64 },
  };
}

const ADD = "function add(a, b) {\n  return a + b;\n}\n";
const wholeOf = (text: string) => {
  const lines = text.split("\n");
  return { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines.at(-1)?.length ?? 0 } };
};
/** ~3,000 prompt tokens on the tiny model's tokenizer: its evaluation takes a few hundred milliseconds. */
const longCode = (name: string) => `${`let ${name} = 1;\n`.repeat(190)}${ADD}`;
const texts = (exchange: ExplainExchange) => exchange.chunks.map((chunk) => chunk.text).filter((text) => text !== "");
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("pocketCoder/explain against the real server process", () => {
  let client: LspTestClient;
  let modelPath: string;

  before(async () => {
    modelPath = await chatModel(MODEL_DIR);
    client = await LspTestClient.start({ settings: settingsFor(modelPath) });
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  test("streams the designed answer chunk by chunk, in order; the chunks concatenate to the result", async () => {
    const uri = fileUri("src/explain-add.js");
    await client.open(uri, ADD, "javascript");
    const exchange = await client.explain({ textDocument: { uri }, range: wholeOf(ADD) });
    assert.equal(exchange.error, undefined, exchange.error?.message);
    assert.deepEqual(texts(exchange), CHAT_TOKENS);
    assert.ok(exchange.batches.length >= CHAT_TOKENS.length, `streamed in ${exchange.batches.length} notifications`);
    assert.deepEqual(exchange.result, { text: CHAT_ANSWER, model: "Pocket Coder designed chat model", stopReason: "done" });
    assert.equal(exchange.chunks.map((chunk) => chunk.text).join(""), exchange.result?.text);
  });

  test("cancelling during prompt evaluation ends the request early with stopReason \"cancelled\"", async () => {
    const fullUri = fileUri("src/explain-long-full.js");
    await client.open(fullUri, longCode("full"), "javascript");
    const full = await client.explain({ textDocument: { uri: fullUri }, range: wholeOf(longCode("full")) });
    assert.equal(full.result?.text, CHAT_ANSWER);
    assert.ok(full.totalMs >= 200, `the long explanation takes ${full.totalMs.toFixed(0)} ms, long enough to cancel mid-prompt`);

    const uri = fileUri("src/explain-long-cancel.js");
    await client.open(uri, longCode("cancelled"), "javascript");
    const source = new CancellationTokenSource();
    const running = client.explain({ textDocument: { uri }, range: wholeOf(longCode("cancelled")) }, { cancel: source });
    await delay(40);
    source.cancel();
    const exchange = await running;
    assert.equal(exchange.error, undefined, exchange.error?.message);
    assert.equal(exchange.result?.stopReason, "cancelled");
    assert.equal(exchange.result?.text, "");
    assert.deepEqual(texts(exchange), []);
    assert.ok(exchange.totalMs < full.totalMs * 0.8, `cancelled after ${exchange.totalMs.toFixed(0)} ms; a full run takes ${full.totalMs.toFixed(0)} ms`);
  });

  test("a request cancelled before the server starts on it is answered \"cancelled\" at once", async () => {
    const uri = fileUri("src/explain-precancelled.js");
    await client.open(uri, longCode("pre"), "javascript");
    const source = new CancellationTokenSource();
    const running = client.explain({ textDocument: { uri }, range: wholeOf(longCode("pre")) }, { cancel: source });
    source.cancel(); // `$/cancelRequest` right behind the request: it reaches the server before the handler runs
    const exchange = await running;
    assert.equal(exchange.result?.stopReason, "cancelled");
    assert.deepEqual(texts(exchange), []);
  });

  test("a newer explain request cancels the older one", async () => {
    const olderUri = fileUri("src/explain-older.js");
    await client.open(olderUri, longCode("older"), "javascript");
    const newerUri = fileUri("src/explain-newer.js");
    await client.open(newerUri, ADD, "javascript");
    const older = client.explain({ textDocument: { uri: olderUri }, range: wholeOf(longCode("older")) });
    await delay(40);
    const newer = await client.explain({ textDocument: { uri: newerUri }, range: wholeOf(ADD) });
    const olderExchange = await older;
    assert.equal(olderExchange.result?.stopReason, "cancelled");
    assert.deepEqual(texts(olderExchange), []);
    assert.equal(newer.result?.stopReason, "done");
    assert.equal(newer.result?.text, CHAT_ANSWER);
  });

  test("a 10,000-line selection is cut to fit, the note arrives first and is in the result", async () => {
    const uri = fileUri("src/explain-huge.js");
    const huge = `${Array.from({ length: 10_000 }, (_, i) => `total += values[${i}];`).join("\n")}\n`;
    await client.open(uri, huge, "javascript");
    const exchange = await client.explain({ textDocument: { uri }, range: wholeOf(huge) });
    assert.equal(exchange.error, undefined, exchange.error?.message);
    const note = exchange.result?.truncationNote;
    assert.match(note ?? "", /^The code \(lines 1–10,000\) is too long for the model's context \(4,096 tokens\): only lines 1–[\d,]+ were explained; the last [\d,]+ lines were left out\.$/);
    assert.deepEqual(exchange.chunks[0], { text: "", truncationNote: note });
    assert.equal(exchange.result?.text, CHAT_ANSWER);
    assert.deepEqual(texts(exchange), CHAT_TOKENS);
  });

  test("completions are still answered while an explanation is being generated", async () => {
    const explainUri = fileUri("src/explain-concurrent.js");
    await client.open(explainUri, longCode("concurrent"), "javascript");
    const completeUri = fileUri("src/complete-concurrent.js");
    await client.open(completeUri, "function add(a, b) {\n  \n}\n", "javascript");
    // Warm the completion sequence, so the completion below is quick whatever the debounce learned.
    assert.equal((await client.complete(completeUri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);

    let explainDone = false;
    const explanation = client.explain({ textDocument: { uri: explainUri }, range: wholeOf(longCode("concurrent")) })
      .then((exchange) => {
        explainDone = true;
        return exchange;
      });
    await delay(30);
    await client.replaceText(completeUri, "function add(x, y) {\n  \n}\n");
    const items = await client.complete(completeUri, { line: 1, character: 2 });
    const answeredDuringExplain = !explainDone;
    const exchange = await explanation;
    assert.equal(items[0]?.insertText, FIM_COMPLETION);
    assert.ok(answeredDuringExplain, `the completion waited for the explanation (${exchange.totalMs.toFixed(0)} ms)`);
    assert.equal(exchange.result?.text, CHAT_ANSWER);
  });

  test("a document the server does not have is an invalid request", async () => {
    const exchange = await client.explain({ textDocument: { uri: fileUri("src/never-opened.js") }, range: wholeOf(ADD) });
    assert.equal(exchange.error?.code, ErrorCodes.InvalidParams);
    assert.match(exchange.error?.message ?? "", /is not open on the server/);
  });

  test("explain.model.path: a separate chat model explains, loaded without reloading the completion model", async () => {
    const xssPath = await xssChatModel(MODEL_DIR);
    const from = client.statuses.length;
    await client.changeSettings(settingsFor(modelPath, xssPath));
    const uri = fileUri("src/explain-separate.js");
    await client.open(uri, ADD, "javascript");
    const exchange = await client.explain({ textDocument: { uri }, range: wholeOf(ADD) });
    assert.equal(exchange.error, undefined, exchange.error?.message);
    assert.deepEqual(exchange.result, { text: XSS_ANSWER, model: "Pocket Coder designed XSS chat model", stopReason: "done" });
    assert.deepEqual(client.statuses.slice(from).filter((status) => status.state === "loadingModel"), [], "the completion model was not reloaded");
    const completeUri = fileUri("src/complete-separate.js");
    await client.open(completeUri, "function add(a, b) {\n  \n}\n", "javascript");
    assert.equal((await client.complete(completeUri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);

    // Replacing the explain model while it explains ends that request with a clear error.
    const longUri = fileUri("src/explain-separate-long.js");
    await client.open(longUri, longCode("separate"), "javascript");
    const running = client.explain({ textDocument: { uri: longUri }, range: wholeOf(longCode("separate")) });
    await delay(30);
    client.settings = settingsFor(modelPath, modelPath);
    await client.connection.sendNotification("workspace/didChangeConfiguration", { settings: null });
    const interrupted = await running;
    assert.equal(interrupted.error?.code, LSPErrorCodes.RequestFailed, JSON.stringify(interrupted));
    assert.match(interrupted.error?.message ?? "", /The model was unloaded while explaining \(its settings changed\)\. Run Explain again\./);

    // A path that is not a model: explanations say why; completion goes on.
    await client.changeSettings(settingsFor(modelPath, "/nonexistent/explain.gguf"));
    const missing = await client.explain({ textDocument: { uri }, range: wholeOf(ADD) });
    assert.equal(missing.error?.code, LSPErrorCodes.RequestFailed);
    assert.match(missing.error?.message ?? "", /^The explain model \(pocketCoder\.explain\.model\.path\) could not be loaded: .*nonexistent.*Choose another GGUF file, or clear the setting/s);
    assert.equal((await client.complete(completeUri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);

    await client.changeSettings(settingsFor(modelPath));
    assert.equal((await client.explain({ textDocument: { uri }, range: wholeOf(ADD) })).result?.text, CHAT_ANSWER);
  });
});

describe("pocketCoder/explain without a model", () => {
  test("answers an error that says what to do", async () => {
    const client = await LspTestClient.start({ settings: settingsFor("") });
    try {
      await client.waitForStatus((s) => s.state === "error");
      const uri = fileUri("src/no-model.js");
      await client.open(uri, ADD, "javascript");
      const exchange = await client.explain({ textDocument: { uri }, range: wholeOf(ADD) });
      assert.equal(exchange.error?.code, LSPErrorCodes.RequestFailed);
      assert.match(exchange.error?.message ?? "", /^No model is loaded to explain with: No model is configured\. Choose a GGUF code model file/);
      assert.deepEqual(exchange.error?.data, { kind: "noModel" });
    } finally {
      assert.equal(await client.stop(), 0);
    }
  });
});
