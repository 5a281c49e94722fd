// The real llama-server (scripts/build-llama-server.sh) serves the designed test models with their exact
// output through every endpoint the server engines use, and a slot stops generating once its client goes away.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { CHAT_ANSWER, FIM_COMPLETION, SUM_COMPLETION, chatModel, fimModel } from "../fixtures/fixtureModels";
import {
    createSelfSignedCertificate, llamaServerTestGate, requestLlamaServer, startLlamaServer,
    type LlamaServer, type LlamaServerResponse, type SelfSignedCertificate,
} from "../fixtures/llamaServer";

const gate = llamaServerTestGate();

/** Greedy decoding: the designed output is the most likely token at every step. */
const GREEDY = { temperature: 0, top_k: 1 };
const FIM_PROMPT_TEXT = "<|fim_prefix|>function add(a, b) {\n<|fim_suffix|>\n}\n<|fim_middle|>";

let dir: string;
let fimModelPath: string;
let chatModelPath: string;

before(async () => {
    if (gate.skip !== false) return;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-llama-server-"));
    fimModelPath = await fimModel(dir);
    chatModelPath = await chatModel(dir);
});

after(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

function post(server: LlamaServer, route: string, body: unknown, headers?: Record<string, string>): Promise<LlamaServerResponse> {
    return requestLlamaServer(`${server.url}${route}`, { body, headers, timeoutMs: 30_000 });
}

function json<T = Record<string, unknown>>(response: LlamaServerResponse): T {
    assert.equal(response.status, 200, `HTTP ${response.status}: ${response.body}`);
    return JSON.parse(response.body) as T;
}

describe("llama-server with the designed chat model (chat template from the GGUF)", { skip: gate.skip }, () => {
    let server: LlamaServer;
    before(async () => { server = await startLlamaServer({ modelPath: chatModelPath, slots: 2 }); });
    after(async () => { await server?.stop(); });

    test("/health is ok and /props reports the slots, the context and the model's ChatML template", async () => {
        assert.deepEqual(json(await requestLlamaServer(`${server.url}/health`)), { status: "ok" });
        const props = json<{ total_slots: number; model_path: string; chat_template: string; default_generation_settings: { n_ctx: number } }>(
            await requestLlamaServer(`${server.url}/props`));
        assert.equal(props.total_slots, 2);
        assert.equal(props.default_generation_settings.n_ctx, 1024);
        assert.equal(props.model_path, chatModelPath);
        assert.match(props.chat_template, /<\|im_start\|>/);
    });

    test("/tokenize reads control tokens as one token each, with pieces, and /detokenize inverts it", async () => {
        const { tokens } = json<{ tokens: Array<{ id: number; piece: string }> }>(
            await post(server, "/tokenize", { content: "<|fim_middle|>function sum", with_pieces: true }));
        assert.equal(tokens[0]!.piece, "<|fim_middle|>");
        assert.equal(tokens.at(-1)!.piece, "sum");
        assert.equal(tokens.map((token) => token.piece).join(""), "<|fim_middle|>function sum");
        const { content } = json<{ content: string }>(await post(server, "/detokenize", { tokens: tokens.map((token) => token.id) }));
        assert.equal(content, "<|fim_middle|>function sum");
    });

    test("/completion with a token-array prompt gives the designed FIM text, and cache_prompt reuses the prompt", async () => {
        const { tokens } = json<{ tokens: number[] }>(await post(server, "/tokenize", { content: FIM_PROMPT_TEXT, add_special: true }));
        const request = { prompt: tokens, n_predict: 32, cache_prompt: true, id_slot: 0, ...GREEDY };
        const first = json<{ content: string; stop_type: string; tokens_evaluated: number; timings: { cache_n: number } }>(
            await post(server, "/completion", request));
        assert.equal(first.content, FIM_COMPLETION);
        assert.equal(first.stop_type, "eos");
        assert.equal(first.tokens_evaluated, tokens.length);

        const again = json<{ content: string; timings: { cache_n: number } }>(await post(server, "/completion", request));
        assert.equal(again.content, FIM_COMPLETION);
        // All but the last prompt token come from the slot's cache (the last is evaluated again for its logits).
        assert.equal(again.timings.cache_n, tokens.length - 1);
    });

    test("/completion of a text prompt ending in \"sum\" gives the designed three lines", async () => {
        const result = json<{ content: string }>(await post(server, "/completion", { prompt: "function sum", n_predict: 32, ...GREEDY }));
        assert.equal(result.content, SUM_COMPLETION);
    });

    test("/infill builds the model's FIM prompt from input_prefix/input_suffix; prompt (the cursor line) ends it", async () => {
        const plain = json<{ content: string }>(await post(server, "/infill", {
            input_prefix: "function add(a, b) {\n", input_suffix: "\n}\n", prompt: "", n_predict: 32, cache_prompt: true, ...GREEDY,
        }));
        assert.equal(plain.content, FIM_COMPLETION);
        // llama.vscode's layout: the cursor line's prefix after the middle token; "  " leads to the same chain.
        const indented = json<{ content: string }>(await post(server, "/infill", {
            input_prefix: "function add(a, b) {\n", input_suffix: "\n}\n", prompt: "  ", n_predict: 32, cache_prompt: true, ...GREEDY,
        }));
        assert.equal(indented.content, FIM_COMPLETION);
    });

    test("/v1/completions takes the FIM prompt as raw text (control tokens parsed)", async () => {
        const result = json<{ choices: Array<{ text: string; finish_reason: string }> }>(
            await post(server, "/v1/completions", { prompt: FIM_PROMPT_TEXT, max_tokens: 32, ...GREEDY }));
        assert.equal(result.choices[0]!.text, FIM_COMPLETION);
        assert.equal(result.choices[0]!.finish_reason, "stop");
    });

    test("/v1/chat/completions answers with the designed explanation, whole and streamed", async () => {
        const messages = [{ role: "system", content: "You explain code." }, { role: "user", content: "Explain: function add(a, b) { return a + b; }" }];
        const whole = json<{ choices: Array<{ message: { role: string; content: string } }> }>(
            await post(server, "/v1/chat/completions", { messages, max_tokens: 64, ...GREEDY }));
        assert.equal(whole.choices[0]!.message.role, "assistant");
        assert.equal(whole.choices[0]!.message.content, CHAT_ANSWER);

        const streamed = await post(server, "/v1/chat/completions", { messages, max_tokens: 64, stream: true, ...GREEDY });
        assert.equal(streamed.status, 200);
        const events = streamed.body.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice("data: ".length));
        assert.equal(events.at(-1), "[DONE]");
        const text = events.slice(0, -1)
            .map((event) => (JSON.parse(event) as { choices: Array<{ delta: { content?: string } }> }).choices[0]?.delta.content ?? "")
            .join("");
        assert.equal(text, CHAT_ANSWER);
    });
});

describe("llama-server options the engines rely on", { skip: gate.skip }, () => {
    test("--chat-template chatml serves the same answer as the GGUF's own ChatML template", async () => {
        const server = await startLlamaServer({ modelPath: chatModelPath, extraArgs: ["--chat-template", "chatml"] });
        try {
            const result = json<{ choices: Array<{ message: { content: string } }> }>(await post(server, "/v1/chat/completions", {
                messages: [{ role: "user", content: "Explain add" }], max_tokens: 64, ...GREEDY,
            }));
            assert.equal(result.choices[0]!.message.content, CHAT_ANSWER);
        } finally {
            await server.stop();
        }
    });

    test("--api-key: a missing or wrong key gets 401, the right one the designed text, /health stays public", async () => {
        const server = await startLlamaServer({ modelPath: fimModelPath, apiKey: "team-secret" });
        try {
            const body = { prompt: "function sum", n_predict: 32, ...GREEDY };
            assert.equal((await post(server, "/completion", body)).status, 401);
            const wrong = await post(server, "/completion", body, { authorization: "Bearer not-the-key" });
            assert.equal(wrong.status, 401);
            assert.match(wrong.body, /invalid api key/i);
            assert.equal((await post(server, "/v1/completions", body, { authorization: "Bearer not-the-key" })).status, 401);
            const right = json<{ content: string }>(await post(server, "/completion", body, { authorization: "Bearer team-secret" }));
            assert.equal(right.content, SUM_COMPLETION);
            assert.equal((await requestLlamaServer(`${server.url}/health`)).status, 200);
        } finally {
            await server.stop();
        }
    });

    test("TLS with a self-signed certificate: trusted through its CA, refused without it, no plain HTTP", async () => {
        const certificate: SelfSignedCertificate = createSelfSignedCertificate();
        const server = await startLlamaServer({ modelPath: fimModelPath, tls: certificate });
        try {
            assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
            const result = json<{ content: string }>(await requestLlamaServer(`${server.url}/completion`, {
                body: { prompt: "function sum", n_predict: 32, ...GREEDY }, ca: certificate.ca,
            }));
            assert.equal(result.content, SUM_COMPLETION);
            await assert.rejects(requestLlamaServer(`${server.url}/health`), /self[- ]signed/i);
            const plain = await requestLlamaServer(`http://127.0.0.1:${server.port}/health`, { timeoutMs: 5_000 }).catch((error: Error) => error);
            assert.ok(plain instanceof Error || plain.status !== 200, "plain HTTP must not be served");
        } finally {
            await server.stop();
            fs.rmSync(certificate.dir, { recursive: true, force: true });
        }
    });

    test("restart() brings the server back on the same URL after kill() (a crash)", async () => {
        const server = await startLlamaServer({ modelPath: fimModelPath });
        try {
            const { url, pid } = server;
            await server.kill();
            await assert.rejects(requestLlamaServer(`${url}/health`), /ECONNREFUSED/);
            await server.restart();
            assert.equal(server.url, url);
            assert.notEqual(server.pid, pid);
            assert.equal(json<{ content: string }>(await post(server, "/completion", { prompt: "function sum", n_predict: 32, ...GREEDY })).content, SUM_COMPLETION);
        } finally {
            await server.stop();
        }
    });
});

interface SlotState { id: number; is_processing: boolean; next_token?: Array<{ n_decoded: number }> }

describe("a slot stops generating when its client aborts", { skip: gate.skip }, () => {
    let server: LlamaServer;
    // One slot and endless generation: ignore_eos with n_predict -1 and --context-shift never ends by itself.
    const endless = { prompt: "function sum", n_predict: -1, ignore_eos: true, ...GREEDY };
    before(async () => { server = await startLlamaServer({ modelPath: fimModelPath, slots: 1, ctxSize: 256, extraArgs: ["--context-shift"] }); });
    after(async () => { await server?.stop(); });

    async function slot(): Promise<SlotState> {
        return json<SlotState[]>(await requestLlamaServer(`${server.url}/slots`))[0]!;
    }

    async function metric(name: string): Promise<number> {
        const text = (await requestLlamaServer(`${server.url}/metrics`)).body;
        const line = text.split("\n").find((candidate) => candidate.startsWith(`llamacpp:${name} `));
        assert.ok(line !== undefined, `metric ${name} missing from /metrics`);
        return Number(line.split(" ")[1]);
    }

    async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
        const deadline = Date.now() + timeoutMs;
        while (!(await condition())) {
            if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; /slots: ${JSON.stringify(await slot())}`);
            await new Promise((resolve) => setTimeout(resolve, 25));
        }
    }

    async function assertStoppedAndFree(): Promise<void> {
        await waitFor("the slot stops processing", async () => !(await slot()).is_processing);
        const decoded = (await slot()).next_token?.[0]?.n_decoded;
        await new Promise((resolve) => setTimeout(resolve, 300));
        assert.equal((await slot()).next_token?.[0]?.n_decoded, decoded, "the slot must not decode after it stopped");
        assert.equal(await metric("requests_processing"), 0);
        // The one slot is free again: a new request gets the designed text.
        assert.equal(json<{ content: string }>(await post(server, "/completion", { prompt: "function sum", n_predict: 32, ...GREEDY })).content, SUM_COMPLETION);
    }

    /** Starts an endless request; resolves with a function that aborts it once the slot is seen generating. */
    function startEndless(stream: boolean): { abort: () => void; response: Promise<void> } {
        const request = http.request(`${server.url}/completion`, { method: "POST", headers: { "content-type": "application/json" }, agent: false });
        const response = new Promise<void>((resolve) => {
            request.on("response", (incoming) => { incoming.resume(); incoming.on("error", () => resolve()); incoming.on("close", () => resolve()); });
            request.on("error", () => resolve());
        });
        request.end(JSON.stringify({ ...endless, stream }));
        return { abort: () => request.destroy(), response };
    }

    test("streamed /completion: after the client disconnects, /slots shows the slot idle and /metrics no request processing", async () => {
        const generation = startEndless(true);
        await waitFor("the slot generates", async () => { const state = await slot(); return state.is_processing && (state.next_token?.[0]?.n_decoded ?? 0) > 50; });
        assert.equal(await metric("requests_processing"), 1);
        generation.abort();
        await generation.response;
        await assertStoppedAndFree();
    });

    test("non-streamed /completion: the server notices the closed connection and stops the slot too", async () => {
        const generation = startEndless(false);
        await waitFor("the slot generates", async () => { const state = await slot(); return state.is_processing && (state.next_token?.[0]?.n_decoded ?? 0) > 50; });
        generation.abort();
        await generation.response;
        await assertStoppedAndFree();
    });
});
