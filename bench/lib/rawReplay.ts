import type { Llama, LlamaModel } from "node-llama-cpp" with { "resolution-mode": "import" };
import { buildContextWindow } from "../../src/server/completion/contextWindow";
import { DEFAULT_BUDGET } from "../../src/server/completion/CompletionEngine";
import type { RequestRecord } from "./serverSession";

type NodeLlamaCpp = typeof import("node-llama-cpp", { with: { "resolution-mode": "import" } });

export interface RawTiming {
  readonly ms: number;
  readonly tokensEvaluated: number;
  /** CPU time this process got ÷ (wall time × threads), as for the server's requests. */
  readonly cpuShare: number;
}

/** The server's defaults (src/server/runtime/openModel.ts), so that raw and server run the same context. */
export const SERVER_CONTEXT_SIZE = 4096;

export async function loadLlama(threads: number): Promise<{ llamaCpp: NodeLlamaCpp; llama: Llama }> {
  const llamaCpp = await import("node-llama-cpp");
  const llama = await llamaCpp.getLlama({
    gpu: false, build: "never", usePrebuiltBinaries: true, progressLogs: false, skipDownload: true, maxThreads: threads,
    logLevel: llamaCpp.LlamaLogLevel.error,
  });
  return { llamaCpp, llama };
}

export interface RawReplayer {
  /** Replays these requests, in order, continuing the previous call's KV cache. */
  replay(requests: readonly RequestRecord[]): Promise<RawTiming[]>;
  dispose(): Promise<void>;
}

/**
 * The same requests, in the same order, through node-llama-cpp's own infill API with the same model,
 * threads and context size: `new LlamaCompletion({ contextSequence }).generateInfillCompletion(prefix,
 * suffix, { maxTokens })`, with the prefix and suffix the server's context window chose (the same
 * windowing code). Only requests the server completed are replayed, each to its end; a "cold" request
 * starts from an empty KV cache, as it did in the server.
 */
export async function openRawReplayer(modelPath: string, threads: number, maxTokens: number, log: (line: string) => void): Promise<RawReplayer> {
  const { llamaCpp, llama } = await loadLlama(threads);
  let model: LlamaModel | undefined;
  try {
    model = await llama.loadModel({ modelPath });
  } catch (error) {
    await llama.dispose();
    throw error;
  }
  const loaded = model;
  const context = await loaded.createContext({ contextSize: SERVER_CONTEXT_SIZE, threads, sequences: 1 });
  const sequence = context.getSequence();
  const completion = new llamaCpp.LlamaCompletion({ contextSequence: sequence });
  return {
    async replay(requests) {
      const timings: RawTiming[] = [];
      for (const request of requests) {
        if (request.workload === "cold") await sequence.clearHistory();
        const window = buildContextWindow(request.text, request.offset, {
          prefixTokens: DEFAULT_BUDGET.prefixTokens,
          suffixTokens: DEFAULT_BUDGET.suffixTokens,
          countTokens: (text) => loaded.tokenize(text, false).length,
        });
        const before = sequence.tokenMeter.usedInputTokens;
        const cpuBefore = process.cpuUsage();
        const startedAt = performance.now();
        await completion.generateInfillCompletion(window.prefixBeforeLine + window.linePrefix, window.suffix, { maxTokens });
        const ms = performance.now() - startedAt;
        const cpu = process.cpuUsage(cpuBefore);
        const timing = { ms, tokensEvaluated: sequence.tokenMeter.usedInputTokens - before, cpuShare: (cpu.user + cpu.system) / 1000 / (ms * threads) };
        timings.push(timing);
        log(`  raw ${request.workload.padEnd(10)} ${timing.ms.toFixed(0).padStart(6)} ms  ${String(timing.tokensEvaluated).padStart(5)} tokens  cpu share ${timing.cpuShare.toFixed(2)}`);
      }
      return timings;
    },
    async dispose() {
      await context.dispose();
      await loaded.dispose();
      await llama.dispose();
    },
  };
}
