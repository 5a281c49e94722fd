/**
 * `npm run bench -- --explain [--model PATH] [--threads N] [--max-tokens N] [--runs N] [--skip-realistic] [--skip-fixture]`
 * (or `node out/bench/explainTiming.js …` after `npm run build && tsc -p bench`)
 *
 * Time to first token and to the full explanation of "Explain Selection", measured through the real language
 * server (dist/server.js over stdio, as VS Code talks to it; `npm run build` first), on
 *   1. the designed chat fixture (tiny: measures the server's own overhead), and
 *   2. a random-weight model with Qwen2.5-Coder-0.5B's exact shape (test/fixtures/realisticModel.ts; it never
 *      stops early, so every explanation runs to maxTokens), or --model.
 * For each: a cold explanation (nothing cached), the same again (the prompt's KV cache reused), and the
 * latency of an inline completion requested while an explanation streams, against one requested when idle (alternating,
 * run by run), and whether each of those explanations still finished.
 */
import * as os from "node:os";
import * as path from "node:path";
import { chatModel } from "../test/fixtures/fixtureModels";
import { realisticModel } from "../test/fixtures/realisticModel";
import { fileUri, LspTestClient } from "../test/lsp/LspTestClient";
import { sampleCode } from "./lib/benchInputs";
import { loadAverage, median } from "./lib/stats";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
const MODEL_DIR = path.join(REPO_ROOT, ".test-models");

interface Options {
  readonly model?: string;
  readonly threads: number;
  readonly maxTokens: number;
  readonly runs: number;
  readonly skipRealistic: boolean;
  readonly skipFixture: boolean;
  /** Only the completion-while-explaining measurement (no cold/warm explanation rows). */
  readonly contentionOnly: boolean;
  /** Prints the server's per-request lines for the completions and explanations of the contention runs. */
  readonly verbose: boolean;
}

interface Row {
  readonly model: string;
  readonly case: string;
  readonly promptTokens?: number;
  readonly firstTextMs: number[];
  readonly totalMs: number[];
  readonly streamedChars: number;
}

function parseOptions(argv: readonly string[]): Options {
  const value = (name: string) => {
    const index = argv.indexOf(name);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const model = value("--model");
  return {
    ...(model === undefined ? {} : { model }),
    threads: Number(value("--threads") ?? os.availableParallelism()),
    maxTokens: Number(value("--max-tokens") ?? 128),
    runs: Number(value("--runs") ?? 3),
    skipRealistic: argv.includes("--skip-realistic"),
    skipFixture: argv.includes("--skip-fixture"),
    contentionOnly: argv.includes("--contention-only"),
    verbose: argv.includes("--verbose"),
  };
}

/** A 40-line function from the bench data: the size of a typical "explain this function". */
function sampleSelection(): { text: string; lines: number } {
  const source = sampleCode().split("\n");
  const start = Math.max(0, source.findIndex((line) => /^export function /.test(line)));
  const text = source.slice(start, start + 40).join("\n");
  return { text, lines: 40 };
}

interface Contention {
  readonly idleMs: number;
  readonly duringExplainMs: number;
  readonly runs: number;
  /** Explanations that ran during a completion and still ended with their answer (not aborted, not an error). */
  readonly explanationsFinished: number;
}

async function measureModel(label: string, modelPath: string, options: Options): Promise<{ rows: Row[]; completion: Contention }> {
  const client = await LspTestClient.start({
    settings: {
      model: { path: modelPath }, gpu: "cpu", threads: options.threads,
      completion: { enabled: true, maxTokens: 16 }, explain: { model: { path: "" }, maxTokens: options.maxTokens },
    },
  });
  try {
    // The model loads on first use; waitForModel has the server load it before anything is timed.
    const status = await client.waitForModel(0, 600_000);
    if (status.state !== "ready") throw new Error(`${label}: ${status.message}`);
    const selection = sampleSelection();
    const rows: Row[] = [];

    const explainOnce = async (name: string, text: string) => {
      const uri = fileUri(`bench/explain-${name}.ts`);
      await client.open(uri, text, "typescript");
      const lines = text.split("\n");
      const range = { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines.at(-1)?.length ?? 0 } };
      const logsBefore = client.logs.length;
      const exchange = await client.explain({ textDocument: { uri }, range });
      if (exchange.error !== undefined) throw new Error(`${label}: ${exchange.error.message}`);
      const log = client.logs.slice(logsBefore).find((line) => line.startsWith("explain "));
      const promptTokens = Number(/prompt (\d+) tokens/.exec(log ?? "")?.[1] ?? NaN);
      return { exchange, promptTokens };
    };

    // Cold: a fresh selection every run (a different first line), so nothing is reused.
    const cold: Row = { model: label, case: `cold, ${selection.lines}-line function`, firstTextMs: [], totalMs: [], streamedChars: 0 };
    const warm: Row = { model: label, case: "same selection again (KV cache reused)", firstTextMs: [], totalMs: [], streamedChars: 0 };
    let promptTokens: number | undefined;
    for (let run = 0; run < (options.contentionOnly ? 0 : options.runs); run++) {
      const text = `// run ${run}: ${Date.now()}\n${selection.text}`;
      const first = await explainOnce(`cold-${run}`, text);
      cold.firstTextMs.push(first.exchange.firstTextMs ?? NaN);
      cold.totalMs.push(first.exchange.totalMs);
      promptTokens = first.promptTokens;
      const again = await explainOnce(`cold-${run}`, text);
      warm.firstTextMs.push(again.exchange.firstTextMs ?? NaN);
      warm.totalMs.push(again.exchange.totalMs);
      (cold as { streamedChars: number }).streamedChars = first.exchange.result?.text.length ?? 0;
      (warm as { streamedChars: number }).streamedChars = again.exchange.result?.text.length ?? 0;
    }
    if (!options.contentionOnly) {
      rows.push({ ...cold, ...(promptTokens === undefined ? {} : { promptTokens }) }, { ...warm, ...(promptTokens === undefined ? {} : { promptTokens }) });
    }

    // An inline completion while an explanation streams, against one on an idle server.
    const completeUri = fileUri("bench/explain-complete.ts");
    await client.open(completeUri, `${selection.text}\n\nfunction next() {\n  \n}\n`, "typescript");
    const position = { line: selection.lines + 2, character: 2 };
    const idle: number[] = [];
    const during: number[] = [];
    let explanationsFinished = 0;
    for (let run = 0; run < options.runs; run++) {
      // The explanation's document is opened first, so both completions see the same open files (the cross-file
      // context) and differ only in one comment word of the same length: the same prompt work, the same tokens.
      const uri = fileUri(`bench/explain-background-${run}.ts`);
      const text = `// background ${run}\n${selection.text}`;
      await client.open(uri, text, "typescript");
      // Not timed: reads the prompt with the new context once, so the two timed ones below reuse it alike.
      await client.replaceText(completeUri, `${selection.text}\n// warm ${run}\nfunction next${run}() {\n  \n}\n`);
      await client.complete(completeUri, { line: selection.lines + 2, character: 2 });
      await client.replaceText(completeUri, `${selection.text}\n// idle ${run}\nfunction next${run}() {\n  \n}\n`);
      let startedAt = performance.now();
      await client.complete(completeUri, { line: selection.lines + 2, character: 2 });
      idle.push(performance.now() - startedAt);

      let firstText!: () => void;
      const streaming = new Promise<void>((resolve) => (firstText = resolve));
      const lines = text.split("\n");
      const explanation = client.explain(
        { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: 0 } } },
        { onChunk: (chunk) => chunk.text !== "" && firstText() },
      );
      await Promise.race([streaming, explanation]);
      await client.replaceText(completeUri, `${selection.text}\n// busy ${run}\nfunction next${run}() {\n  \n}\n`);
      startedAt = performance.now();
      await client.complete(completeUri, position);
      during.push(performance.now() - startedAt);
      const explained = await explanation;
      if (options.verbose) {
        for (const line of client.logs.splice(0)) if (/^completion|^explain/.test(line)) console.log(`    ${line}`);
      }
      const finished = explained.error === undefined && explained.result !== undefined && explained.result.stopReason !== "cancelled";
      if (finished) explanationsFinished++;
      console.log(`  ${label} run ${run + 1}: completion idle ${idle.at(-1)!.toFixed(0)} ms, while explaining ${during.at(-1)!.toFixed(0)} ms; ` +
        `the explanation ${finished ? "finished" : "did not finish"} (${explained.totalMs.toFixed(0)} ms, ${explained.result?.text.length ?? 0} chars); ` +
        `load average ${loadAverage()}`);
    }
    return { rows, completion: { idleMs: median(idle), duringExplainMs: median(during), runs: options.runs, explanationsFinished } };
  } finally {
    await client.stop();
  }
}

export async function runExplainTiming(argv: readonly string[]): Promise<void> {
  const options = parseOptions(argv);
  const models: Array<{ label: string; path: () => Promise<string> }> = options.skipFixture ? [] : [
    { label: "tiny chat fixture", path: () => chatModel(MODEL_DIR) },
  ];
  if (options.model !== undefined) models.push({ label: path.basename(options.model), path: () => Promise.resolve(options.model!) });
  else if (!options.skipRealistic) models.push({ label: "Qwen2.5-Coder-0.5B shape, Q8_0, random weights", path: () => realisticModel(MODEL_DIR) });

  console.log(`explain timing: CPU, ${options.threads} threads, maxTokens ${options.maxTokens}, ${options.runs} runs each (medians); ` +
    `load average ${loadAverage()}\n`);
  for (const model of models) {
    const { rows, completion } = await measureModel(model.label, await model.path(), options);
    for (const row of rows) {
      console.log(
        `${row.model} | ${row.case} | prompt ${row.promptTokens ?? "?"} tokens | first text ${median(row.firstTextMs).toFixed(0)} ms | ` +
          `full explanation ${median(row.totalMs).toFixed(0)} ms (${row.streamedChars} chars)`,
      );
    }
    console.log(
      `${model.label} | inline completion (16 tokens max) | idle ${completion.idleMs.toFixed(0)} ms | while an explanation streams ` +
        `${completion.duringExplainMs.toFixed(0)} ms (${(completion.duringExplainMs / completion.idleMs).toFixed(2)}×) | ` +
        `explanations finished ${completion.explanationsFinished}/${completion.runs} | load average ${loadAverage()}\n`,
    );
  }
}

if (require.main === module) {
  runExplainTiming(process.argv.slice(2)).then(() => process.exit(0), (error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
