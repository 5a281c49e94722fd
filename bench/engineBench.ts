/**
 * `npm run bench -- --engine [--quick] [--out FILE] [--server-log FILE] [--threads N] [--max-tokens N] [--slots N] [--llama-vscode-samplers]
 *   [--model PATH | --model-shape S]`
 *
 * Pocket Coder against llama.vscode on the same llama-server: one llama-server (the bench's model, threads,
 * `--cache-reuse 256`, loopback), the typing session through dist/server.js with engine.kind "llama-server", and after
 * each round the same document states sent straight to that server as llama.vscode sends them (bench/lib/llamaVscodeReplay.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startLlamaServer } from "../test/fixtures/llamaServer";
import { BENCH_REPO_ROOT, optionValue } from "./lib/benchInputs";
import { eraseSlots, GREEDY_SAMPLING, LLAMA_VSCODE, replayAsLlamaVscode, type DirectTiming } from "./lib/llamaVscodeReplay";
import { memorySplit } from "./lib/memory";
import { benchModelPath, modelShapeOf } from "./lib/modelShapes";
import { completed, latency, runServerSession, untilIdle, WORKLOADS, type RequestRecord } from "./lib/serverSession";
import { FULL_PLAN, QUICK_PLAN, sampleDocument } from "./lib/sessionPlans";
import { loadAverage, median, percentile, round } from "./lib/stats";

/** What llama.vscode's README tells users to run: reuse cached chunks of at least this many tokens by shifting them. */
const CACHE_REUSE = 256;
/** The context the local engine gives a completion sequence (src/server/runtime/openModel.ts), per slot here. */
const CONTEXT_PER_SLOT = 4096;

export async function runEngineBench(argv: readonly string[]): Promise<void> {
  const log = (line: string): void => console.log(line);
  const quick = argv.includes("--quick");
  const threads = Number(optionValue(argv, "--threads") ?? 2);
  const maxTokens = Number(optionValue(argv, "--max-tokens") ?? 32);
  const slots = Number(optionValue(argv, "--slots") ?? 1);
  const out = optionValue(argv, "--out");
  const serverLogFile = optionValue(argv, "--server-log");
  // By default the direct side decodes greedily like Pocket Coder (see GREEDY_SAMPLING); this flag sends llama.vscode's own samplers.
  const sampling = argv.includes("--llama-vscode-samplers") ? LLAMA_VSCODE.sampling : GREEDY_SAMPLING;
  const serverMain = path.join(BENCH_REPO_ROOT, "dist", "server.js");
  if (!fs.existsSync(serverMain)) throw new Error(`${serverMain} is missing: run npm run build (npm run bench does).`);
  const modelPath = await benchModelPath(argv);

  // Erasing a slot's cache (before each cold request) is a slot action, which llama-server offers only with a save path.
  const slotDir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-bench-slots-"));
  const llama = await startLlamaServer({
    modelPath, slots, threads, ctxSize: CONTEXT_PER_SLOT * slots, startTimeoutMs: 300_000,
    extraArgs: ["--cache-reuse", String(CACHE_REUSE), "--slot-save-path", slotDir],
  });
  log(`llama-server ${llama.url} (pid ${llama.pid}): ${path.basename(modelPath)}, ${threads} threads, ${slots} slot(s), ` +
    `--cache-reuse ${CACHE_REUSE}; maxTokens ${maxTokens} on both sides; ${quick ? "quick" : "full"} run, load average ${loadAverage()}`);
  log(`direct side: /infill as llama.vscode sends it (n_prefix ${LLAMA_VSCODE.prefixLines} lines, n_suffix ${LLAMA_VSCODE.suffixLines} lines, ` +
    `samplers ${JSON.stringify(sampling)}, t_max_predict_ms ${LLAMA_VSCODE.tMaxPredictMs}, cache_prompt, input_extra empty)`);

  const directOf = new Map<RequestRecord, DirectTiming>();
  let session;
  let llamaMemory;
  try {
    session = await runServerSession({
      repoRoot: BENCH_REPO_ROOT,
      serverMain,
      settings: { engine: { kind: "llama-server", url: llama.url }, threads, completion: { maxTokens } },
      sample: sampleDocument(),
      plan: quick ? QUICK_PLAN : FULL_PLAN,
      log,
      // Both sides start a cold request from empty caches: the server's cache would otherwise hold the other side's prompt.
      beforeCold: () => eraseSlots(llama.url, slots),
      afterRound: async (roundRecords) => {
        await untilIdle(llama.pid);
        const measured = completed(roundRecords);
        log(`direct, ${measured.length} requests:`);
        const timings = await replayAsLlamaVscode(llama.url, slots, measured, maxTokens, sampling, log);
        measured.forEach((record, index) => directOf.set(record, timings[index]!));
      },
    });
  } finally {
    llamaMemory = memorySplit(llama.pid);
    await llama.stop();
    fs.rmSync(slotDir, { recursive: true, force: true });
  }
  if (serverLogFile !== undefined) fs.writeFileSync(serverLogFile, session.serverLog.join("\n") + "\n");

  // A request the engine could not run (llama-server timed out or failed: the engine then answers empty at once until
  // it is back) has no latency of a completion to compare; such requests are counted and left out.
  const engineFailed = (record: RequestRecord): boolean => record.serverReported?.stopReason === "aborted";
  const failed = completed(session.records).filter(engineFailed);
  if (failed.length > 0) {
    log(`warning: ${failed.length} request(s) answered empty because the engine failed (left out below); the server said:`);
    for (const line of session.serverLog.filter((entry) => /Completions pause|answers again|rejected a request/.test(entry))) log(`  ${line}`);
  }
  const clientOverhead = (record: RequestRecord): number => {
    const reported = record.serverReported;
    return reported?.engineMs === undefined ? Number.NaN : latency(record) - reported.debounceMs - reported.engineMs;
  };
  const workloads: Record<string, unknown> = {};
  log("");
  log("workload     n   Pocket Coder median / p90      direct median / p90   ratio   prompt evaluated / generated        engine ms     overhead");
  log("                                                                             Pocket Coder      direct          PC / direct   (client)");
  for (const workload of WORKLOADS) {
    const records = completed(session.records, workload).filter((record) => directOf.has(record) && !engineFailed(record));
    const direct = records.map((record) => directOf.get(record)!);
    const ours = records.map(latency);
    const figures = {
      count: records.length,
      medianMs: round(median(ours)), p90Ms: round(percentile(ours, 90)),
      directMedianMs: round(median(direct.map((timing) => timing.ms))), directP90Ms: round(percentile(direct.map((timing) => timing.ms), 90)),
      ratioToDirect: round(median(ours) / median(direct.map((timing) => timing.ms)), 2),
      promptEvaluatedMedian: median(records.map((record) => record.serverReported?.evaluatedTokens ?? Number.NaN)),
      generatedMedian: median(records.map((record) => record.serverReported?.generatedTokens ?? Number.NaN)),
      directPromptEvaluatedMedian: median(direct.map((timing) => timing.promptEvaluated)),
      directPromptCachedMedian: median(direct.map((timing) => timing.promptCached)),
      directGeneratedMedian: median(direct.map((timing) => timing.generated)),
      engineMedianMs: round(median(records.map((record) => record.serverReported?.engineMs ?? Number.NaN))),
      directEngineMedianMs: round(median(direct.map((timing) => timing.serverMs))),
      debounceMedianMs: round(median(records.map((record) => record.serverReported?.debounceMs ?? Number.NaN))),
      queuedMedianMs: round(median(records.map((record) => record.serverReported?.queuedMs ?? Number.NaN))),
      clientOverheadMedianMs: round(median(records.map(clientOverhead))),
      clientOverheadP90Ms: round(percentile(records.map(clientOverhead), 90)),
    };
    workloads[workload] = figures;
    log(`${workload.padEnd(10)} ${String(figures.count).padStart(3)}   ${fmt(figures.medianMs)} / ${fmt(figures.p90Ms)}   ${fmt(figures.directMedianMs)} / ${fmt(figures.directP90Ms)}` +
      `  ${figures.ratioToDirect.toFixed(2).padStart(5)}   ${String(figures.promptEvaluatedMedian).padStart(5)} / ${String(figures.generatedMedian).padEnd(4)}` +
      ` ${String(figures.directPromptEvaluatedMedian).padStart(5)} / ${String(figures.directGeneratedMedian).padEnd(4)}` +
      `  ${fmt(figures.engineMedianMs)} / ${fmt(figures.directEngineMedianMs)}  ${fmt(figures.clientOverheadMedianMs)}`);
  }
  const all = completed(session.records).filter((record) => directOf.has(record) && !engineFailed(record));
  const result = {
    workloads,
    clientOverheadMedianMs: round(median(all.map(clientOverhead))),
    clientOverheadP90Ms: round(percentile(all.map(clientOverhead), 90)),
    // The engine's wall time minus the time llama-server reports: HTTP, /tokenize, waiting for the slot a superseded request still holds.
    transportMedianMs: round(median(all.map((record) => (record.serverReported?.modelMs ?? Number.NaN) - (record.serverReported?.engineMs ?? Number.NaN)))),
    rpcRoundTripMedianMs: round(median(session.rpcRoundTripMs), 2),
    languageServerMemoryAtEnd: session.memoryAtEnd,
    llamaServerMemoryAtEnd: llamaMemory,
    model: path.basename(modelPath),
    modelShape: argv.includes("--model") ? undefined : modelShapeOf(argv),
    threads, slots, cacheReuse: CACHE_REUSE, maxTokens, quick,
    direct: { ...LLAMA_VSCODE, sampling, inputExtra: "empty (one file open)" },
    requests: session.records.length,
    engineFailures: failed.length,
    loadAverage: loadAverage(),
  };
  log("(prompt evaluated: tokens the server read, not taken from its cache; engine ms: llama-server's own prompt + generation time)");
  log(`client overhead (latency − debounce − llama-server's own time): median ${result.clientOverheadMedianMs} ms, p90 ${result.clientOverheadP90Ms} ms; ` +
    `of it HTTP, /tokenize and waiting for a slot (engine wall time − llama-server's time): median ${result.transportMedianMs} ms; ` +
    `bare LSP round trip ${result.rpcRoundTripMedianMs} ms`);
  log(`load average at the end ${result.loadAverage} (2 cores shared: compare runs only when it is low)`);
  if (out !== undefined) {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(path.resolve(out), JSON.stringify(result, null, 2) + "\n");
    log(`wrote ${path.resolve(out)}`);
  }
}

function fmt(ms: number): string {
  return `${ms.toFixed(0).padStart(6)} ms`;
}
