// How a remote engine counts tokens for window budgets and which context it uses. Pure rules, then the engines against
// the loopback fake (test/fixtures/fakeEngineServer.ts: one token per character; vLLM and Ollama cannot run here).
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { DEFAULT_SETTINGS, type EngineSettings } from "../../../src/shared/settings";
import { chooseContextSize, OLLAMA_AUTO_CONTEXT_LIMIT } from "../../../src/server/engines/engineContextSize";
import { DEFAULT_CHARS_PER_TOKEN, LearntTokenCount } from "../../../src/server/engines/learntTokenCount";
import { modelContextLength } from "../../../src/server/engines/ollamaEngine";
import { openRemoteEngine } from "../../../src/server/engines/openRemoteEngine";
import type { RemoteEngine } from "../../../src/server/engines/RemoteEngine";
import { FakeEngineServer, SPECIAL_TOKENS } from "../../fixtures/fakeEngineServer";

describe("LearntTokenCount", () => {
  test("the default ratio until enough was seen, then the server's ratio with a margin that counts a little high", () => {
    const count = new LearntTokenCount();
    assert.equal(count.charsPerToken, DEFAULT_CHARS_PER_TOKEN);
    count.observe(120, 30);
    assert.equal(count.isLearnt, false, "30 tokens say little");
    assert.equal(count.count("x".repeat(30)), 10);
    count.observe(280, 70);
    assert.equal(count.isLearnt, true);
    assert.ok(Math.abs(count.charsPerToken - 4 * 0.9) < 1e-9, String(count.charsPerToken));
    assert.equal(count.count("x".repeat(36)), 10);
    assert.ok(count.count("x".repeat(400)) >= 100, "never fewer tokens than the server counted");
  });

  test("nonsense is ignored; the ratio stays within 1..8; old text counts less once much was seen", () => {
    const count = new LearntTokenCount();
    count.observe(0, 10);
    count.observe(10, 0);
    count.observe(Number.NaN, 5);
    assert.equal(count.isLearnt, false);
    count.observe(50, 100);
    assert.equal(count.charsPerToken, 1);
    const drifting = new LearntTokenCount();
    drifting.observe(200_000, 40_000);
    drifting.observe(60_000, 20_000); // past 50 000 tokens: what came so far counts half
    drifting.observe(30_000, 10_000);
    // A plain average would be 290 000 / 70 000 = 4.14 characters per token; halved history gives 160 000 / 40 000.
    assert.ok(Math.abs(drifting.charsPerToken - 4 * 0.9) < 1e-9, String(drifting.charsPerToken));
  });
});

describe("chooseContextSize", () => {
  test("the setting wins but never beyond what the server states; automatic takes the stated size up to a limit", () => {
    assert.equal(chooseContextSize(8192, 0), 8192);
    assert.equal(chooseContextSize(32768, 0, OLLAMA_AUTO_CONTEXT_LIMIT), 8192);
    assert.equal(chooseContextSize(2048, 0, OLLAMA_AUTO_CONTEXT_LIMIT), 2048);
    assert.equal(chooseContextSize(32768, 16384, OLLAMA_AUTO_CONTEXT_LIMIT), 16384);
    assert.equal(chooseContextSize(8192, 16384), 8192);
    assert.equal(chooseContextSize(undefined, 0), 4096);
    assert.equal(chooseContextSize(undefined, 12000), 12000);
    assert.equal(chooseContextSize(0, 0), 4096);
  });

  test("Ollama's context length is read from model_info under the model's own architecture", () => {
    assert.equal(modelContextLength({ model_info: { "general.architecture": "qwen2", "qwen2.context_length": 32768, "clip.context_length": 77 } }), 32768);
    assert.equal(modelContextLength({ model_info: { "starcoder2.context_length": 16384 } }), 16384);
    assert.equal(modelContextLength({}), undefined);
  });
});

let fake: FakeEngineServer | undefined;
let engine: RemoteEngine | undefined;
afterEach(async () => {
  await engine?.dispose();
  await fake?.kill().catch(() => undefined);
  engine = undefined;
  fake = undefined;
});

async function open(kind: "llama-server" | "openai" | "ollama", extra: Partial<EngineSettings> = {}): Promise<RemoteEngine> {
  engine = await openRemoteEngine({ ...DEFAULT_SETTINGS.engine, url: fake!.url, ...extra, kind }, { onHealth: () => undefined, log: () => undefined });
  return engine;
}

const longText = "export function sum(values: number[]): number {\n  return values.reduce((total, value) => total + value, 0);\n}\n";
const prompt = [
  { kind: "special" as const, text: SPECIAL_TOKENS[0]! }, { kind: "text" as const, text: longText },
  { kind: "special" as const, text: SPECIAL_TOKENS[1]! }, { kind: "text" as const, text: "\n" }, { kind: "special" as const, text: SPECIAL_TOKENS[2]! },
];
const generate = (opened: RemoteEngine) => opened.generator.generate(prompt, { maxTokens: 8, stopTexts: [], signal: new AbortController().signal });

describe("remote token counts", () => {
  test("llama-server: the ratio comes from its /tokenize at open; counting for budgets sends no request", async () => {
    fake = await FakeEngineServer.start();
    const opened = await open("llama-server");
    const before = fake.requests.length;
    // The fake tokenizer: one token per character, so budgets count one token per character too (not 3 per token).
    assert.equal(opened.generator.countTokens("x".repeat(300)), 300);
    assert.equal(opened.explainer.countTokens("y".repeat(50)), 50);
    assert.equal(fake.requests.length, before, "no request on the typing path");
  });

  test("openai: the ratio is learnt from usage.prompt_tokens of completions, less the control tokens", async () => {
    fake = await FakeEngineServer.start({ modelId: "Qwen2.5-Coder-1.5B" });
    const opened = await open("openai");
    assert.equal(opened.generator.countTokens("x".repeat(300)), 100, "3 characters per token until the server said more");
    await generate(opened);
    assert.equal(opened.generator.countTokens("x".repeat(300)), 300);
  });

  test("ollama: num_ctx follows the model (up to 8192) or pocketCoder.engine.contextSize, never beyond the model", async () => {
    for (const [modelContext, setting, expected] of [[2048, 0, 2048], [32768, 0, 8192], [32768, 16384, 16384], [4096, 16384, 4096]] as const) {
      fake = await FakeEngineServer.start({ modelId: "qwen2.5-coder:1.5b-base", contextSize: modelContext });
      const opened = await open("ollama", { model: "qwen2.5-coder:1.5b-base", contextSize: setting });
      assert.equal(opened.generator.contextSize, expected);
      await generate(opened);
      assert.equal((fake.requestsTo("/api/generate")[0]!.body["options"] as { num_ctx: number }).num_ctx, expected, `${modelContext}/${setting}`);
      assert.equal(opened.generator.countTokens("x".repeat(300)), 100, "Ollama cannot tokenize: the default ratio");
      await engine?.dispose();
      await fake.kill();
      engine = undefined;
      fake = undefined;
    }
  });
});
