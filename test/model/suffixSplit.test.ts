// Where each FIM family cuts the suffix (promptParts.ts suffixPieces), checked against real tokenizers: after the
// cursor moves down, the new suffix's lines must be a run of the previous suffix's tokens, or the KV cache cannot keep
// them. Qwen2's pre-tokenizer comes from the benchmark's Qwen2.5-Coder-shaped model (built here, 1 layer, ~18 MB);
// StarCoder's and DeepSeek-Coder's from ../shared/vocab.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Llama, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { suffixPieces, type SuffixSplit } from "../../src/server/completion/fim/promptParts";
import { realisticModel } from "../fixtures/realisticModel";
import { findSharedVocab } from "../fixtures/sharedVocab";

const SHARED_VOCAB = findSharedVocab();

let llama: Llama;
let dir: string;

before(async () => {
  const llamaCpp = await import("node-llama-cpp");
  llama = await llamaCpp.getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: llamaCpp.LlamaLogLevel.error });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-suffix-split-"));
});

after(async () => {
  await llama?.dispose();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

const LINES = ["  first(1);", "  second(2);", "  third(3);", "  fourth(4);", "  fifth(5);"];

/** Whether the moved-down suffix's lines below the cursor line are the last tokens of the previous suffix. */
function linesBelowStayAligned(model: LlamaModel, split: SuffixSplit): boolean {
  const tokens = (text: string) => model.tokenize(text, false, "trimLeadingSpace");
  const previous = suffixPieces(`\n${LINES.join("\n")}\n`, split).flatMap((piece) => tokens(piece.text));
  const below = tokens(suffixPieces(`\n${LINES.slice(2).join("\n")}\n`, split)[1]!.text);
  const tail = previous.slice(previous.length - below.length);
  return below.length > 0 && tail.every((token, i) => token === below[i]);
}

async function withVocabulary<T>(modelPath: string, use: (model: LlamaModel) => T): Promise<T> {
  const model = await llama.loadModel({ modelPath, vocabOnly: true });
  try {
    return use(model);
  } finally {
    await model.dispose();
  }
}

describe("the suffix's cut keeps the lines below the cursor token-aligned", () => {
  test("Qwen2 pre-tokenizer: cut after the line break (`);\\n` is one token)", async () => {
    const modelPath = await realisticModel(dir, { embeddingLength: 64, blockCount: 1, headCount: 1, headCountKv: 1, feedForwardLength: 64 });
    await withVocabulary(modelPath, (model) => {
      assert.equal(linesBelowStayAligned(model, "afterLineBreak"), true);
      assert.equal(linesBelowStayAligned(model, "beforeLineBreak"), false);
    });
  });

  test("StarCoder's GPT-2-style pre-tokenizer: cut before the line break (`\\n ` is one token)", { skip: SHARED_VOCAB === undefined && "../shared/vocab is absent" }, async () => {
    await withVocabulary(path.join(SHARED_VOCAB!, "ggml-vocab-starcoder.gguf"), (model) => {
      assert.equal(linesBelowStayAligned(model, "beforeLineBreak"), true);
      assert.equal(linesBelowStayAligned(model, "afterLineBreak"), false);
    });
  });

  test("DeepSeek-Coder keeps a line break apart: either cut works", { skip: SHARED_VOCAB === undefined && "../shared/vocab is absent" }, async () => {
    await withVocabulary(path.join(SHARED_VOCAB!, "ggml-vocab-deepseek-coder.gguf"), (model) => {
      assert.equal(linesBelowStayAligned(model, "afterLineBreak"), true);
      assert.equal(linesBelowStayAligned(model, "beforeLineBreak"), true);
    });
  });
});
