/**
 * `npm run bench -- --engine-load [--developers N] [--seconds N] [--slots N] [--threads N] [--max-tokens N] [--out FILE] [--model PATH | --model-shape S]`
 *
 * N simulated developers, each with their own language server (dist/server.js, engine.kind "llama-server"), typing
 * into their own documents against one loopback llama-server with 4 slots, for a bounded time: how every request
 * ended (answered, cancelled by a newer one, error; none may stay unanswered or hang), time to suggestion where
 * the developers paused, and the memory of llama-server and of each language server.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startLlamaServer } from "../test/fixtures/llamaServer";
import { BENCH_REPO_ROOT, optionValue } from "./lib/benchInputs";
import { busySlotsAfter, runDevelopers, summarizeLoad, type LoadSummary } from "./lib/engineLoad";
import { benchModelPath } from "./lib/modelShapes";
import { FULL_PLAN, sampleDocument } from "./lib/sessionPlans";
import { loadAverage } from "./lib/stats";

export async function runEngineLoad(argv: readonly string[]): Promise<void> {
  const log = (line: string): void => console.log(line);
  const developers = Number(optionValue(argv, "--developers") ?? 8);
  const seconds = Number(optionValue(argv, "--seconds") ?? 120);
  const slots = Number(optionValue(argv, "--slots") ?? 4);
  const threads = Number(optionValue(argv, "--threads") ?? 2);
  const maxTokens = Number(optionValue(argv, "--max-tokens") ?? 32);
  const requestTimeoutMs = Number(optionValue(argv, "--request-timeout") ?? 60) * 1000;
  const out = optionValue(argv, "--out");
  const serverMain = path.join(BENCH_REPO_ROOT, "dist", "server.js");
  if (!fs.existsSync(serverMain)) throw new Error(`${serverMain} is missing: run npm run build (npm run bench does).`);
  const modelPath = await benchModelPath(argv);

  const llama = await startLlamaServer({
    modelPath, slots, threads, ctxSize: 4096 * slots, startTimeoutMs: 300_000, extraArgs: ["--cache-reuse", "256"],
  });
  log(`llama-server ${llama.url}: ${path.basename(modelPath)}, ${threads} threads, ${slots} slots, --cache-reuse 256; ` +
    `${developers} developers for ${seconds} s, maxTokens ${maxTokens}, a request unanswered after ${requestTimeoutMs / 1000} s is hung; ` +
    `load average ${loadAverage()}`);
  let summary: LoadSummary & { slotsBusyAfterRun: number };
  try {
    const result = await runDevelopers({
      repoRoot: BENCH_REPO_ROOT, serverMain, engineUrl: llama.url, enginePid: llama.pid, developers, seconds, maxTokens,
      plan: { ...FULL_PLAN, rounds: Number.MAX_SAFE_INTEGER, coldPerRound: 1, cursorMovesPerRound: 3 },
      sample: sampleDocument(), requestTimeoutMs, log,
    });
    summary = { ...summarizeLoad(result), slotsBusyAfterRun: await busySlotsAfter(llama.url, 5000) };
  } finally {
    await llama.stop();
  }
  const report = {
    developers, seconds, slots, threads, maxTokens, requestTimeoutMs, model: path.basename(modelPath), ...summary, loadAverage: loadAverage(),
  };
  log("");
  log(`requests ${report.requests}: answered ${report.answered}, cancelled ${report.cancelled}, given up at the deadline ${report.gaveUp}, ` +
    `error ${report.error}, unanswered ${report.unsettled}, hung ${report.hung}; failed sessions ${report.failedSessions}`);
  log(`time to suggestion where developers paused (n ${report.answeredAtPauses}): p50 ${report.timeToSuggestionP50Ms} ms, ` +
    `p90 ${report.timeToSuggestionP90Ms} ms`);
  log(`llama-server RSS max ${report.llamaServerRssMaxMiB} MiB; language servers RSS median ${report.languageServerRssMedianMiB} MiB, ` +
    `max ${report.languageServerRssMaxMiB} MiB; slots busy after the run ${report.slotsBusyAfterRun}`);
  for (const error of report.errors) log(`  ${error}`);
  log(`load average at the end ${report.loadAverage}`);
  if (out !== undefined) {
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
    fs.writeFileSync(path.resolve(out), JSON.stringify(report, null, 2) + "\n");
    log(`wrote ${path.resolve(out)}`);
  }
}
