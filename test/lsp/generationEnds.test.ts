// How a completion's generation ends: the true stop reason in the log, and never half a character in the text.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { tinyModelFile, type fimModelSpec } from "../fixtures/fixtureModels";
import { fileUri, LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");

/**
 * After the cursor line's two spaces (the prompt's last token): `const s = €;` where "€" (E2 82 AC) comes as three
 * byte-fallback tokens, then EOS.
 */
const euroModelSpec: typeof fimModelSpec = {
  name: "Pocket Coder designed multi-byte model",
  fim: "metadata",
  chains: [{ after: "  ", emit: ["const", " s", " =", " ", "<0xE2>", "<0x82>", "<0xAC>", ";"] }],
};
const TOKENS_BEFORE_EURO = 4;
const settingsWith = (modelPath: string, maxTokens: number) =>
  ({ model: { path: modelPath }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens } });
const CODE = "function f() {\n  \n}\n";

describe("how a generation ends", () => {
  let client: LspTestClient;
  let modelPath: string;
  let documents = 0;

  before(async () => {
    modelPath = await tinyModelFile(MODEL_DIR, "euro", euroModelSpec);
    client = await LspTestClient.start({ settings: settingsWith(modelPath, 64) });
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  /** A completion in a fresh document, and the stop reason the server logged for it. */
  async function completeFresh(): Promise<{ text: string | undefined; stopReason: string | undefined }> {
    // A different text each time: the server caches completions by prompt.
    const uri = fileUri(`src/ends-${++documents}.ts`);
    await client.open(uri, `// ${documents}\n${CODE}`);
    const logsBefore = client.logs.length;
    const [item] = await client.complete(uri, { line: 2, character: 2 });
    const line = client.logs.slice(logsBefore).find((message) => message.startsWith("completion ("));
    return { text: typeof item?.insertText === "string" ? item.insertText : undefined, stopReason: /generated \((\w+)\)/.exec(line ?? "")?.[1] };
  }

  test("a generation that reaches end-of-generation is logged as endOfGeneration, with the whole character", async () => {
    const { text, stopReason } = await completeFresh();
    assert.equal(text, "const s = €;");
    assert.equal(stopReason, "endOfGeneration");
  });

  test("the token limit inside a multi-byte character: no U+FFFD; the cut line, waiting for its value, is not offered", async () => {
    for (const cut of [1, 2]) {
      await client.changeSettings(settingsWith(modelPath, TOKENS_BEFORE_EURO + cut));
      const { text, stopReason } = await completeFresh();
      // The generator's text ends before the character ("const s = "); post-processing drops a line cut by the token
      // limit that still waits for more, so no suggestion at all rather than a broken or dangling one.
      assert.equal(text, undefined);
      assert.equal(stopReason, "maxTokens");
    }
  });

  test("the token limit right after the character keeps it", async () => {
    await client.changeSettings(settingsWith(modelPath, TOKENS_BEFORE_EURO + 3));
    const { text, stopReason } = await completeFresh();
    assert.equal(text, "const s = €");
    assert.equal(stopReason, "maxTokens");
  });
});
