// The remote engines against a loopback fake that speaks each API's documented shape and records the requests
// (vLLM and Ollama cannot run here; llama-server failure modes are forced). See test/fixtures/fakeEngineServer.ts.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { ServerProblem } from "../../../src/shared/protocol";
import { DEFAULT_SETTINGS, type EngineSettings } from "../../../src/shared/settings";
import { EngineError } from "../../../src/server/engines/http/EngineHttp";
import { openRemoteEngine } from "../../../src/server/engines/openRemoteEngine";
import type { RemoteEngine } from "../../../src/server/engines/RemoteEngine";
import { fimFamilyByName } from "../../../src/server/engines/remoteFim";
import { FakeEngineServer, SPECIAL_TOKENS } from "../../fixtures/fakeEngineServer";

const prompt = [
  { kind: "special" as const, text: "<|fim_prefix|>" }, { kind: "text" as const, text: "function add(a, b) {\n  " },
  { kind: "special" as const, text: "<|fim_suffix|>" }, { kind: "text" as const, text: "\n}\n" }, { kind: "special" as const, text: "<|fim_middle|>" },
];
const options = (signal = new AbortController().signal) => ({ maxTokens: 32, stopTexts: ["<|endoftext|>", "<|file_sep|>"], signal });

let fake: FakeEngineServer | undefined;
let engine: RemoteEngine | undefined;
afterEach(async () => {
  await engine?.dispose();
  await fake?.kill().catch(() => undefined);
  engine = undefined;
  fake = undefined;
});

function settings(kind: EngineSettings["kind"], url: string, extra: Partial<EngineSettings> = {}) {
  return { ...DEFAULT_SETTINGS.engine, kind, url, ...extra } as EngineSettings & { kind: Exclude<EngineSettings["kind"], "local"> };
}

async function open(
  kind: EngineSettings["kind"], extra: Partial<EngineSettings> = {},
  more: { apiKey?: string; onHealth?: (problem: ServerProblem | undefined) => void; timeoutMs?: number; completionDeadlineMs?: number; log?: (line: string) => void } = {},
) {
  engine = await openRemoteEngine(settings(kind, fake!.url, extra), {
    onHealth: more.onHealth ?? (() => undefined), log: more.log ?? (() => undefined),
    ...(more.completionDeadlineMs === undefined ? {} : { completionDeadlineMs: more.completionDeadlineMs }),
    ...(more.apiKey === undefined ? {} : { apiKey: more.apiKey }), ...(more.timeoutMs === undefined ? {} : { timeoutMs: more.timeoutMs }),
  });
  return engine;
}

describe("llama-server engine", () => {
  test("pieces prepared during the debounce are tokenized once, and one caller's abort does not fail the next", async () => {
    fake = await FakeEngineServer.start({});
    const opened = await open("llama-server");
    const before = fake.requestsTo("/tokenize").length;
    opened.generator.prepare?.(prompt);
    const first = await opened.generator.generate(prompt, options());
    assert.equal(first.text, "return a + b;");
    assert.equal(fake.requestsTo("/tokenize").length - before, prompt.length, "each piece once, the prepared requests shared");

    const changed = [...prompt.slice(0, 1), { kind: "text" as const, text: "function sub(a, b) {\n  " }, ...prompt.slice(2)];
    const superseded = new AbortController();
    const abandoned = opened.generator.generate(changed, options(superseded.signal));
    superseded.abort();
    const next = await opened.generator.generate(changed, options());
    assert.equal((await abandoned).stopReason, "aborted");
    assert.equal(next.text, "return a + b;", "the piece's /tokenize, started by the superseded request, still serves the next");
  });

  test("a completion still streaming at its deadline is given up, answers empty and leaves the engine up", async () => {
    fake = await FakeEngineServer.start({ completion: ["return", " a", " +", " b", ";", ""], pieceDelayMs: 150 });
    const problems: Array<ServerProblem | undefined> = [];
    const lines: string[] = [];
    const opened = await open("llama-server", {}, { completionDeadlineMs: 300, onHealth: (problem) => problems.push(problem), log: (line) => lines.push(line) });
    const startedAt = performance.now();
    const given = await opened.generator.generate(prompt, options());
    assert.ok(performance.now() - startedAt < 700, `given up after ${(performance.now() - startedAt).toFixed(0)} ms`);
    assert.equal(given.stopReason, "aborted");
    assert.equal(given.text, "");
    assert.ok(lines.some((line) => /did not finish a completion within 0\.3 s .*given up/.test(line)), lines.join("\n"));
    assert.ok(problems.every((problem) => problem === undefined), "giving up is no outage");
    const next = await opened.generator.generate(prompt, options());
    assert.equal(next.stopReason, "aborted", "the next request runs (and meets the same short deadline) instead of failing fast");
    assert.equal(fake.requestsTo("/completion").length, 2);
  });

  test("learns model, context, slots and FIM family; sends token-exact prompts with cache_prompt; streams the text", async () => {
    fake = await FakeEngineServer.start({ modelId: "qwen2.5-coder-1.5b-q8_0", contextSize: 8192, slots: 4 });
    const opened = await open("llama-server");
    assert.equal(opened.fim.id, "qwen2.5-coder");
    assert.deepEqual(opened.status.engine, { kind: "llama-server", url: `${fake.url}/`, host: `127.0.0.1:${fake.port}`, model: "qwen2.5-coder-1.5b-q8_0", slots: 4 });
    assert.equal(opened.generator.contextSize, 8192);

    const result = await opened.generator.generate(prompt, options());
    assert.equal(result.text, "return a + b;");
    assert.equal(result.stopReason, "endOfGeneration");
    assert.equal(result.generatedTokens, 4);
    assert.equal(result.engineMs, 80, "llama-server's own prompt + generation time");
    const body = fake.requestsTo("/completion")[0]!.body;
    assert.equal(body["cache_prompt"], true);
    assert.equal(body["stream"], true);
    assert.equal(body["n_predict"], 32);
    assert.deepEqual(body["stop"], ["<|endoftext|>", "<|file_sep|>"]);
    const tokens = body["prompt"] as number[];
    assert.equal(tokens[0], 100_000 + SPECIAL_TOKENS.indexOf("<|fim_prefix|>"), "control tokens are sent as their ids");
    assert.equal(tokens.at(-1), 100_000 + SPECIAL_TOKENS.indexOf("<|fim_middle|>"));
    assert.ok(tokens.every((token) => typeof token === "number"));
    // Document text is tokenized without special parsing: "<|fim_prefix|>" typed in a file stays text.
    for (const request of fake.requestsTo("/tokenize")) {
      if (request.body["content"] === "function add(a, b) {\n  ") assert.equal(request.body["parse_special"], false);
    }
  });

  test("the stable prompt head is tokenized once: the next request only tokenizes what changed", async () => {
    fake = await FakeEngineServer.start();
    const opened = await open("llama-server");
    await opened.generator.generate(prompt, options());
    const before = fake.requestsTo("/tokenize").length;
    await opened.generator.generate([...prompt.slice(0, 4), { kind: "text", text: "\n}\n// more" }, prompt[4]!], options());
    assert.equal(fake.requestsTo("/tokenize").length - before, 1);
  });

  test("a settled completion closes its request: the server is told to stop generating", async () => {
    fake = await FakeEngineServer.start({ completion: ["return a;", "\n", "}", "\n", "more", " text"], pieceDelayMs: 30 });
    const opened = await open("llama-server");
    const result = await opened.generator.generate(prompt, { ...options(), isSettled: (text) => text.includes("\n") });
    assert.equal(result.stopReason, "settled");
    assert.equal(result.text, "return a;\n");
    // The server's counts and its own time up to the chunk that settled it (it sends them with every chunk).
    assert.equal(fake.requestsTo("/completion")[0]!.body["timings_per_token"], true);
    assert.deepEqual([result.promptTokens, result.reusedTokens, result.generatedTokens, result.engineMs], [12, 2, 2, 60]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(fake.requestsTo("/completion")[0]!.closedEarly, true);
  });

  test("an aborted request (a newer keystroke) closes the HTTP request", async () => {
    fake = await FakeEngineServer.start({ completion: Array.from({ length: 50 }, () => "x"), pieceDelayMs: 20 });
    const opened = await open("llama-server");
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 60);
    const result = await opened.generator.generate(prompt, options(controller.signal));
    assert.equal(result.stopReason, "aborted");
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(fake.requestsTo("/completion")[0]!.closedEarly, true);
  });

  test("explain streams from /v1/chat/completions", async () => {
    fake = await FakeEngineServer.start({ chat: ["It adds", " two", " numbers."] });
    const opened = await open("llama-server");
    const pieces: string[] = [];
    const result = await opened.explainer.explain({ system: "Explain.", user: "add" }, { maxTokens: 64, signal: new AbortController().signal, onText: (text) => pieces.push(text) });
    assert.deepEqual(pieces, ["It adds", " two", " numbers."]);
    assert.equal(result.text, "It adds two numbers.");
    const body = fake.requestsTo("/v1/chat/completions")[0]!.body;
    assert.deepEqual(body["messages"], [{ role: "system", content: "Explain." }, { role: "user", content: "add" }]);
    assert.equal(body["stream"], true);
  });
});

describe("OpenAI-compatible engine (vLLM's shapes)", () => {
  test("raw FIM text to /v1/completions with the served model; at most four stop texts", async () => {
    fake = await FakeEngineServer.start({ modelId: "Qwen/Qwen2.5-Coder-7B" });
    const opened = await open("openai");
    assert.equal(opened.fim.id, "qwen2.5-coder");
    assert.equal(opened.generator.contextSize, 8192, "vLLM's max_model_len");
    const result = await opened.generator.generate(prompt, { ...options(), stopTexts: ["x", "y", "z", "w", "+"] });
    assert.equal(result.text, "return a ", "the fifth stop text is applied on this side");
    const body = fake.requestsTo("/v1/completions")[0]!.body;
    assert.equal(body["model"], "Qwen/Qwen2.5-Coder-7B");
    assert.equal(body["prompt"], "<|fim_prefix|>function add(a, b) {\n  <|fim_suffix|>\n}\n<|fim_middle|>");
    assert.equal(body["temperature"], 0);
    assert.deepEqual(body["stop"], ["x", "y", "z", "w"]);
  });

  test("a model the server does not serve: a 'not found' naming the model and what is served", async () => {
    fake = await FakeEngineServer.start({ modelId: "qwen2.5-coder-7b" });
    await assert.rejects(open("openai", { model: "starcoder2-15b" }), (error: EngineError) =>
      error.kind === "notFound" && /starcoder2-15b/.test(error.message) && /qwen2.5-coder-7b/.test(error.message));
  });

  test("a model id that names no FIM family needs the setting; the setting wins", async () => {
    fake = await FakeEngineServer.start({ modelId: "my-team-model" });
    await assert.rejects(open("openai"), /pocketCoder.engine.fimFamily/);
    assert.equal((await open("openai", { fimFamily: "deepseek-coder" })).fim.id, "deepseek-coder");
  });

  test("FIM families from common model ids", () => {
    assert.equal(fimFamilyByName("deepseek-ai/deepseek-coder-6.7b-base", "auto")?.id, "deepseek-coder");
    assert.equal(fimFamilyByName("bigcode/starcoder2-3b", "auto")?.id, "starcoder");
    assert.equal(fimFamilyByName("codellama:7b-code", "auto")?.id, "codellama");
    assert.equal(fimFamilyByName("codestral-22b", "auto")?.id, "codestral");
    assert.equal(fimFamilyByName("llama3", "auto"), undefined);
  });
});

describe("Ollama engine (its documented shapes)", () => {
  test("/api/generate with raw: true and our prompt; /api/chat for explanations", async () => {
    fake = await FakeEngineServer.start({ modelId: "qwen2.5-coder:1.5b-base" });
    const opened = await open("ollama", { model: "qwen2.5-coder:1.5b-base" });
    assert.equal(opened.generator.contextSize, 8192, "the model's 32768 (qwen2.context_length), up to 8192");
    const result = await opened.generator.generate(prompt, options());
    assert.equal(result.text, "return a + b;");
    assert.equal(result.promptTokens, 12);
    const body = fake.requestsTo("/api/generate")[0]!.body;
    assert.equal(body["raw"], true);
    assert.equal(body["prompt"], "<|fim_prefix|>function add(a, b) {\n  <|fim_suffix|>\n}\n<|fim_middle|>");
    assert.deepEqual(body["options"], { temperature: 0, top_k: 1, num_predict: 32, num_ctx: 8192, stop: ["<|endoftext|>", "<|file_sep|>"] });
    const explained = await opened.explainer.explain({ system: "s", user: "u" }, { maxTokens: 16, signal: new AbortController().signal, onText: () => undefined });
    assert.equal(explained.text, "It adds two numbers.");
    assert.equal(fake.requestsTo("/api/chat")[0]!.body["stream"], true);
  });

  test("an unknown model says to pull it", async () => {
    fake = await FakeEngineServer.start({ modelId: "qwen2.5-coder:1.5b-base" });
    await assert.rejects(open("ollama", { model: "qwen2.5-coder:7b" }), (error: EngineError) => error.kind === "notFound" && /ollama pull qwen2.5-coder:7b/.test(error.message));
  });
});

describe("failures", () => {
  test("a refused API key is an 'auth' problem naming the URL; the right key is sent as a Bearer token", async () => {
    fake = await FakeEngineServer.start({ apiKey: "s3cret" });
    await assert.rejects(open("llama-server", {}, { apiKey: "wrong" }), (error: EngineError) =>
      error.kind === "auth" && error.message.includes(fake!.url) && !error.message.includes("wrong") && !error.message.includes("s3cret"));
    await open("llama-server", {}, { apiKey: "s3cret" });
    assert.equal(fake.requests.at(-1)?.headers.authorization, "Bearer s3cret");
  });

  test("unreachable: the message names the URL and the reason", async () => {
    fake = await FakeEngineServer.start();
    const url = fake.url;
    await fake.kill();
    await assert.rejects(openRemoteEngine(settings("llama-server", url), { onHealth: () => undefined, log: () => undefined }), (error: EngineError) =>
      error.kind === "unreachable" && error.message.includes(url) && /connection refused/.test(error.message));
    fake = undefined;
  });

  test("a hung server times out instead of hanging the request", async () => {
    fake = await FakeEngineServer.start();
    const opened = await open("llama-server", {}, { timeoutMs: 300 });
    fake.options = { failWith: "hang" };
    const problems: (ServerProblem | undefined)[] = [];
    (opened as unknown as { onHealth: (problem: ServerProblem | undefined) => void }).onHealth = (problem) => problems.push(problem);
    const startedAt = performance.now();
    const result = await opened.generator.generate(prompt, options());
    assert.equal(result.stopReason, "aborted");
    assert.ok(performance.now() - startedAt < 2000);
    assert.match(opened.healthProblem?.message ?? "", /did not answer within/);
  });

  test("server down mid-use: one problem naming it, requests fail fast meanwhile, completions resume by themselves", async () => {
    fake = await FakeEngineServer.start();
    const port = fake.port;
    const problems: (ServerProblem | undefined)[] = [];
    const opened = await open("llama-server", {}, { onHealth: (problem) => problems.push(problem) });
    assert.equal((await opened.generator.generate(prompt, options())).text, "return a + b;");

    await fake.kill();
    assert.equal((await opened.generator.generate(prompt, options())).stopReason, "aborted");
    assert.equal(problems.length, 1);
    assert.equal(problems[0]?.kind, "engineUnreachable");
    assert.match(problems[0]?.message ?? "", new RegExp(`127\\.0\\.0\\.1:${port}`));
    // While down, a request costs no connection attempt at all.
    const startedAt = performance.now();
    for (let index = 0; index < 20; index++) await opened.generator.generate(prompt, options());
    assert.ok(performance.now() - startedAt < 50, "fail fast");

    fake = await FakeEngineServer.start({}, port);
    const deadline = Date.now() + 5000;
    while (problems.at(-1) !== undefined && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(problems.at(-1), undefined, "the server answered again");
    assert.equal(opened.healthProblem, undefined);
    assert.equal((await opened.generator.generate(prompt, options())).text, "return a + b;");
    assert.ok(fake.requestsTo("/health").length <= 2, "probed with backoff, not in a storm");
  });

  test("a 5xx marks the server down with the status in the message", async () => {
    fake = await FakeEngineServer.start();
    const opened = await open("openai", { fimFamily: "qwen2.5-coder" });
    fake.options = { failWith: 500 };
    await opened.generator.generate(prompt, options());
    assert.match(opened.healthProblem?.message ?? "", /HTTP 500/);
  });
});

const longText = "export function sum(values: number[]): number {\n  return values.reduce((total, value) => total + value, 0);\n}\n";
const longPrompt = [
  { kind: "special" as const, text: SPECIAL_TOKENS[0]! }, { kind: "text" as const, text: longText },
  { kind: "special" as const, text: SPECIAL_TOKENS[1]! }, { kind: "text" as const, text: "\n" }, { kind: "special" as const, text: SPECIAL_TOKENS[2]! },
];
const generateLong = (opened: RemoteEngine) => opened.generator.generate(longPrompt, { maxTokens: 8, stopTexts: [], signal: new AbortController().signal });

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
    await generateLong(opened);
    assert.equal(opened.generator.countTokens("x".repeat(300)), 300);
  });

  test("ollama: num_ctx follows the model (up to 8192) or pocketCoder.engine.contextSize, never beyond the model", async () => {
    for (const [modelContext, setting, expected] of [[2048, 0, 2048], [32768, 0, 8192], [32768, 16384, 16384], [4096, 16384, 4096]] as const) {
      fake = await FakeEngineServer.start({ modelId: "qwen2.5-coder:1.5b-base", contextSize: modelContext });
      const opened = await open("ollama", { model: "qwen2.5-coder:1.5b-base", contextSize: setting });
      assert.equal(opened.generator.contextSize, expected);
      await generateLong(opened);
      assert.equal((fake.requestsTo("/api/generate")[0]!.body["options"] as { num_ctx: number }).num_ctx, expected, `${modelContext}/${setting}`);
      assert.equal(opened.generator.countTokens("x".repeat(300)), 100, "Ollama cannot tokenize: the default ratio");
      await engine?.dispose();
      await fake.kill();
      engine = undefined;
    }
  });
});
