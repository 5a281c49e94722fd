/**
 * Raw node-llama-cpp speed on the Qwen2.5-Coder-0.5B-shaped model: prompt tokens/s and decode tokens/s
 * for the runtime options that could matter (threads, batch size, flash attention, sampling, the API
 * used, the prefill chunk size), each measured several times, interleaved, reported as medians.
 *
 *   node out/bench/rawSpeed.js [--quick] [--repeats N] [--model PATH] [--out FILE] [--only NAME,NAME]
 *
 * (`npm run bench -- --raw-speed [--quick] [--out FILE]` builds and runs it.)
 *
 * - prompt tokens/s: a cleared sequence evaluates a 1,024-token piece of real code
 *   (`evaluateWithoutGeneratingNewTokens`, in chunks where a case says so);
 * - decode tokens/s: then 64 tokens are generated after it; the rate counts from the first generated
 *   token to the last, so it excludes the prompt.
 * - "floor": a one-layer, 64-wide model with the same 151,936-token vocabulary, to show the cost per
 *   token that is not the model (node-llama-cpp's JS loop, sampling over the vocabulary).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LlamaContext, LlamaContextOptions, LlamaModel, SequenceEvaluateOptions, Token } from "node-llama-cpp" with { "resolution-mode": "import" };
import { realisticModel } from "../test/fixtures/realisticModel";
import { optionValue, sampleCode } from "./lib/benchInputs";
import { loadLlama, SERVER_CONTEXT_SIZE } from "./lib/rawReplay";
import { loadAverage, median, round } from "./lib/stats";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

type NodeLlamaCpp = Awaited<ReturnType<typeof loadLlama>>["llamaCpp"];

interface Case {
  readonly name: string;
  readonly what: string;
  readonly threads: number;
  readonly context?: Omit<LlamaContextOptions, "threads" | "contextSize" | "sequences">;
  /** Prompt fed in chunks of this many tokens (the server's prefill), else in one call. */
  readonly prefillChunk?: number;
  /** Prefill through `controlledEvaluate`, which computes no logits (evaluateWithoutGeneratingNewTokens computes them for each call's last token). */
  readonly prefillWithoutLogits?: boolean;
  /** Sequences in the context (the server's has two: completions and explanations). */
  readonly sequences?: number;
  /** How tokens are generated. */
  readonly decode?: "evaluate" | "completionGreedy" | "completionDefaults";
  /** Options for `sequence.evaluate`, given the tokens generated so far. */
  readonly sampling?: (generated: readonly Token[]) => SequenceEvaluateOptions;
  readonly model?: "floor";
  /** Threads for the one-token decode steps (the prompt keeps `threads`), switched through `llama.maxThreads`. */
  readonly decodeThreads?: number;
}

interface Measurement {
  readonly promptTokensPerSecond: number;
  readonly decodeTokensPerSecond: number;
  /**
   * CPU time this process got during the measurement ÷ (wall time × threads): ~1 when the model's
   * threads had their cores to themselves (llama.cpp's threads spin while they wait, so they use all
   * they are given), lower when other processes took CPU from them.
   */
  readonly cpuShare: number;
}

/** Samples with at least this CPU share count as uncontended. */
const CLEAN_SHARE = 0.9;

const GREEDY = (): SequenceEvaluateOptions => ({ temperature: 0 });

function cases(quick: boolean): Case[] {
  const all: Case[] = [
    { name: "server", what: "what the server does today: threads 2, batchSize default (512), flashAttention default (auto), greedy", threads: 2 },
    { name: "threads1", what: "threads 1", threads: 1 },
    { name: "batch1024", what: "batchSize 1024 (node-llama-cpp sets n_ubatch = n_batch)", threads: 2, context: { batchSize: 1024 } },
    { name: "batch2048", what: "batchSize 2048", threads: 2, context: { batchSize: 2048 } },
    { name: "batch256", what: "batchSize 256", threads: 2, context: { batchSize: 256 } },
    { name: "faOn", what: "flashAttention true", threads: 2, context: { flashAttention: true } },
    { name: "faOff", what: "flashAttention false", threads: 2, context: { flashAttention: false } },
    { name: "chunk16", what: "prefill in 16-token chunks (LoadedModel's minimum)", threads: 2, prefillChunk: 16 },
    { name: "chunk32", what: "prefill in 32-token chunks", threads: 2, prefillChunk: 32 },
    { name: "chunk64", what: "prefill in 64-token chunks", threads: 2, prefillChunk: 64 },
    { name: "chunk128", what: "prefill in 128-token chunks", threads: 2, prefillChunk: 128 },
    { name: "chunk256", what: "prefill in 256-token chunks", threads: 2, prefillChunk: 256 },
    { name: "sequences2", what: "a context of two sequences, measured on the first", threads: 2, sequences: 2 },
    { name: "sequences2Chunk128", what: "two sequences, prefill in 128-token chunks", threads: 2, sequences: 2, prefillChunk: 128 },
    { name: "noLogits", what: "prefill in one call through controlledEvaluate (no logits)", threads: 2, prefillWithoutLogits: true },
    { name: "chunk32NoLogits", what: "prefill in 32-token chunks through controlledEvaluate (no logits)", threads: 2, prefillChunk: 32, prefillWithoutLogits: true },
    { name: "chunk64NoLogits", what: "prefill in 64-token chunks through controlledEvaluate (no logits)", threads: 2, prefillChunk: 64, prefillWithoutLogits: true },
    { name: "chunk128NoLogits", what: "prefill in 128-token chunks through controlledEvaluate (no logits)", threads: 2, prefillChunk: 128, prefillWithoutLogits: true },
    { name: "chunk256NoLogits", what: "prefill in 256-token chunks through controlledEvaluate (no logits)", threads: 2, prefillChunk: 256, prefillWithoutLogits: true },
    {
      name: "llamaServerSampling", what: "llama-server's default chain: temperature 0.8, top-k 40, top-p 0.95, min-p 0.05",
      threads: 2, sampling: () => ({ temperature: 0.8, topK: 40, topP: 0.95, minP: 0.05, seed: 1 }),
    },
    {
      name: "repeatPenalty", what: "greedy + repeat penalty over the last 64 tokens (LlamaCompletion's default)", threads: 2,
      sampling: (generated) => ({ temperature: 0, repeatPenalty: { punishTokens: () => generated.slice(-64), penalty: 1.1, maxPunishTokens: 64 } }),
    },
    { name: "completionGreedy", what: "LlamaCompletion.generateCompletion(tokens, { temperature: 0, repeatPenalty: false })", threads: 2, decode: "completionGreedy" },
    { name: "completionDefaults", what: "LlamaCompletion.generateCompletion(tokens, { maxTokens }) with its defaults", threads: 2, decode: "completionDefaults" },
    { name: "floor", what: "1 layer, 64 wide, same vocabulary: the cost per token that is not the model", threads: 2, model: "floor" },
    { name: "decodeThreads1", what: "prompt on 2 threads, one-token decode steps on 1 (llama.maxThreads)", threads: 2, decodeThreads: 1 },
    { name: "floorThreads1", what: "the floor model on 1 thread: its cost per token without a second compute thread", threads: 1, model: "floor" },
  ];
  return quick ? all.filter((c) => ["server", "threads1", "batch2048", "faOff", "chunk16", "chunk64", "completionDefaults", "floor", "decodeThreads1", "floorThreads1"].includes(c.name)) : all;
}

async function measure(
  llamaCpp: NodeLlamaCpp, model: LlamaModel, prompt: readonly Token[], decodeTokens: number, c: Case,
): Promise<Measurement> {
  let context: LlamaContext | undefined;
  try {
    context = await model.createContext({ contextSize: SERVER_CONTEXT_SIZE, threads: c.threads, sequences: c.sequences ?? 1, ...c.context });
    const sequence = context.getSequence();
    const body = prompt.slice(0, -1);
    const last = prompt.at(-1)!;

    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const promptStarted = performance.now();
    const prefill = async (tokens: Token[]): Promise<void> => {
      if (c.prefillWithoutLogits === true) await sequence.controlledEvaluate(tokens);
      else await sequence.evaluateWithoutGeneratingNewTokens(tokens);
    };
    if (c.prefillChunk === undefined) await prefill(body);
    else for (let i = 0; i < body.length; i += c.prefillChunk) await prefill(body.slice(i, i + c.prefillChunk));
    const promptTokensPerSecond = (body.length * 1000) / (performance.now() - promptStarted);

    let first = 0;
    let count = 0;
    let end = 0;
    // The prompt is read by now: every step from here evaluates one token (decodeThreads switches the threads for those).
    const promptMaxThreads = model.llama.maxThreads;
    if (c.decodeThreads !== undefined) model.llama.maxThreads = c.decodeThreads;
    try {
      if (c.decode === undefined || c.decode === "evaluate") {
        const generated: Token[] = [];
        for await (const token of sequence.evaluate([last], (c.sampling ?? GREEDY)(generated))) {
          generated.push(token);
          count++;
          end = performance.now();
          if (count === 1) first = end;
          if (count >= decodeTokens) break;
        }
      } else {
        const completion = new llamaCpp.LlamaCompletion({ contextSequence: sequence });
        const options = c.decode === "completionGreedy" ? { temperature: 0, repeatPenalty: false as const } : {};
        await completion.generateCompletion([...prompt], {
          ...options,
          maxTokens: decodeTokens,
          onToken: (tokens) => {
            count += tokens.length;
            end = performance.now();
            if (first === 0) first = end;
          },
        });
      }
    } finally {
      model.llama.maxThreads = promptMaxThreads;
    }
    const decodeTokensPerSecond = count > 1 ? ((count - 1) * 1000) / (end - first) : Number.NaN;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuShare = (cpu.user + cpu.system) / 1000 / ((performance.now() - wallBefore) * c.threads);
    return { promptTokensPerSecond, decodeTokensPerSecond, cpuShare };
  } finally {
    await context?.dispose();
  }
}

export async function runRawSpeed(argv: readonly string[]): Promise<void> {
  const quick = argv.includes("--quick");
  const repeats = Number(optionValue(argv, "--repeats") ?? (quick ? 2 : 5));
  const only = optionValue(argv, "--only")?.split(",");
  const out = optionValue(argv, "--out");
  const promptLength = 1024;
  const decodeTokens = quick ? 32 : 64;

  const modelsDir = path.join(REPO_ROOT, ".test-models");
  const modelPath = optionValue(argv, "--model") ?? await realisticModel(modelsDir);
  const floorPath = await realisticModel(modelsDir, { embeddingLength: 64, blockCount: 1, headCount: 1, headCountKv: 1, feedForwardLength: 64 });
  const selected = cases(quick).filter((c) => only === undefined || only.includes(c.name));
  console.log(`model ${path.basename(modelPath)}; ${selected.length} cases × ${repeats} repeats, interleaved; prompt ${promptLength} tokens, ` +
    `decode ${decodeTokens} tokens; load average ${loadAverage()}`);

  const { llamaCpp, llama } = await loadLlama(2);
  const results = new Map<string, Measurement[]>();
  try {
    const model = await llama.loadModel({ modelPath });
    const floor = selected.some((c) => c.model === "floor") ? await llama.loadModel({ modelPath: floorPath }) : undefined;
    const prompt = model.tokenize(sampleCode(), false).slice(0, promptLength);
    if (prompt.length < promptLength) throw new Error("The sample file is too short for the prompt");
    // A first pass that is not counted: page the weights in, warm the caches.
    await measure(llamaCpp, model, prompt.slice(0, 64), 4, { name: "warmup", what: "", threads: 2 });
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const c of selected) {
        const m = await measure(llamaCpp, c.model === "floor" ? floor! : model, prompt, decodeTokens, c);
        results.set(c.name, [...(results.get(c.name) ?? []), m]);
        console.log(`  [${repeat + 1}/${repeats}] ${c.name.padEnd(20)} prompt ${m.promptTokensPerSecond.toFixed(1).padStart(7)} t/s  ` +
          `decode ${m.decodeTokensPerSecond.toFixed(1).padStart(7)} t/s  cpu share ${m.cpuShare.toFixed(2)}`);
      }
    }
  } finally {
    await llama.dispose();
  }

  console.log("");
  console.log(`Medians over all samples, then over the uncontended ones (cpu share ≥ ${CLEAN_SHARE}; n = how many), and the best sample.`);
  console.log("case                 prompt t/s: all / clean (n) / best      decode t/s: all / clean (n) / best     clean vs server (prompt, decode)");
  const stats = (ms: readonly Measurement[], pick: (m: Measurement) => number) => {
    const clean = ms.filter((m) => m.cpuShare >= CLEAN_SHARE).map(pick);
    return { all: median(ms.map(pick)), clean: median(clean), n: clean.length, best: Math.max(...ms.map(pick)) };
  };
  const base = results.get("server") ?? [];
  const basePrompt = stats(base, (m) => m.promptTokensPerSecond);
  const baseDecode = stats(base, (m) => m.decodeTokensPerSecond);
  const summary: Record<string, unknown> = {};
  for (const c of selected) {
    const ms = results.get(c.name) ?? [];
    const p = stats(ms, (m) => m.promptTokensPerSecond);
    const d = stats(ms, (m) => m.decodeTokensPerSecond);
    summary[c.name] = {
      what: c.what,
      promptTokensPerSecond: round(p.all), promptTokensPerSecondClean: round(p.clean), promptBest: round(p.best),
      decodeTokensPerSecond: round(d.all), decodeTokensPerSecondClean: round(d.clean), decodeBest: round(d.best),
      cleanSamples: p.n, samples: ms.length, cpuShares: ms.map((m) => round(m.cpuShare, 2)),
    };
    const cell = (x: { all: number; clean: number; n: number; best: number }) =>
      `${x.all.toFixed(1).padStart(7)} / ${x.clean.toFixed(1).padStart(7)} (${x.n}) / ${x.best.toFixed(1).padStart(7)}`;
    console.log(`${c.name.padEnd(20)} ${cell(p)}   ${cell(d)}   ${(p.clean / basePrompt.clean).toFixed(2)}, ${(d.clean / baseDecode.clean).toFixed(2)}   ${c.what}`);
  }
  console.log(`load average at the end ${loadAverage()}`);
  if (out !== undefined) {
    fs.writeFileSync(out, JSON.stringify({ model: path.basename(modelPath), repeats, promptLength, decodeTokens, cases: summary }, null, 2) + "\n");
    console.log(`wrote ${out}`);
  }
}

if (require.main === module) {
  runRawSpeed(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exitCode = 1;
  });
}
