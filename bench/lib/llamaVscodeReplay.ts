import type { RequestRecord } from "./serverSession";

/**
 * llama.vscode's defaults (ggml-org/llama.vscode, src/configuration.ts and src/llama-server.ts): the lines of
 * context it sends above (`n_prefix`) and below (`n_suffix`) the cursor line, and its sampling and time limits.
 */
export const LLAMA_VSCODE = {
  prefixLines: 256,
  suffixLines: 64,
  tMaxPromptMs: 500,
  tMaxPredictMs: 2500,
  sampling: { top_k: 40, top_p: 0.99, samplers: ["top_k", "top_p", "infill"] },
} as const;

/**
 * Greedy decoding, as Pocket Coder's llama-server engine samples. On a random-weight model llama.cpp's `infill` sampler
 * ends a completion at its first token (every candidate is about as likely, so none passes its threshold and it picks
 * end-of-text), which would leave the direct side nothing to generate; greedy decoding runs both sides to n_predict.
 */
export const GREEDY_SAMPLING = { top_k: 1, samplers: ["top_k"] } as const;

/**
 * The /infill body llama.vscode sends for a cursor at `offset` in `text` (its extra-context ring empty: one file open),
 * with its own samplers or `sampling` instead.
 */
export function llamaVscodeInfillBody(
  text: string, offset: number, nPredict: number, sampling: Record<string, unknown> = LLAMA_VSCODE.sampling,
): Record<string, unknown> {
  const lines = text.split("\n");
  const before = text.slice(0, offset);
  const line = before.split("\n").length - 1;
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineEnd = text.indexOf("\n", offset) < 0 ? text.length : text.indexOf("\n", offset);
  const prefixLines = lines.slice(Math.max(0, line - LLAMA_VSCODE.prefixLines), line);
  const suffixLines = lines.slice(line + 1, Math.min(lines.length - 1, line + LLAMA_VSCODE.suffixLines) + 1);
  return {
    input_prefix: prefixLines.join("\n") + "\n",
    input_suffix: text.slice(offset, lineEnd) + "\n" + suffixLines.join("\n") + "\n",
    input_extra: [],
    prompt: text.slice(lineStart, offset),
    n_predict: nPredict,
    ...sampling,
    stream: false,
    cache_prompt: true,
    t_max_prompt_ms: LLAMA_VSCODE.tMaxPromptMs,
    t_max_predict_ms: LLAMA_VSCODE.tMaxPredictMs,
  };
}

export interface DirectTiming {
  /** Request sent → whole response read. */
  readonly ms: number;
  /** The server's own counts and time (its `timings`): prompt tokens evaluated, taken from its cache, generated. */
  readonly promptEvaluated: number;
  readonly promptCached: number;
  readonly generated: number;
  readonly serverMs: number;
}

/** Empties every slot's KV cache (`POST /slots/N?action=erase`; the server must run with `--slot-save-path`), as for a file nothing is cached for. */
export async function eraseSlots(url: string, slots: number): Promise<void> {
  for (let slot = 0; slot < slots; slot++) {
    const response = await fetch(`${url}/slots/${slot}?action=erase`, { method: "POST" });
    if (!response.ok) throw new Error(`${url}/slots/${slot}?action=erase: HTTP ${response.status} ${await response.text()}`);
  }
}

/**
 * Sends the document states of `requests`, in order, straight to llama-server as llama.vscode sends them: one
 * non-streaming `/infill` each. A cold request starts with the slots' caches erased, as it did on the other side.
 */
export async function replayAsLlamaVscode(
  url: string, slots: number, requests: readonly RequestRecord[], maxTokens: number, sampling: Record<string, unknown>, log: (line: string) => void,
): Promise<DirectTiming[]> {
  const timings: DirectTiming[] = [];
  for (const request of requests) {
    if (request.workload === "cold") await eraseSlots(url, slots);
    const body = JSON.stringify(llamaVscodeInfillBody(request.text, request.offset, maxTokens, sampling));
    const startedAt = performance.now();
    const response = await fetch(`${url}/infill`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const answer = await response.text();
    const ms = performance.now() - startedAt;
    if (!response.ok) throw new Error(`${url}/infill: HTTP ${response.status} ${answer}`);
    const reported = (JSON.parse(answer) as { timings?: { prompt_n?: number; cache_n?: number; predicted_n?: number; prompt_ms?: number; predicted_ms?: number } }).timings;
    const timing: DirectTiming = {
      ms, promptEvaluated: reported?.prompt_n ?? Number.NaN, promptCached: reported?.cache_n ?? Number.NaN, generated: reported?.predicted_n ?? Number.NaN,
      serverMs: (reported?.prompt_ms ?? Number.NaN) + (reported?.predicted_ms ?? 0),
    };
    timings.push(timing);
    log(`  direct ${request.workload.padEnd(10)} ${ms.toFixed(0).padStart(6)} ms  prompt ${timing.promptEvaluated} evaluated + ${timing.promptCached} cached, ` +
      `${timing.generated} generated, server ${timing.serverMs.toFixed(0)} ms`);
  }
  return timings;
}
