// The completion runtime's KV-cache reuse on real llama.cpp with the designed FIM model: which tokens a new prompt
// keeps from the previous one, and that what it keeps does not change the completion.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Llama } from "node-llama-cpp" with { "resolution-mode": "import" };
import type { PromptPiece } from "../../src/server/completion/fim/fimTypes";
import { psmPieces } from "../../src/server/completion/fim/promptParts";
import type { GenerationResult } from "../../src/server/completion/textGenerator";
import { inspectModelFile } from "../../src/server/runtime/inspectModelFile";
import { openModel, type OpenedModel } from "../../src/server/runtime/openModel";
import { FIM_COMPLETION, fimModel } from "../fixtures/fixtureModels";

let llama: Llama;
let dir: string;
let opened: OpenedModel;

before(async () => {
  const llamaCpp = await import("node-llama-cpp");
  llama = await llamaCpp.getLlama({ gpu: false, build: "never", maxThreads: 1, logLevel: llamaCpp.LlamaLogLevel.error });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-kv-reuse-"));
  const modelPath = await fimModel(dir);
  opened = await openModel({ llama, backend: "cpu", gpuDevices: [], attempts: [] }, await inspectModelFile(modelPath), { threads: 1 });
});

after(async () => {
  await opened?.explainer.dispose();
  await opened?.loaded.dispose();
  await llama?.dispose();
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

const LINES = Array.from({ length: 40 }, (_, i) => `const value${i} = compute(${i}, "line ${i}");\n`);
const HEAD = "function add(a, b) {\n";

/** Qwen-style FIM with the recent prefix after the middle token, as the engine lays it out. */
function prompt(suffix: string, recent: string): PromptPiece[] {
  return [
    { kind: "special", text: "<|fim_prefix|>" }, { kind: "text", text: HEAD },
    { kind: "special", text: "<|fim_suffix|>" }, { kind: "text", text: suffix },
    { kind: "special", text: "<|fim_middle|>" }, { kind: "text", text: recent },
  ];
}

function generate(pieces: PromptPiece[]): Promise<GenerationResult> {
  return opened.loaded.generate(pieces, { maxTokens: 16, stopTexts: [], signal: new AbortController().signal });
}

/** Prompt tokens before the suffix: BOS (when the model adds one), the prefix token, HEAD, the suffix token. */
function tokensBeforeSuffix(): number {
  const bos = opened.loaded.model.tokens.shouldPrependBosToken && opened.loaded.model.tokens.bos !== null ? 1 : 0;
  return bos + 1 + opened.loaded.countTokens(HEAD) + 1;
}

describe("KV-cache reuse between completion prompts", () => {
  test("after a move down, the suffix's unchanged lines are shifted into place, not read again; the completion is unchanged", async () => {
    const first = await generate(prompt(LINES.join(""), "  "));
    assert.equal(first.text, FIM_COMPLETION);

    const tail = LINES.slice(5).join("");
    const moved = await generate(prompt(tail, `${LINES.slice(0, 5).join("")}  `));
    // The run goes on through the middle token, which follows the suffix in both prompts.
    assert.equal(moved.reusedTokens, tokensBeforeSuffix() + opened.loaded.countTokens(tail) + 1);
    assert.equal(moved.text, FIM_COMPLETION);
  });

  test("after a move down from a line end, the suffix's lines below the new cursor are reused (the suffix's two pieces)", async () => {
    const tokens = { prefix: "<|fim_prefix|>", suffix: "<|fim_suffix|>", middle: "<|fim_middle|>" };
    const body = Array.from({ length: 40 }, (_, i) => `  const value${i} = compute(${i}, "line ${i}");`);
    const input = (moved: number) => ({
      stablePrefix: HEAD, recentPrefix: ["  let x = 1;", ...body.slice(0, moved)].join("\n") + "\n  ",
      suffix: `\n${body.slice(moved).join("\n")}\n}\n`, filePath: "a.ts", repoName: "", extraContext: [],
    });
    await generate(psmPieces(tokens, input(0)));
    const moved = await generate(psmPieces(tokens, input(3)));
    const linesBelow = `${body.slice(3).join("\n")}\n}\n`;
    // Kept: up to the suffix's first piece (its line break), then its lines below the cursor and the middle token.
    assert.ok(moved.reusedTokens >= tokensBeforeSuffix() + 1 + opened.loaded.countTokens(linesBelow) + 1, `reused ${moved.reusedTokens}`);
    assert.equal(moved.text, FIM_COMPLETION);
  });

  test("a move up keeps only the common prefix: no chance matches of single tokens are carried over", async () => {
    await generate(prompt(LINES.slice(10).join(""), "  "));
    // The new suffix starts mid-line with tokens that also occur in the cached suffix, at other places (same words,
    // other numbers): node-llama-cpp's own shifting keeps every such token, one by one, with KV from the wrong line.
    const moved = await generate(prompt(`= compute(8, "line 8");\n${LINES.slice(9, 30).join("")}`, "  "));
    assert.equal(moved.reusedTokens, tokensBeforeSuffix());
    assert.equal(moved.text, FIM_COMPLETION);
  });

  test("typing after the middle token only appends: everything before it is reused", async () => {
    const suffix = LINES.slice(0, 20).join("");
    const before = await generate(prompt(suffix, "  "));
    const typed = await generate(prompt(suffix, "  x;\n  "));
    assert.equal(typed.reusedTokens, before.promptTokens);
    assert.equal(typed.text, FIM_COMPLETION);
  });
});

describe("why a completion generation stopped", () => {
  test("the model's own end is endOfGeneration; the token limit is maxTokens (post-processing drops a cut last line then)", async () => {
    const natural = await generate(prompt(LINES.join(""), "  "));
    assert.deepEqual([natural.text, natural.stopReason], [FIM_COMPLETION, "endOfGeneration"]);
    const limited = await opened.loaded.generate(prompt(LINES.join(""), "  "), { maxTokens: 2, stopTexts: [], signal: new AbortController().signal });
    assert.deepEqual([limited.generatedTokens, limited.stopReason], [2, "maxTokens"]);
  });
});
