import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import type { Llama, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { buildTinyModel, type TinyModelSpec } from "../fixtures/tinyModel";
import {
    CHAT_ANSWER, FIM_COMPLETION, SUM_COMPLETION, chatModel, fimModel, fimModelSpec, noFimModel, notGgufFile, tinyModelFile, truncatedModel,
} from "../fixtures/fixtureModels";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

let llamaCpp: NodeLlamaCpp;
let llama: Llama;
let dir: string;
/** llama.cpp's own log lines: a failed load's reason is only here, not in the thrown error. */
const llamaLogs: string[] = [];

before(async () => {
    llamaCpp = await import("node-llama-cpp");
    llama = await llamaCpp.getLlama({
        gpu: false, build: "never", maxThreads: 1,
        logLevel: llamaCpp.LlamaLogLevel.warn, logger: (_level, message) => llamaLogs.push(message),
    });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-model-"));
});

after(async () => {
    await llama?.dispose();
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

/** Log lines cross from llama.cpp's loader thread separately from the promise settling. */
async function logArrives(pattern: RegExp, timeoutMs = 2000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!llamaLogs.some((line) => pattern.test(line))) {
        if (Date.now() > deadline) return false;
        await delay(10);
    }
    return true;
}

async function withModel<T>(modelPath: string, use: (model: LlamaModel) => Promise<T>): Promise<T> {
    const model = await llama.loadModel({ modelPath });
    try {
        return await use(model);
    } finally {
        await model.dispose();
    }
}

async function complete(modelPath: string, prompt: string): Promise<string> {
    return withModel(modelPath, async (model) => {
        const context = await model.createContext({ contextSize: 512, threads: 1 });
        const completion = new llamaCpp.LlamaCompletion({ contextSequence: context.getSequence() });
        return completion.generateCompletion(prompt, { maxTokens: 32 });
    });
}

test("FIM model: infill after <|fim_middle|> is exactly the designed completion", async () => {
    await withModel(await fimModel(dir), async (model) => {
        assert.equal(model.tokens.infill.prefixString, "<|fim_prefix|>");
        assert.equal(model.tokens.infill.suffixString, "<|fim_suffix|>");
        assert.equal(model.tokens.infill.middleString, "<|fim_middle|>");
        // Repo-level prompts are assembled by hand, so their control tokens must tokenize as one token each.
        for (const special of ["<|file_sep|>", "<|repo_name|>"]) assert.equal(model.tokenize(special, true).length, 1, special);
        const context = await model.createContext({ contextSize: 512, threads: 1 });
        const completion = new llamaCpp.LlamaCompletion({ contextSequence: context.getSequence() });
        assert.equal(completion.infillSupported, true);
        const text = await completion.generateInfillCompletion("function add(a, b) {\n  ", "\n}\n", { maxTokens: 32 });
        assert.equal(text, FIM_COMPLETION);
    });
});

test("FIM model: plain completions follow the designed chains", async () => {
    const modelPath = await fimModel(dir);
    assert.equal(await complete(modelPath, "function sum"), SUM_COMPLETION);
    assert.equal(await complete(modelPath, "function add(a, b) {\n  "), FIM_COMPLETION);
    assert.equal(await complete(modelPath, "const x = 1"), "");
});

test("model without FIM tokens reports no infill support and still completes", async () => {
    const modelPath = await noFimModel(dir);
    await withModel(modelPath, async (model) => {
        assert.equal(model.tokens.infill.prefix, null);
        assert.equal(model.tokens.infill.suffix, null);
        assert.equal(model.tokens.infill.middle, null);
        const context = await model.createContext({ contextSize: 512, threads: 1 });
        assert.equal(new llamaCpp.LlamaCompletion({ contextSequence: context.getSequence() }).infillSupported, false);
    });
    assert.equal(await complete(modelPath, "function sum"), SUM_COMPLETION);
});

test("chat model: LlamaChatSession answers exactly the designed answer", async () => {
    await withModel(await chatModel(dir), async (model) => {
        const context = await model.createContext({ contextSize: 512, threads: 1 });
        const session = new llamaCpp.LlamaChatSession({ contextSequence: context.getSequence() });
        assert.equal(session.chatWrapper.wrapperName, "ChatML");
        const answer = await session.prompt("Explain this code:\n```js\nfunction add(a, b) { return a + b; }\n```", { maxTokens: 64 });
        assert.equal(answer, CHAT_ANSWER);
    });
});

test("loading a file that is not GGUF rejects", async () => {
    // node-llama-cpp reads the GGUF header in JS before llama.cpp sees the file:
    // 'Invalid GGUF magic. Expected "GGUF" but got "This".'
    await assert.rejects(llama.loadModel({ modelPath: await notGgufFile(dir) }), /^Error: Invalid GGUF magic\. Expected "GGUF" but got "This"\.$/);
});

test("loading a truncated model rejects", async () => {
    // The header parses, so the error comes from llama.cpp: the thrown message is only
    // 'Failed to load model'; the reason is in its log: "llama_model_load: error loading model: tensor
    // 'blk.0.attn_output.weight' data is not within the file bounds, model is corrupted or incomplete".
    await assert.rejects(llama.loadModel({ modelPath: await truncatedModel(dir) }), /^Error: Failed to load model$/);
    assert.ok(await logArrives(/data is not within the file bounds, model is corrupted or incomplete/), llamaLogs.join(""));
});

test("F16 and Q8_0 weights keep the designed output", async () => {
    for (const weightType of ["F16", "Q8_0"] as const) {
        const modelPath = await tinyModelFile(dir, `fim-${weightType}`, { ...fimModelSpec, weightType });
        assert.equal(await complete(modelPath, "function sum"), SUM_COMPLETION, weightType);
    }
});

test("chains that give one token two successors are rejected", async () => {
    const spec: TinyModelSpec = { chains: [{ after: "x", emit: ["▁a", ";"] }, { after: "y", emit: ["▁a", ","] }] };
    await assert.rejects(buildTinyModel(path.join(dir, "conflict.gguf"), spec), /token "▁a" is followed by ";" in one place and by "," in another/);
});
