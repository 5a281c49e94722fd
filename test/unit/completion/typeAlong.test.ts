import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { CompletionService } from "../../../src/server/completion/CompletionService";
import type { FimModel } from "../../../src/server/completion/CompletionEngine";
import { createQwenCoderFamily } from "../../../src/server/completion/fim/qwenCoder";
import type { PromptPiece } from "../../../src/server/completion/fim/fimTypes";
import type { GenerateOptions, GenerationResult, TextGenerator } from "../../../src/server/completion/textGenerator";

interface Running {
  readonly options: GenerateOptions;
  /** The model writes `text` (all it has written so far). */
  write(text: string): void;
  /** The model ends with what it has written. */
  finish(): void;
  readonly aborted: Promise<void>;
}

/** A stand-in model that writes what the test tells it to, when it tells it to: for the scheduling around a running generation. */
class SteppedGenerator implements TextGenerator {
  readonly contextSize = 4096;
  readonly runs: Running[] = [];
  private readonly waiting: ((run: Running) => void)[] = [];

  countTokens(text: string): number {
    return Math.ceil(text.length / 4);
  }

  /** The next generation the service starts. */
  nextRun(): Promise<Running> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  generate(_prompt: readonly PromptPiece[], options: GenerateOptions): Promise<GenerationResult> {
    return new Promise((resolve) => {
      let written = "";
      const result = (stopReason: GenerationResult["stopReason"]): GenerationResult => ({
        text: stopReason === "aborted" ? "" : written, stopReason, promptTokens: 10, reusedTokens: 0, generatedTokens: written.length, promptMs: 1, generateMs: 1,
      });
      const aborted = new Promise<void>((onAbort) => options.signal.addEventListener("abort", () => {
        resolve(result("aborted"));
        onAbort();
      }, { once: true }));
      const run: Running = {
        options,
        write: (text) => {
          written = text;
          options.isSettled?.(text);
        },
        finish: () => resolve(result("endOfGeneration")),
        aborted,
      };
      this.runs.push(run);
      this.waiting.shift()?.(run);
    });
  }
}

const budget = { maxTokens: 64, prefixTokens: 512, suffixTokens: 128, extraContextTokens: 256, recentTokens: 256 };
const request = (text: string) => ({ text, offset: text.length, languageId: "typescript", filePath: "a.ts", repoName: "r" });
const modelWith = (generator: TextGenerator): FimModel => ({ generator, fim: createQwenCoderFamily() });

/** A request as the editor makes it: cancelled (by `cancel()`) when the user types on. */
function ask(service: CompletionService, text: string) {
  const caller = new AbortController();
  return { outcome: service.complete(request(text), budget, caller.signal), cancel: () => caller.abort() };
}

/** A service whose first request, for `text`, has its generation running. */
async function firstRequestRunning(text: string) {
  const generator = new SteppedGenerator();
  const service = new CompletionService(modelWith(generator));
  const started = generator.nextRun();
  const first = ask(service, text);
  return { generator, service, first, run: await started };
}

describe("CompletionService: typing along with a running generation", () => {
  test("typing what the model has already written waits for that generation and shows the rest of it", async () => {
    const { generator, service, first, run } = await firstRequestRunning("function add(a, b) {\n  ");
    run.write("ret");
    // The editor cancels the request when the user types, then asks again.
    first.cancel();
    const second = ask(service, "function add(a, b) {\n  re");
    await new Promise((resolve) => setImmediate(resolve));
    run.write("return a + b;");
    run.finish();
    const outcome = await second.outcome;
    assert.equal(outcome.kind === "completion" && outcome.insertText, "turn a + b;");
    assert.equal(outcome.stats?.source, "inFlight");
    assert.equal(generator.runs.length, 1, "no second generation");
    await first.outcome;
  });

  test("typing something else aborts the running generation and starts a new one", async () => {
    const { generator, service, first, run } = await firstRequestRunning("function add(a, b) {\n  ");
    run.write("ret");
    first.cancel();
    const restarted = generator.nextRun();
    const second = ask(service, "function add(a, b) {\n  th");
    await run.aborted;
    assert.equal((await first.outcome).kind, "empty");
    const rerun = await restarted;
    rerun.write("row new Error();");
    rerun.finish();
    const outcome = await second.outcome;
    assert.equal(outcome.kind === "completion" && outcome.insertText, "row new Error();");
    assert.equal(outcome.stats?.source, "model");
  });

  test("a cancelled request with no follow-up ends its generation (after a short grace when it has written text)", async () => {
    const { first, run } = await firstRequestRunning("let total = ");
    run.write("count");
    first.cancel();
    await run.aborted;
    assert.equal((await first.outcome).kind, "empty");
  });

  test("a request cancelled before the model wrote anything ends its generation at once", async () => {
    const { first, run } = await firstRequestRunning("let total = ");
    first.cancel();
    assert.equal(run.options.signal.aborted, true);
    assert.equal((await first.outcome).kind, "empty");
  });
});
