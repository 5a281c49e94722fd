import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CompletionService } from "../../../src/server/completion/CompletionService";
import { createQwenCoderFamily } from "../../../src/server/completion/fim/qwenCoder";
import { renderPrompt } from "../../../src/server/completion/fim/promptParts";
import type { ContextFile, PromptPiece } from "../../../src/server/completion/fim/fimTypes";
import type { GenerateOptions, GenerationResult, TextGenerator } from "../../../src/server/completion/textGenerator";

/** A stand-in model that records whole prompts. */
class RecordingGenerator implements TextGenerator {
  readonly contextSize = 4096;
  readonly prompts: string[] = [];
  countTokens(text: string): number {
    return Math.ceil(text.length / 4);
  }
  async generate(prompt: readonly PromptPiece[], options: GenerateOptions): Promise<GenerationResult> {
    this.prompts.push(renderPrompt(prompt));
    await Promise.resolve();
    return { text: "return a + b;", stopReason: options.signal.aborted ? "aborted" : "endOfGeneration", promptTokens: 10, reusedTokens: 0, generatedTokens: 3, promptMs: 1, generateMs: 1 };
  }
}

const budget = { maxTokens: 64, prefixTokens: 512, suffixTokens: 128, extraContextTokens: 256, recentTokens: 256 };
const GREET: ContextFile = { path: "src/greet.ts", text: "export function greet(name: string): string {\n  …\n}\n" };

describe("CompletionService with gatherContext", () => {
  test("the gathered context reaches the prompt, and a cached answer gathers nothing", async () => {
    const generator = new RecordingGenerator();
    const service = new CompletionService({ generator, fim: createQwenCoderFamily() });
    let gathered = 0;
    const request = {
      text: "function add(a, b) {\n  ", offset: 23, languageId: "typescript", filePath: "src/add.ts", repoName: "r",
      gatherContext: () => {
        gathered++;
        return Promise.resolve([GREET]);
      },
    };
    const first = await service.complete(request, budget, new AbortController().signal);
    assert.equal(first.kind, "completion");
    assert.equal(gathered, 1);
    assert.ok(generator.prompts[0]?.includes(`src/greet.ts\n${GREET.text}`), generator.prompts[0]);
    const second = await service.complete(request, budget, new AbortController().signal);
    assert.equal(second.stats?.source, "cache");
    assert.equal(gathered, 1);
  });
});
