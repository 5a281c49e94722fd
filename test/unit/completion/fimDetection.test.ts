import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import type { FimPromptInput, ModelFacts } from "../../../src/server/completion/fim/fimTypes";
import { createModelFacts, modelFactsFromGgufMetadata, readMetadataValue } from "../../../src/server/completion/fim/modelFacts";
import { resolveFimFamily, resolveFimFamilyWithReason } from "../../../src/server/completion/fim/resolveFimFamily";
import { findSharedVocab } from "../../fixtures/sharedVocab";

// ---------------------------------------------------------------------------------------------------------------
// Real vocabularies from ../shared/vocab (llama.cpp's tokenizer test files; tokenizer metadata only, no weights).
// ---------------------------------------------------------------------------------------------------------------

const vocabDir = findSharedVocab();
const skipReal = vocabDir === undefined ? "../shared/vocab is absent (a clone without the shared folder): real-vocabulary detection skipped" : false;

async function factsOf(file: string): Promise<ModelFacts> {
  // node-llama-cpp is ESM-only: load it dynamically (tsc keeps `import()` under module Node16). Only its GGUF reader
  // is used, to get the real token lists.
  const { readGgufFileInfo } = await import("node-llama-cpp");
  const info = await readGgufFileInfo(path.join(vocabDir!, file), { readTensorInfo: false, logWarnings: false });
  return modelFactsFromGgufMetadata(info.metadata, file);
}

const input: FimPromptInput = {
  stablePrefix: "def f():\n",
  recentPrefix: "    return ",
  suffix: "\n",
  filePath: "src/f.py",
  repoName: "r",
  extraContext: [{ path: "src/g.py", text: "X = 1\n" }],
};

describe("FIM detection on real vocabularies", { skip: skipReal }, () => {
  test("StarCoder2 vocabulary → starcoder family with repo-level tokens", async () => {
    const facts = await factsOf("ggml-vocab-starcoder.gguf");
    assert.equal(facts.architecture, "starcoder2");
    const r = resolveFimFamilyWithReason(facts);
    assert.ok(r, "expected a FIM family");
    assert.equal(r.family.id, "starcoder");
    assert.equal(r.family.label, "StarCoder2");
    // Every control token the family emits exists in this vocabulary.
    for (const p of r.family.buildPrompt(input)) if (p.kind === "special") assert.ok(facts.hasToken(p.text), p.text);
    assert.ok(r.family.stopTexts.filter((t) => facts.hasToken(t)).length >= 6);
  });

  test("DeepSeek-Coder vocabulary → deepseek-coder family", async () => {
    const facts = await factsOf("ggml-vocab-deepseek-coder.gguf");
    assert.equal(facts.architecture, "llama");
    const family = resolveFimFamily(facts);
    assert.equal(family?.id, "deepseek-coder");
    for (const p of family!.buildPrompt(input)) if (p.kind === "special") assert.ok(facts.hasToken(p.text), p.text);
    assert.ok(facts.hasToken("<｜end▁of▁sentence｜>"));
  });

  test("Llama-2 SentencePiece vocabulary has no FIM tokens → undefined", async () => {
    const facts = await factsOf("ggml-vocab-llama-spm.gguf");
    assert.equal(facts.architecture, "llama");
    assert.equal(resolveFimFamily(facts), undefined);
    assert.deepEqual({ ...facts.metadataFimTokens }, {});
  });

  test("names come from general.name", async () => {
    const facts = await factsOf("ggml-vocab-deepseek-coder.gguf");
    assert.equal(facts.name, "deepseek-coder");
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Synthetic vocabularies for the families without a shared vocab file.
// ---------------------------------------------------------------------------------------------------------------

function facts(tokens: string[], opts: { arch?: string; name?: string; meta?: ModelFacts["metadataFimTokens"] } = {}): ModelFacts {
  return createModelFacts({
    architecture: opts.arch,
    name: opts.name,
    tokens: ["<unk>", "a", "b", ...tokens],
    metadataFimTokens: opts.meta ?? {},
  });
}

const QWEN = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"];
const GEMMA = ["<bos>", "<eos>", "<start_of_turn>", "<end_of_turn>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|file_separator|>"];
const CODELLAMA = ["<s>", "</s>", "\u2581<PRE>", "\u2581<SUF>", "\u2581<MID>", "\u2581<EOT>"];
const MISTRAL_V3 = ["<s>", "</s>", "[INST]", "[/INST]", "[TOOL_CALLS]", "[PREFIX]", "[MIDDLE]", "[SUFFIX]"];

describe("FIM detection on synthetic vocabularies", () => {
  test("Qwen2.5-Coder", () => {
    const f = resolveFimFamily(facts(QWEN, { arch: "qwen2", name: "Qwen2.5 Coder 1.5B" }));
    assert.equal(f?.id, "qwen2.5-coder");
    assert.equal(f?.buildPrompt(input)[0]?.text, "<|repo_name|>");
  });
  test("Qwen vocabulary without repo tokens uses file-level FIM", () => {
    const f = resolveFimFamily(facts(["<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"], { arch: "qwen2" }));
    assert.equal(f?.id, "qwen2.5-coder");
    assert.equal(f?.buildPrompt(input)[0]?.text, "<|fim_prefix|>");
  });
  test("CodeGemma by name or first-generation architecture; other Gemma models have no FIM", () => {
    assert.equal(resolveFimFamily(facts(GEMMA, { arch: "gemma", name: "codegemma-2b" }))?.id, "codegemma");
    assert.equal(resolveFimFamily(facts(GEMMA, { arch: "gemma", name: "my-renamed-model" }))?.id, "codegemma");
    assert.equal(resolveFimFamily(facts(GEMMA, { arch: undefined, name: "CodeGemma 7B" }))?.id, "codegemma");
    assert.equal(resolveFimFamily(facts(GEMMA, { arch: "gemma2", name: "gemma-2-2b-it" })), undefined);
    assert.equal(resolveFimFamily(facts(GEMMA, { arch: "gemma3", name: "Gemma 3 4b It" })), undefined);
    assert.equal(resolveFimFamily(facts(GEMMA, { arch: undefined })), undefined);
    // Same FIM texts, Qwen architecture and <|file_sep|>: Qwen.
    assert.equal(resolveFimFamily(facts([...GEMMA, "<|file_sep|>"], { arch: "qwen2" }))?.id, "qwen2.5-coder");
  });
  test("Code Llama with ▁ tokens and with plain ones", () => {
    const f = resolveFimFamily(facts(CODELLAMA, { arch: "llama", name: "codellama-7b" }));
    assert.equal(f?.id, "codellama");
    assert.equal(f?.buildPrompt(input)[0]?.text, "\u2581<PRE>");
    const g = resolveFimFamily(facts(["<PRE>", "<SUF>", "<MID>", "<EOT>"], { arch: "llama" }));
    assert.equal(g?.buildPrompt(input)[0]?.text, "<PRE>");
  });
  test("Codestral only when the model is Codestral (or the metadata says [PREFIX] is its FIM token)", () => {
    assert.equal(resolveFimFamily(facts(MISTRAL_V3, { arch: "llama", name: "Codestral-22B-v0.1" }))?.id, "codestral");
    assert.equal(resolveFimFamily(facts(MISTRAL_V3, { arch: "llama", name: "Mistral-7B-Instruct-v0.3" })), undefined);
    const meta = { prefix: "[PREFIX]", suffix: "[SUFFIX]", middle: "[MIDDLE]" };
    assert.equal(resolveFimFamily(facts(MISTRAL_V3, { arch: "llama", name: "my-model", meta }))?.id, "codestral");
  });
  test("StarCoder(1) vocabulary without <file_sep>", () => {
    const f = resolveFimFamily(facts(["<|endoftext|>", "<fim_prefix>", "<fim_middle>", "<fim_suffix>", "<fim_pad>", "<filename>", "<gh_stars>"], { arch: "starcoder" }));
    assert.equal(f?.id, "starcoder");
    assert.equal(f?.label, "StarCoder");
    assert.equal(f?.buildPrompt(input)[0]?.text, "<fim_prefix>");
  });
  test("generic: unknown FIM tokens named by the metadata", () => {
    const meta = { prefix: "<|code_prefix|>", suffix: "<|code_suffix|>", middle: "<|code_middle|>" };
    const r = resolveFimFamilyWithReason(facts(Object.values(meta), { arch: "glm4", meta }));
    assert.equal(r?.family.id, "generic");
    assert.match(r!.reason, /metadata/);
  });
  test("metadata naming tokens absent from the vocabulary is ignored", () => {
    const meta = { prefix: "<x_pre>", suffix: "<x_suf>", middle: "<x_mid>" };
    assert.equal(resolveFimFamily(facts([], { meta })), undefined);
    assert.equal(resolveFimFamily(facts(QWEN, { arch: "qwen2", meta }))?.id, "qwen2.5-coder");
  });
  test("metadata naming a known family's own tokens keeps that family", () => {
    const meta = { prefix: "<|fim_prefix|>", suffix: "<|fim_suffix|>", middle: "<|fim_middle|>" };
    assert.equal(resolveFimFamily(facts(QWEN, { arch: "qwen2", meta }))?.id, "qwen2.5-coder");
  });
  test("incomplete token sets are not FIM", () => {
    assert.equal(resolveFimFamily(facts(["<fim_prefix>", "<fim_suffix>"])), undefined);
    assert.equal(resolveFimFamily(facts(["<|fim_prefix|>", "<|fim_middle|>"])), undefined);
    assert.equal(resolveFimFamily(facts(["<｜fim▁begin｜>", "<｜fim▁hole｜>"])), undefined);
    assert.equal(resolveFimFamily(facts([])), undefined);
  });
});

describe("modelFactsFromGgufMetadata", () => {
  const tokens = ["<unk>", "<s>", "</s>", "<fim_prefix>", "<fim_suffix>", "<fim_middle>", "<fim_pad>", "<rep>", "<sep>"];
  test("nested metadata (node-llama-cpp's shape), fim_* ids mapped to texts", () => {
    const f = modelFactsFromGgufMetadata({
      general: { architecture: "starcoder2", name: "StarCoder2 3B" },
      tokenizer: { ggml: { tokens, fim_pre_token_id: 3, fim_suf_token_id: 4, fim_mid_token_id: 5, fim_pad_token_id: 6, fim_rep_token_id: 7, fim_sep_token_id: 8 } },
    });
    assert.equal(f.architecture, "starcoder2");
    assert.equal(f.name, "StarCoder2 3B");
    assert.ok(f.hasToken("<fim_middle>"));
    assert.ok(!f.hasToken("<fim_nope>"));
    assert.deepEqual({ ...f.metadataFimTokens }, { prefix: "<fim_prefix>", suffix: "<fim_suffix>", middle: "<fim_middle>", pad: "<fim_pad>", repo: "<rep>", separator: "<sep>" });
  });
  test("flat keys and the older prefix/suffix/middle_token_id keys; bigint ids", () => {
    const f = modelFactsFromGgufMetadata({
      "general.architecture": "llama",
      "tokenizer.ggml.tokens": tokens,
      "tokenizer.ggml.prefix_token_id": 3n,
      "tokenizer.ggml.suffix_token_id": 4,
      "tokenizer.ggml.middle_token_id": 5,
    });
    assert.equal(f.architecture, "llama");
    assert.deepEqual({ ...f.metadataFimTokens }, { prefix: "<fim_prefix>", suffix: "<fim_suffix>", middle: "<fim_middle>" });
  });
  test("fim_* keys win over the older ones; out-of-range and non-integer ids are ignored", () => {
    const f = modelFactsFromGgufMetadata({
      tokenizer: { ggml: { tokens, fim_pre_token_id: 3, prefix_token_id: 1, fim_suf_token_id: 99, suffix_token_id: 4, fim_mid_token_id: 1.5 } },
    });
    assert.deepEqual({ ...f.metadataFimTokens }, { prefix: "<fim_prefix>", suffix: "<fim_suffix>" });
  });
  test("name falls back to general.basename, then to the file name", () => {
    assert.equal(modelFactsFromGgufMetadata({ general: { basename: "qwen2.5-coder" }, tokenizer: { ggml: { tokens } } }).name, "qwen2.5-coder");
    assert.equal(modelFactsFromGgufMetadata({ tokenizer: { ggml: { tokens } } }, "/models/tiny-coder.Q8_0.gguf").name, "tiny-coder.Q8_0");
    assert.equal(modelFactsFromGgufMetadata({}).name, undefined);
  });
  test("garbage in, empty facts out", () => {
    for (const m of [undefined, null, 42, "x", [], { tokenizer: { ggml: { tokens: "nope" } } }]) {
      const f = modelFactsFromGgufMetadata(m);
      assert.equal(f.hasToken("<fim_prefix>"), false);
      assert.equal(resolveFimFamily(f), undefined);
    }
  });
  test("readMetadataValue handles mixed nesting", () => {
    assert.equal(readMetadataValue({ "tokenizer.ggml": { tokens: 1 } }, "tokenizer.ggml.tokens"), 1);
    assert.equal(readMetadataValue({ tokenizer: { "ggml.tokens": 2 } }, "tokenizer.ggml.tokens"), 2);
    assert.equal(readMetadataValue({ tokenizer: {} }, "tokenizer.ggml.tokens"), undefined);
  });
});
