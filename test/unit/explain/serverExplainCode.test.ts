// One explanation end to end in the server domain, on a fake generator: note first, chunks in order, result.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { explainCode } from "../../../src/server/explain/explainCode";
import {
  ExplainModelError,
  type ExplainConversation,
  type ExplainGenerateOptions,
  type ExplainGeneration,
  type ExplainGenerator,
} from "../../../src/server/explain/explainGenerator";
import type { ExplainInput } from "../../../src/server/explain/explainPrompt";

class FakeGenerator implements ExplainGenerator {
  readonly modelName = "Fake model";
  readonly promptStyle = "chat" as const;
  readonly templateOverheadTokens = 10;
  readonly calls: Array<{ conversation: ExplainConversation; maxTokens: number }> = [];

  constructor(readonly contextSize: number, private readonly pieces: readonly string[], private readonly failAfter?: number) {}

  countTokens(text: string): number {
    return Math.ceil(text.length / 4);
  }

  async explain(conversation: ExplainConversation, options: ExplainGenerateOptions): Promise<ExplainGeneration> {
    this.calls.push({ conversation, maxTokens: options.maxTokens });
    let text = "";
    for (const [index, piece] of this.pieces.entries()) {
      await Promise.resolve();
      if (this.failAfter === index) throw new ExplainModelError("The model failed while explaining (decode error).");
      if (options.signal.aborted) return this.generation(text, "aborted");
      text += piece;
      options.onText(piece);
    }
    return this.generation(text, "done");
  }

  private generation(text: string, stopReason: ExplainGeneration["stopReason"]): ExplainGeneration {
    return { text, stopReason, promptTokens: 100, reusedTokens: 0, generatedTokens: 3, promptMs: 1, firstTextMs: 1, totalMs: 2 };
  }
}

const CODE = "function add(a, b) {\n  return a + b;\n}\n";
const input: ExplainInput = { document: { fileName: "add.js", languageId: "javascript", text: CODE }, start: 0, end: CODE.length, otherDocuments: [] };

function run(generator: ExplainGenerator, explainInput: ExplainInput, signal = new AbortController().signal) {
  const events: string[] = [];
  const outcome = explainCode(generator, explainInput, 512, {
    signal,
    onNote: (note) => events.push(`note:${note}`),
    onText: (text) => events.push(text),
  });
  return { events, outcome };
}

describe("explainCode", () => {
  test("streams the pieces in order; the result repeats their concatenation", async () => {
    const generator = new FakeGenerator(4096, ["Adds ", "", "two ", "numbers."]);
    const { events, outcome } = run(generator, input);
    const { result } = await outcome;
    assert.deepEqual(events, ["Adds ", "two ", "numbers."]);
    assert.deepEqual(result, { text: "Adds two numbers.", model: "Fake model", stopReason: "done" });
    assert.equal(generator.calls[0]?.maxTokens, 512);
    assert.match(generator.calls[0]?.conversation.user ?? "", /```javascript\nfunction add\(a, b\) \{\n  return a \+ b;\n\}\n```/);
  });

  test("a cut selection sends its note before any text and returns it", async () => {
    const big = Array.from({ length: 10_000 }, (_, i) => `line ${i};`).join("\n");
    const generator = new FakeGenerator(2048, ["Many lines."]);
    const { events, outcome } = run(generator, { ...input, document: { ...input.document, text: big }, end: big.length });
    const { result } = await outcome;
    assert.equal(events.length, 2);
    assert.match(events[0] ?? "", /^note:The code \(lines 1–10,000\) is too long/);
    assert.equal(events[1], "Many lines.");
    assert.equal(`note:${result.truncationNote}`, events[0]);
  });

  test("a cancel before the model starts answers \"cancelled\" without calling it; a cancel mid-way keeps the text so far", async () => {
    const controller = new AbortController();
    controller.abort();
    const early = new FakeGenerator(4096, ["never"]);
    assert.equal((await run(early, input, controller.signal).outcome).result.stopReason, "cancelled");
    assert.equal(early.calls.length, 0);

    const later = new AbortController();
    const generator = new FakeGenerator(4096, ["One. ", "Two. ", "Three."]);
    const { events, outcome } = explainCodeCancellingAfterFirst(generator, later);
    const { result } = await outcome;
    assert.deepEqual(events, ["One. "]);
    assert.deepEqual(result, { text: "One. ", model: "Fake model", stopReason: "cancelled" });
  });

  test("a model that fails mid-stream rejects with its error", async () => {
    const generator = new FakeGenerator(4096, ["Adds ", "two."], 1);
    await assert.rejects(run(generator, input).outcome, (error: unknown) => error instanceof ExplainModelError && /decode error/.test(error.message));
  });
});

function explainCodeCancellingAfterFirst(generator: ExplainGenerator, controller: AbortController) {
  const events: string[] = [];
  const outcome = explainCode(generator, input, 512, {
    signal: controller.signal,
    onNote: () => undefined,
    onText: (text) => {
      events.push(text);
      controller.abort();
    },
  });
  return { events, outcome };
}
