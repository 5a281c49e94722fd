/**
 * `npm run bench -- [--quick] [--out FILE] [--server-log FILE] [--threads N] [--model PATH] [--max-tokens N]`
 * `npm run bench -- --raw-speed [--quick] [--repeats N] [--out FILE]`: raw node-llama-cpp speed by runtime option (rawSpeed.ts)
 * `npm run bench -- --batch-cost [--repeats N] [--threads N]`: what evaluating k tokens at once costs (batchCost.ts)
 * `npm run bench -- --context [--samples N] [--misses] [--out FILE]`: whether a call's definition reaches the prompt, and its cost (contextBench.ts)
 * `npm run bench -- --engine [--quick] [--out FILE]`: the same session through llama-server, against llama.vscode's requests (engineBench.ts)
 * `npm run bench -- --engine-load [--developers N] [--seconds N]`: N developers against one llama-server with 4 slots (engineLoadBench.ts)
 * `npm run bench -- --lifecycle [--repeats N] [--threads N] [--out FILE]`: memory held before/after an idle unload, reload time (lifecycle.ts)
 *
 * Replays a typing session through the real language server (dist/server.js over stdio, as VS Code
 * talks to it) on a random-weight model with Qwen2.5-Coder-0.5B's exact shape, then the same prompts
 * through node-llama-cpp directly, and prints per-workload latencies:
 *
 * - cold:       a document just opened, a fresh position (no KV cache to reuse);
 * - typing:     a function typed character by character (80–200 ms apart, a request per keystroke, the
 *               previous one cancelled), measured where the user pauses (after Enter, and after some words);
 * - cursorMove: the cursor jumps 10–40 lines away and a completion is requested there.
 *
 * Tokens evaluated, model time, queue time and debounce come from the server's own per-request debug line.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { benchModelPath, modelShapeOf } from "./lib/modelShapes";
import { openRawReplayer, type RawTiming } from "./lib/rawReplay";
import { runBatchCost } from "./batchCost";
import { runContextBench } from "./contextBench";
import { runEngineBench } from "./engineBench";
import { runEngineLoad } from "./engineLoadBench";
import { runLifecycle } from "./lifecycle";
import { runExplainTiming } from "./explainTiming";
import { runModelMemory } from "./modelMemory";
import { runRawSpeed } from "./rawSpeed";
import {
  abortLatencies, completed, latency, overheads, runServerSession, tokensEvaluated, WORKLOADS, type RequestRecord,
} from "./lib/serverSession";
import { FULL_PLAN, QUICK_PLAN, sampleDocument } from "./lib/sessionPlans";
import { loadAverage, median, percentile, round } from "./lib/stats";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
/** Requests whose process got at least this CPU share count as uncontended ("clean"). */
const CLEAN_SHARE = 0.8;
interface Options {
  quick: boolean;
  out?: string;
  serverLog?: string;
  threads: number;
  maxTokens: number;
  model?: string;
  /** --model-shape and --weights, passed on to benchModelPath. */
  modelArgs: string[];
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { quick: false, threads: 2, maxTokens: 32, modelArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--quick") options.quick = true;
    else if (arg === "--out") options.out = path.resolve(value());
    else if (arg === "--server-log") options.serverLog = path.resolve(value());
    else if (arg === "--threads") options.threads = Number(value());
    else if (arg === "--max-tokens") options.maxTokens = Number(value());
    else if (arg === "--model") options.model = path.resolve(value());
    else if (arg === "--model-shape" || arg === "--weights") options.modelArgs.push(arg, value());
    else {
      throw new Error(`Unknown argument ${arg}. Usage: npm run bench -- [--quick] [--out FILE] [--server-log FILE] [--threads N] [--max-tokens N] ` +
        "[--model PATH | --model-shape 0.5b|1.5b] [--weights Q8_0|Q4_0]");
    }
  }
  return options;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const log = (line: string): void => console.log(line);
  const serverMain = path.join(REPO_ROOT, "dist", "server.js");
  if (!fs.existsSync(serverMain)) throw new Error(`${serverMain} is missing: run npm run build (npm run bench does).`);

  const modelStarted = performance.now();
  const modelPath = options.model ?? await benchModelPath(options.modelArgs);
  log(`model ${modelPath} (${(fs.statSync(modelPath).size / 2 ** 20).toFixed(0)} MiB, ready in ${((performance.now() - modelStarted) / 1000).toFixed(1)} s)`);
  log(`threads ${options.threads}, maxTokens ${options.maxTokens}, ${options.quick ? "quick" : "full"} run, load average ${loadAverage()}`);

  const plan = options.quick ? QUICK_PLAN : FULL_PLAN;
  const settings = { model: { path: modelPath }, gpu: "cpu", threads: options.threads, completion: { maxTokens: options.maxTokens } };

  log("server (dist/server.js --stdio), each round followed by the same requests through raw node-llama-cpp " +
    "(LlamaCompletion.generateInfillCompletion) while the server is idle:");
  const started = performance.now();
  const raw = await openRawReplayer(modelPath, options.threads, options.maxTokens, log);
  const rawOf = new Map<RequestRecord, RawTiming>();
  let rawMs = 0;
  let session;
  try {
    session = await runServerSession({
      repoRoot: REPO_ROOT,
      serverMain,
      settings,
      sample: sampleDocument(),
      plan,
      log,
      afterRound: async (roundRecords) => {
        const measured = completed(roundRecords);
        log(`raw, ${measured.length} requests:`);
        const rawStarted = performance.now();
        const timings = await raw.replay(measured);
        rawMs += performance.now() - rawStarted;
        measured.forEach((record, index) => rawOf.set(record, timings[index]!));
      },
    });
  } finally {
    await raw.dispose();
  }
  if (completed(session.records).every((record) => record.serverReported === undefined)) {
    log("warning: the server wrote no per-request debug lines; tokens evaluated and overhead are unknown");
  }
  if (options.serverLog !== undefined) fs.writeFileSync(options.serverLog, session.serverLog.join("\n") + "\n");
  log(`(server ${((performance.now() - started - rawMs) / 1000).toFixed(0)} s, raw ${(rawMs / 1000).toFixed(0)} s)`);

  const workloads: Record<string, { medianMs: number; p90Ms: number; rawMedianMs: number; ratioToRaw: number; tokensEvaluatedMedian: number;
    rawTokensEvaluatedMedian: number; promptTokensEvaluatedMedian: number; promptTokensMedian: number; modelMedianMs: number;
    debounceMedianMs: number; count: number; cleanMedianMs: number; cleanCount: number; rawCleanMedianMs: number; rawCleanCount: number;
    cleanRatioToRaw: number }> = {};
  for (const workload of WORKLOADS) {
    const records = completed(session.records, workload);
    const latencies = records.map(latency);
    const rawMs = records.map((record) => rawOf.get(record)!.ms);
    const medianMs = median(latencies);
    const rawMedianMs = median(rawMs);
    workloads[workload] = {
      medianMs: round(medianMs),
      p90Ms: round(percentile(latencies, 90)),
      rawMedianMs: round(rawMedianMs),
      ratioToRaw: round(medianMs / rawMedianMs, 2),
      tokensEvaluatedMedian: median(records.map(tokensEvaluated)),
      rawTokensEvaluatedMedian: median(records.map((record) => rawOf.get(record)!.tokensEvaluated)),
      promptTokensEvaluatedMedian: median(records.map((record) => record.serverReported?.evaluatedTokens ?? Number.NaN)),
      promptTokensMedian: median(records.map((record) => record.serverReported?.promptTokens ?? Number.NaN)),
      modelMedianMs: round(median(records.map((record) => record.serverReported?.modelMs ?? Number.NaN))),
      debounceMedianMs: round(median(records.map((record) => record.serverReported?.debounceMs ?? Number.NaN))),
      count: records.length,
      ...cleanFigures(records),
    };
  }
  function cleanFigures(records: RequestRecord[]) {
    const clean = records.filter((record) => (record.cpuShare ?? 0) >= CLEAN_SHARE).map(latency);
    const rawClean = records.map((record) => rawOf.get(record)!).filter((timing) => timing.cpuShare >= CLEAN_SHARE).map((timing) => timing.ms);
    return {
      cleanMedianMs: round(median(clean)), cleanCount: clean.length, rawCleanMedianMs: round(median(rawClean)), rawCleanCount: rawClean.length,
      cleanRatioToRaw: round(median(clean) / median(rawClean), 2),
    };
  }
  const aborts = abortLatencies(session.records);
  const midPromptAborts = abortLatencies(session.records, true);
  const overhead = overheads(session.records);
  const debounce = completed(session.records).map((record) => record.serverReported?.debounceMs ?? Number.NaN);
  const result = {
    workloads,
    abortMedianMs: round(median(aborts)),
    abortP90Ms: round(percentile(aborts, 90)),
    abortCount: aborts.length,
    abortMidPromptMedianMs: round(median(midPromptAborts)),
    abortMidPromptMaxMs: round(Math.max(...midPromptAborts)),
    abortMidPromptCount: midPromptAborts.length,
    overheadMedianMs: round(median(overhead)),
    overheadP90Ms: round(percentile(overhead, 90)),
    debounceMedianMs: round(median(debounce)),
    waitedForOlderMedianMs: round(median(completed(session.records).map((record) => record.serverReported?.queuedMs ?? Number.NaN))),
    rpcRoundTripMedianMs: round(median(session.rpcRoundTripMs), 2),
    model: path.basename(modelPath),
    modelShape: options.model === undefined ? modelShapeOf(options.modelArgs) : undefined,
    modelFileMiB: round(fs.statSync(modelPath).size / 2 ** 20),
    readyMs: round(session.readyMs),
    firstSuggestionMs: session.firstCompletionMs === undefined ? undefined : round(session.firstCompletionMs),
    memoryAfterFirstCompletion: session.memoryAfterFirstCompletion,
    memoryAtEnd: session.memoryAtEnd,
    threads: options.threads,
    maxTokens: options.maxTokens,
    quick: options.quick,
    requests: session.records.length,
    loadAverage: loadAverage(),
  };

  log("");
  log("workload     n     median        p90  raw median  ratio   tokens evaluated    prompt tokens   model time  debounce");
  log("                                                              server /    raw   evaluated/total   (server)    (server)");
  for (const workload of WORKLOADS) {
    const w = workloads[workload]!;
    log(`${workload.padEnd(10)} ${String(w.count).padStart(3)} ${fmt(w.medianMs)} ${fmt(w.p90Ms)} ${fmt(w.rawMedianMs)}  ${w.ratioToRaw.toFixed(2).padStart(5)}  ` +
      `${String(w.tokensEvaluatedMedian).padStart(8)} / ${String(w.rawTokensEvaluatedMedian).padStart(6)}   ` +
      `${String(w.promptTokensEvaluatedMedian).padStart(6)}/${String(w.promptTokensMedian).padEnd(6)}  ${fmt(w.modelMedianMs)}  ${fmt(w.debounceMedianMs)}`);
  }
  log("(tokens evaluated = every token the model ran, generated ones included; the server columns come from its per-request debug line)");
  log(`uncontended requests only (the process got ≥ ${CLEAN_SHARE} of its threads' CPU time):`);
  for (const workload of WORKLOADS) {
    const w = workloads[workload]!;
    log(`${workload.padEnd(10)} server ${fmt(w.cleanMedianMs)} (n ${w.cleanCount}/${w.count})   raw ${fmt(w.rawCleanMedianMs)} (n ${w.rawCleanCount}/${w.count})   ratio ${w.cleanRatioToRaw}`);
  }
  log(`abort (superseded request answered after the newer one was sent): median ${result.abortMedianMs} ms, p90 ${result.abortP90Ms} ms, n ${aborts.length}; ` +
    `mid-prompt (a cold prompt superseded while it is read): median ${result.abortMidPromptMedianMs} ms, max ${result.abortMidPromptMaxMs} ms, n ${midPromptAborts.length}`);
  log(`overhead (latency minus debounce, the wait for an older generation to stop, and model time, as the server reports them): median ${result.overheadMedianMs} ms, p90 ${result.overheadP90Ms} ms; ` +
    `bare LSP round trip ${result.rpcRoundTripMedianMs} ms; debounce median ${result.debounceMedianMs} ms; ` +
    `waiting for an older request's generation to stop: median ${result.waitedForOlderMedianMs} ms`);
  const memory = (split: typeof session.memoryAtEnd): string =>
    split === undefined ? "unknown" : `${split.rssMiB} MiB (${split.anonymousMiB} anonymous + ${split.fileMiB} file-mapped)`;
  log(`startup: ready ${result.readyMs} ms after spawn; first suggestion ${result.firstSuggestionMs ?? "?"} ms after spawn ` +
    "(ready + the first answered request's latency)");
  log(`server RSS after its first completion ${memory(session.memoryAfterFirstCompletion)}, at the end ${memory(session.memoryAtEnd)}; ` +
    `model file ${result.modelFileMiB} MiB`);
  log(`load average at the end ${result.loadAverage} (2 cores shared: compare runs only when it is low)`);

  if (options.out !== undefined) {
    fs.mkdirSync(path.dirname(options.out), { recursive: true });
    fs.writeFileSync(options.out, JSON.stringify(result, null, 2) + "\n");
    log(`wrote ${options.out}`);
  }
}

function fmt(ms: number): string {
  return `${ms.toFixed(0).padStart(6)} ms`;
}

const args = process.argv.slice(2);
const MODES: Record<string, (argv: readonly string[]) => Promise<void>> = {
  "--raw-speed": runRawSpeed, "--batch-cost": runBatchCost, "--memory": runModelMemory, "--lifecycle": runLifecycle,
  "--context": runContextBench, "--engine": runEngineBench, "--engine-load": runEngineLoad,
  "--explain": (argv) => runExplainTiming(argv).then(() => process.exit(0)),
};
const modeFlag = args.find((arg) => arg in MODES);
(modeFlag === undefined ? main() : MODES[modeFlag]!(args.filter((arg) => arg !== modeFlag))).catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack ?? error.message : error);
  process.exitCode = 1;
});
