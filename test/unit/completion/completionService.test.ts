import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AdaptiveDebounce } from "../../../src/server/completion/AdaptiveDebounce";
import { abortableDelay } from "../../../src/server/completion/abortableDelay";
import { fitBudget, fitContextFiles } from "../../../src/server/completion/CompletionEngine";
import { CompletionService } from "../../../src/server/completion/CompletionService";
import type { FimModel } from "../../../src/server/completion/CompletionEngine";
import { selectCrossFileContext } from "../../../src/server/completion/crossFileContext";
import { createQwenCoderFamily } from "../../../src/server/completion/fim/qwenCoder";
import type { PromptPiece } from "../../../src/server/completion/fim/fimTypes";
import type { GenerateOptions, GenerationResult, TextGenerator } from "../../../src/server/completion/textGenerator";

/** A stand-in model for pure scheduling logic: answers from a table keyed on the prompt's last piece. */
class ScriptedGenerator implements TextGenerator {
  readonly contextSize = 4096;
  readonly prompts: string[] = [];
  constructor(private readonly answer: (lastPiece: string) => string) {}
  countTokens(text: string): number {
    return Math.ceil(text.length / 4);
  }
  async generate(prompt: readonly PromptPiece[], options: GenerateOptions): Promise<GenerationResult> {
    const last = prompt.at(-1)?.text ?? "";
    this.prompts.push(last);
    await Promise.resolve();
    const aborted = options.signal.aborted;
    return {
      text: aborted ? "" : this.answer(last), stopReason: aborted ? "aborted" : "endOfGeneration",
      promptTokens: 10, reusedTokens: 0, generatedTokens: 3, promptMs: 1, generateMs: 1,
    };
  }
}

const budget = { maxTokens: 64, prefixTokens: 512, suffixTokens: 128, extraContextTokens: 256, recentTokens: 256 };
const request = (text: string, offset = text.length) => ({ text, offset, languageId: "typescript", filePath: "a.ts", repoName: "r" });

function modelWith(generator: ScriptedGenerator): FimModel {
  return { generator, fim: createQwenCoderFamily() };
}

describe("CompletionService", () => {
  test("a repeated request is served from the cache without a model call", async () => {
    const generator = new ScriptedGenerator(() => "return a + b;");
    const service = new CompletionService(modelWith(generator));
    const first = await service.complete(request("function add(a, b) {\n  "), budget, new AbortController().signal);
    assert.equal(first.kind === "completion" && first.insertText, "return a + b;");
    const calls = generator.prompts.length;
    const second = await service.complete(request("function add(a, b) {\n  "), budget, new AbortController().signal);
    assert.equal(second.kind === "completion" && second.insertText, "return a + b;");
    assert.equal(second.stats?.source, "cache");
    assert.equal(generator.prompts.length, calls);
  });

  test("type-through: typing the suggestion's first characters shows the rest with no model call", async () => {
    const generator = new ScriptedGenerator((last) => (last === "  " ? "return a + b;" : ""));
    const service = new CompletionService(modelWith(generator));
    await service.complete(request("function add(a, b) {\n  "), budget, new AbortController().signal);
    const calls = generator.prompts.length;
    const typed = await service.complete(request("function add(a, b) {\n  ret"), budget, new AbortController().signal);
    assert.equal(typed.kind === "completion" && typed.insertText, "urn a + b;");
    assert.equal(typed.stats?.source, "cache");
    assert.equal(generator.prompts.length, calls);
  });

  test("after a completion, the one that follows its acceptance is precomputed", async () => {
    const generator = new ScriptedGenerator((last) => (last === "  " ? "return a + b;" : last === "  return a + b;" ? " // sum" : ""));
    const service = new CompletionService(modelWith(generator));
    await service.complete(request("function add(a, b) {\n  "), budget, new AbortController().signal);
    // Let the background speculation finish.
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(generator.prompts.includes("  return a + b;"), JSON.stringify(generator.prompts));
    const calls = generator.prompts.length;
    const next = await service.complete(request("function add(a, b) {\n  return a + b;"), budget, new AbortController().signal);
    assert.equal(next.kind === "completion" && next.insertText, " // sum");
    assert.equal(generator.prompts.length, calls);
  });

  test("a cancelled caller gets an empty outcome", async () => {
    const generator = new ScriptedGenerator(() => "x");
    const controller = new AbortController();
    controller.abort();
    const outcome = await new CompletionService(modelWith(generator)).complete(request("let a = "), budget, controller.signal);
    assert.equal(outcome.kind, "empty");
  });

  test("preparing the prompt counts toward the debounce: a request whose preparation outlasted it starts at once", async () => {
    const clock = { now: 0, msPerTokenCount: 0 };
    class SlowTokenizer extends ScriptedGenerator {
      override countTokens(text: string): number {
        clock.now += clock.msPerTokenCount;
        return super.countTokens(text);
      }
    }
    const generator = new SlowTokenizer(() => "x + 1;");
    const service = new CompletionService(modelWith(generator), () => clock.now);
    const typed = ["let a = ", "let a = b", "let a = b "];
    const outcomes: Promise<unknown>[] = [];
    // Keys 50 ms apart: by the third, the service debounces (~62 ms).
    for (const [index, text] of typed.entries()) {
      clock.now = index * 50;
      if (index === typed.length - 1) clock.msPerTokenCount = 100;
      outcomes.push(service.complete(request(text), budget, new AbortController().signal));
    }
    const last = outcomes.at(-1)!.then(() => "answered");
    // Without a timer in between, the answer comes in microtasks: before any timer fires.
    const first = await Promise.race([last, new Promise((resolve) => setTimeout(() => resolve("still waiting"), 30))]);
    assert.equal(first, "answered");
    await Promise.all(outcomes);
  });
  test("a suggestion the user asked for (the trigger key) waits for no typing debounce", async () => {
    const clock = { now: 0 };
    const generator = new ScriptedGenerator(() => "x + 1;");
    const service = new CompletionService(modelWith(generator), () => clock.now);
    // Keys 50 ms apart: an automatic request at the third would wait ~62 ms.
    for (const [index, text] of ["let a = ", "let a = b", "let a = b "].entries()) {
      clock.now = index * 50;
      await service.complete(request(text), budget, new AbortController().signal);
    }
    clock.now = 150;
    const automatic = await service.complete(request("let c = "), budget, new AbortController().signal);
    assert.ok((automatic.stats?.debounceMs ?? 0) > 0, "typing at this pace debounces an automatic request");
    clock.now = 200;
    const invoked = await service.complete({ ...request("let d = "), invoked: true }, budget, new AbortController().signal);
    assert.equal(invoked.kind === "completion" && invoked.insertText, "x + 1;");
    assert.equal(invoked.stats?.source, "model");
    assert.equal(invoked.stats?.debounceMs, 0);
  });
});

describe("AdaptiveDebounce", () => {
  test("no wait for the first request or after a pause; about the typing interval while typing fast", () => {
    const debounce = new AdaptiveDebounce({ maxDelayMs: 150, pauseMs: 400 });
    assert.equal(debounce.delayFor(0), 0);
    assert.equal(debounce.delayFor(80), 0);
    assert.equal(debounce.delayFor(160), 100);
    assert.equal(debounce.delayFor(240), 100);
    assert.equal(debounce.delayFor(2000), 0);
  });

  test("never waits longer than the maximum", () => {
    const debounce = new AdaptiveDebounce({ maxDelayMs: 150, pauseMs: 400 });
    for (let t = 0; t < 3000; t += 300) debounce.delayFor(t);
    assert.equal(debounce.delayFor(3000), 150);
  });
});

describe("abortableDelay", () => {
  test("resolves false as soon as the signal aborts", async () => {
    const controller = new AbortController();
    const waiting = abortableDelay(60_000, controller.signal);
    controller.abort();
    assert.equal(await waiting, false);
  });

  test("resolves true after the delay", async () => {
    assert.equal(await abortableDelay(1, new AbortController().signal), true);
  });
});

describe("prompt budget", () => {
  test("fits the context: the suffix and other files give way before the prefix", () => {
    const wanted = { maxTokens: 128, prefixTokens: 1024, suffixTokens: 256, extraContextTokens: 768, recentTokens: 512 };
    assert.deepEqual(fitBudget(wanted, 4096), wanted);
    const small = fitBudget(wanted, 1024);
    assert.ok(small.prefixTokens + small.suffixTokens + small.extraContextTokens + small.recentTokens + 128 + 64 <= 1024, JSON.stringify(small));
    assert.equal(small.extraContextTokens, 0);
  });

  test("keeps the most relevant files (last) that fit", () => {
    const files = [{ path: "a.ts", text: "a".repeat(400) }, { path: "b.ts", text: "b".repeat(40) }, { path: "c.ts", text: "c".repeat(40) }];
    const kept = fitContextFiles(files, 40, (text) => Math.ceil(text.length / 4));
    assert.deepEqual(kept.map((file) => file.path), ["b.ts", "c.ts"]);
  });
});

describe("selectCrossFileContext", () => {
  const file = (uri: string, lastUsedAt: number, languageId = "typescript", text = `// ${uri}\nexport const x = 1;\n`) =>
    ({ uri, path: uri, languageId, text, lastUsedAt });

  test("other open files of the same language, most recently used last, the current one excluded", () => {
    const chosen = selectCrossFileContext({ uri: "cur.ts", languageId: "typescript" },
      [file("old.ts", 1), file("cur.ts", 9), file("new.ts", 5), file("style.css", 7, "css")]);
    assert.deepEqual(chosen.map((context) => context.path), ["old.ts", "new.ts"]);
  });

  test("skips binary and huge files and stays within the character budget", () => {
    const chosen = selectCrossFileContext({ uri: "cur.ts", languageId: "typescript" },
      [file("bin.ts", 3, "typescript", "\u0000\u0001"), file("huge.ts", 2, "typescript", "x\n".repeat(400_000)), file("ok.ts", 1)],
      { maxChars: 100, maxCharsPerFile: 100, maxFileChars: 500_000 });
    assert.deepEqual(chosen.map((context) => context.path), ["ok.ts"]);
  });
});
