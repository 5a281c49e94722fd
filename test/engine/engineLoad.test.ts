// Several developers at once against one real llama-server with 4 slots, each through their own language server
// (dist/server.js, engine.kind "llama-server"), typing for a bounded time: every request must end answered or
// cancelled by a newer one — none failed, none left unanswered, none hung — and the server's slots end idle.
// `npm run bench -- --engine-load` is the same run at full size, with figures.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { busySlotsAfter, runDevelopers, type LoadResult } from "../../bench/lib/engineLoad";
import { completed } from "../../bench/lib/serverSession";
import { FULL_PLAN, sampleDocument } from "../../bench/lib/sessionPlans";
import { llamaServerTestGate, startLlamaServer, type LlamaServer } from "../fixtures/llamaServer";
import { realisticModel } from "../fixtures/realisticModel";

const gate = llamaServerTestGate();
const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const SERVER_MAIN = path.join(REPO_ROOT, "dist", "server.js");
const DEVELOPERS = 8;
const SLOTS = 4;
const SECONDS = 20;
const REQUEST_TIMEOUT_MS = 30_000;

describe(`${DEVELOPERS} developers typing against one llama-server with ${SLOTS} slots`, { skip: gate.skip, timeout: 180_000 }, () => {
  let server: LlamaServer;
  let result: LoadResult;
  before(async () => {
    assert.ok(fs.existsSync(SERVER_MAIN), `${SERVER_MAIN} is missing: run npm run build`);
    // A small random-weight model with the real vocabulary: greedy decoding runs every completion to maxTokens, cheaply.
    const modelPath = await realisticModel(path.join(REPO_ROOT, ".test-models"),
      { embeddingLength: 64, blockCount: 2, headCount: 1, headCountKv: 1, feedForwardLength: 64, seed: 1 });
    server = await startLlamaServer({ modelPath, slots: SLOTS, ctxSize: 4096 * SLOTS, extraArgs: ["--cache-reuse", "256"] });
    result = await runDevelopers({
      repoRoot: REPO_ROOT, serverMain: SERVER_MAIN, engineUrl: server.url, enginePid: server.pid, developers: DEVELOPERS, seconds: SECONDS,
      maxTokens: 16, requestTimeoutMs: REQUEST_TIMEOUT_MS, sample: sampleDocument(),
      plan: { ...FULL_PLAN, rounds: Number.MAX_SAFE_INTEGER, coldPerRound: 1, cursorMovesPerRound: 2 },
      log: () => undefined,
    });
  });
  after(async () => {
    await server?.stop();
  });

  test("every request is answered or cancelled by a newer one: none failed, unanswered or hung", (t) => {
    t.diagnostic(`counts ${JSON.stringify(result.counts)}`);
    assert.deepEqual(result.errors, []);
    assert.equal(result.counts.error, 0);
    assert.equal(result.counts.unsettled, 0);
    assert.equal(result.counts.hung, 0);
    // Typing supersedes requests all the time: both endings happen.
    assert.ok(result.counts.cancelled > 0, `some requests were cancelled: ${JSON.stringify(result.counts)}`);
    // No developer is starved: each one's pauses were answered (with a suggestion, or empty where post-processing
    // dropped the random model's text), and suggestions did come.
    for (const outcome of result.developers) {
      assert.equal(outcome.failure, undefined, `developer ${outcome.developer}`);
      assert.ok(completed(outcome.records).length > 0, `developer ${outcome.developer} was answered where they paused`);
    }
    assert.ok(result.developers.some((outcome) => completed(outcome.records).some((record) => (record.items ?? 0) > 0)), "suggestions came");
  });

  test("after the run every slot of the server is idle", async () => {
    assert.equal(await busySlotsAfter(server.url, 5000), 0);
  });
});
