// The explain runtime (ChatExplainer) on real llama.cpp with designed models: chat template, plain prompt,
// streaming, abort during prompt evaluation, and sharing one context with completions.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Llama } from "node-llama-cpp" with { "resolution-mode": "import" };
import type { AcquiredLlama } from "../../src/server/runtime/acquireLlama";
import { ChatExplainer, PLAIN_PROMPT_ANSWER_HEADING } from "../../src/server/runtime/ChatExplainer";
import { inspectModelFile } from "../../src/server/runtime/inspectModelFile";
import { openExplainModel } from "../../src/server/runtime/openExplainModel";
import { openModel, type OpenedModel } from "../../src/server/runtime/openModel";
import { ExplainModelError, type ExplainConversation, type ExplainGeneration } from "../../src/server/explain/explainGenerator";
import {
  CHAT_ANSWER, CHATML_TEMPLATE, FIM_COMPLETION, PLAIN_EXPLANATION, chatModel, chatModelSpec, fimModel, plainExplainModel, tinyModelFile,
} from "../fixtures/fixtureModels";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

let llamaCpp: NodeLlamaCpp;
let llama: Llama;
let acquired: AcquiredLlama;
let dir: string;

before(async () => {
  llamaCpp = await import("node-llama-cpp");
  llama = await llamaCpp.getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: llamaCpp.LlamaLogLevel.error });
  acquired = { llama, backend: "cpu", gpuDevices: [], attempts: [] };
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-explain-"));
});

after(async () => {
  await llama?.dispose();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

const SMALL: ExplainConversation = {
  system: "You explain code.",
  user: "### Code\n`add.js`, line 1 (JavaScript):\n```javascript\nfunction add(a, b) { return a + b; }\n```\n\n### Task\nExplain the code above.",
};

/** A conversation whose prompt takes a while to evaluate on the tiny model (~3,000 tokens). */
const LONG: ExplainConversation = { system: SMALL.system, user: `${"let filler = 1;\n".repeat(200)}${SMALL.user}` };

async function open(modelPath: string): Promise<OpenedModel> {
  return openModel(acquired, await inspectModelFile(modelPath), { threads: 1 });
}

async function withOpened<T>(modelPath: string, use: (opened: OpenedModel) => Promise<T>): Promise<T> {
  const opened = await open(modelPath);
  try {
    return await use(opened);
  } finally {
    await opened.explainer.dispose();
    await opened.loaded.dispose();
  }
}

async function explain(explainer: ChatExplainer, conversation: ExplainConversation, options: { maxTokens?: number; signal?: AbortSignal } = {}) {
  const chunks: string[] = [];
  const generation = await explainer.explain(conversation, {
    maxTokens: options.maxTokens ?? 64,
    signal: options.signal ?? new AbortController().signal,
    onText: (text) => chunks.push(text),
  });
  return { chunks, generation };
}

/** A FIM prompt for the chat fixture's designed completion, after `contextLines` lines of comments. */
function addFunctionFimPrompt(contextLines: number) {
  return [
    { kind: "special", text: "<|fim_prefix|>" }, { kind: "text", text: `${"// context line\n".repeat(contextLines)}function add(a, b) {\n  ` },
    { kind: "special", text: "<|fim_suffix|>" }, { kind: "text", text: "\n}\n" }, { kind: "special", text: "<|fim_middle|>" },
  ] as const;
}

describe("explanations on real llama.cpp", () => {
  test("chat model: the GGUF chat template is used and the designed answer streams token by token", async () => {
    await withOpened(await chatModel(dir), async ({ explainer }) => {
      assert.equal(explainer.promptStyle, "chat");
      assert.equal(explainer.chatWrapperName, "ChatML");
      const { chunks, generation } = await explain(explainer, SMALL);
      assert.deepEqual(chunks, ["This", " function", " adds", " two", " numbers.", "\n\n", "```js\n", "add(1, 2);", " // 3", "\n```"]);
      assert.equal(generation.text, CHAT_ANSWER);
      assert.equal(chunks.join(""), generation.text);
      assert.equal(generation.stopReason, "done");
      assert.equal(generation.generatedTokens >= chunks.length, true);
      assert.ok(generation.firstTextMs !== undefined && generation.firstTextMs <= generation.totalMs);
    });
  });

  test("the prompt is the template's rendering, starts with BOS, and the prefill is what LlamaChat reuses", async () => {
    await withOpened(await chatModel(dir), async ({ explainer }) => {
      const tokens = explainer.promptTokens(SMALL);
      assert.equal(tokens[0], explainer.model.tokens.bos);
      assert.equal(
        explainer.promptText(SMALL),
        `<s><|im_start|>system\n${SMALL.system}<|im_end|>\n<|im_start|>user\n${SMALL.user}<|im_end|>\n<|im_start|>assistant\n`,
      );
      const first = (await explain(explainer, SMALL)).generation;
      assert.equal(first.reusedTokens, 0);
      // The same request again: everything but the last prompt token comes from the sequence's KV cache.
      const second = (await explain(explainer, SMALL)).generation;
      assert.equal(second.reusedTokens, tokens.length - 1);
      assert.equal(second.text, CHAT_ANSWER);
    });
  });

  test("a template that no specialised wrapper matches goes through node-llama-cpp's Jinja wrapper", async () => {
    // ChatML with a blank line between messages: no specialised wrapper renders exactly this.
    const template = `{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n\\n' }}{%- endfor %}` +
      `{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}`;
    assert.notEqual(template, CHATML_TEMPLATE);
    const modelPath = await tinyModelFile(dir, "jinja-chat", { ...chatModelSpec, name: "Pocket Coder designed Jinja chat model", chatTemplate: template });
    await withOpened(modelPath, async ({ explainer }) => {
      assert.equal(explainer.promptStyle, "chat");
      assert.equal(explainer.chatWrapperName, "JinjaTemplate");
      assert.equal(
        explainer.promptText(SMALL),
        `<s><|im_start|>system\n${SMALL.system}<|im_end|>\n\n<|im_start|>user\n${SMALL.user}<|im_end|>\n\n<|im_start|>assistant\n`,
      );
      assert.equal((await explain(explainer, SMALL)).generation.text, CHAT_ANSWER);
      // LlamaChat evaluated exactly the prefilled tokens (BOS included): a second run finds them all in the cache.
      assert.equal((await explain(explainer, SMALL)).generation.reusedTokens, explainer.promptTokens(SMALL).length - 1);
    });
  });

  test("base model without a chat template: a plain prompt ending in \"### Explanation\" still gets an explanation", async () => {
    await withOpened(await plainExplainModel(dir), async ({ explainer }) => {
      assert.equal(explainer.promptStyle, "plain");
      const prompt = explainer.promptText(SMALL);
      assert.equal(prompt, `<s>${SMALL.system}\n\n${SMALL.user}\n\n${PLAIN_PROMPT_ANSWER_HEADING}`);
      const { chunks, generation } = await explain(explainer, SMALL);
      assert.equal(generation.text, PLAIN_EXPLANATION);
      assert.deepEqual(chunks, ["It", " adds", " two", " numbers", " and", " returns", " the", " sum."]);
      assert.equal(generation.stopReason, "done");
    });
    // The completion fixture has no chain after "Explanation\n": the plain prompt works, the model just stops at once.
    await withOpened(await fimModel(dir), async ({ explainer }) => {
      assert.equal(explainer.promptStyle, "plain");
      const { generation } = await explain(explainer, SMALL);
      assert.equal(generation.stopReason, "done");
      assert.equal(generation.text, "");
    });
  });

  test("maxTokens ends the answer early with stopReason maxTokens", async () => {
    await withOpened(await chatModel(dir), async ({ explainer }) => {
      const { generation } = await explain(explainer, SMALL, { maxTokens: 3 });
      assert.equal(generation.stopReason, "maxTokens");
      assert.equal(generation.text, "This function adds");
    });
  });

  test("an abort during prompt evaluation takes effect within one chunk", async () => {
    await withOpened(await chatModel(dir), async ({ explainer }) => {
      const full = (await explain(explainer, LONG)).generation;
      assert.ok(full.promptTokens > 2500, `prompt of ${full.promptTokens} tokens`);
      assert.ok(full.promptMs >= 200, `the long prompt takes ${full.promptMs.toFixed(0)} ms, long enough to abort mid-way`);
      // A different system prompt: nothing of the long prompt can be reused from the cache.
      const other = { ...LONG, system: "You are terse." };
      const controller = new AbortController();
      const startedAt = performance.now();
      setTimeout(() => controller.abort(), 30);
      const { chunks, generation } = await explain(explainer, other, { signal: controller.signal });
      const elapsed = performance.now() - startedAt;
      assert.equal(generation.stopReason, "aborted");
      assert.deepEqual(chunks, []);
      assert.ok(elapsed < full.promptMs * 0.75, `aborted after ${elapsed.toFixed(0)} ms; the whole prompt takes ${full.promptMs.toFixed(0)} ms`);
      // The explainer is still usable afterwards.
      assert.equal((await explain(explainer, SMALL)).generation.text, CHAT_ANSWER);
    });
  });

  test("completion and explanation share one context on separate sequences: both exact, and the completion cache survives", async () => {
    await withOpened(await chatModel(dir), async ({ loaded, explainer }) => {
      const fimPrompt = addFunctionFimPrompt(120);
      const complete = () => loaded.generate(fimPrompt, { maxTokens: 16, stopTexts: [], signal: new AbortController().signal });
      const warm = await complete();
      assert.equal(warm.text, FIM_COMPLETION);

      // Both at once: llama.cpp batches the two sequences.
      const [completion, explanation] = await Promise.all([complete(), explain(explainer, LONG)]);
      assert.equal(completion.text, FIM_COMPLETION);
      assert.equal(explanation.generation.text, CHAT_ANSWER);

      // The explanation never touched the completion sequence: its prompt is still cached.
      const after = await complete();
      assert.equal(after.text, FIM_COMPLETION);
      assert.equal(after.reusedTokens, after.promptTokens - 1);
    });
  });

  test("an explanation pauses while a completion runs, then finishes its answer", async () => {
    await withOpened(await chatModel(dir), async ({ loaded, explainer }) => {
      // ~3,000 tokens: long enough for the explanation to have steps to hold.
      const fimPrompt = addFunctionFimPrompt(200);
      const chunkTimes: number[] = [];
      let completion: Promise<{ text: string; startedAt: number; endedAt: number }> | undefined;
      const generation = await explainer.explain(SMALL, {
        maxTokens: 64,
        signal: new AbortController().signal,
        onText: () => {
          chunkTimes.push(performance.now());
          // At the first streamed text, as a user's keystroke would: a completion with a long prompt to read.
          if (completion !== undefined) return;
          const startedAt = performance.now();
          completion = loaded.generate(fimPrompt, { maxTokens: 16, stopTexts: [], signal: new AbortController().signal })
            .then((result) => ({ text: result.text, startedAt, endedAt: performance.now() }));
        },
      });
      assert.ok(completion !== undefined);
      const { text, startedAt, endedAt } = await completion;
      assert.equal(text, FIM_COMPLETION);
      assert.equal(generation.text, CHAT_ANSWER, "the explanation finished");
      assert.equal(generation.stopReason, "done");
      // At most the step already decoding when the completion arrived may stream during it.
      const during = chunkTimes.filter((time) => time > startedAt && time < endedAt).length;
      assert.ok(during <= 1, `${during} explanation chunks streamed while the completion ran (${(endedAt - startedAt).toFixed(0)} ms)`);
      assert.ok(chunkTimes.filter((time) => time >= endedAt).length >= 2, "the rest of the explanation came after the completion");
    });
  });

  test("a prompt that cannot fit the context is refused with a clear error", async () => {
    await withOpened(await chatModel(dir), async ({ explainer }) => {
      const huge = { system: SMALL.system, user: "let x = 1;\n".repeat(2000) };
      await assert.rejects(explain(explainer, huge), (error: unknown) =>
        error instanceof ExplainModelError && /does not fit the model's context \(4096 tokens\)/.test(error.message));
    });
  });

  test("a separate explain model: its own context; disposing it mid-explanation ends the request with an error", async () => {
    const explainer = await openExplainModel(acquired, await inspectModelFile(await chatModel(dir)), { threads: 1 });
    let disposed = false;
    try {
      assert.equal(explainer.contextSize, 4096);
      assert.equal((await explain(explainer, SMALL)).generation.text, CHAT_ANSWER);
      const running: Promise<{ generation: ExplainGeneration } | Error> = explain(explainer, LONG).catch((error: Error) => error);
      await new Promise((resolve) => setTimeout(resolve, 30));
      await explainer.dispose();
      disposed = true;
      const outcome = await running;
      assert.ok(outcome instanceof ExplainModelError, String(outcome));
      assert.match(outcome.message, /unloaded while explaining/);
    } finally {
      if (!disposed) await explainer.dispose();
    }
  });
});
