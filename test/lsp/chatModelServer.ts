import assert from "node:assert/strict";
import * as path from "node:path";
import { chatModel } from "../fixtures/fixtureModels";
import { LspTestClient, REPO_ROOT } from "./LspTestClient";

/**
 * The built server with the designed chat model loaded: it completes and explains, so a suite can send both kinds of
 * request (the odd-documents and storm suites).
 */
export async function startChatModelServer(): Promise<LspTestClient> {
  const modelPath = await chatModel(path.join(REPO_ROOT, ".test-models"));
  const client = await LspTestClient.start({
    settings: { model: { path: modelPath }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens: 32 }, explain: { maxTokens: 64 } },
  });
  const status = await client.waitForModel();
  assert.equal(status.state, "ready", status.message);
  return client;
}
