/**
 * Preloaded into the server process by the benchmark (`node --require out/bench/lib/serverProbe.js
 * dist/server.js --stdio`) because the server does not report per-request statistics yet. It changes
 * nothing the server does: it wraps two methods of node-llama-cpp's LlamaContextSequence (the module
 * instance the server's own dynamic import gets) and writes one stderr line per call:
 *
 *   @@pc-bench {"ev":"adapt","t":…,"prompt":N,"kept":K}         a generation starts: N tokens before the last
 *                                                                prompt token, K of them kept in the KV cache
 *   @@pc-bench {"ev":"decode","t0":…,"t1":…,"n":N}              N tokens evaluated (prompt chunk or one generated token)
 *
 * Times are wall-clock milliseconds (performance.timeOrigin + performance.now()), comparable with the
 * benchmark process's own stamps. Active only when POCKET_CODER_BENCH_PROBE=1.
 */
export const PROBE_PREFIX = "@@pc-bench ";

export type ProbeEvent =
  | { readonly ev: "adapt"; readonly t: number; readonly prompt: number; readonly kept: number }
  | { readonly ev: "decode"; readonly t0: number; readonly t1: number; readonly n: number };

function now(): number {
  return performance.timeOrigin + performance.now();
}

function emit(event: ProbeEvent): void {
  process.stderr.write(PROBE_PREFIX + JSON.stringify(event) + "\n");
}

interface PatchableSequence {
  nextTokenIndex: number;
  adaptStateToTokens(tokens: readonly number[], allowShift?: boolean): Promise<void>;
  _decodeTokens(tokens: readonly number[], ...rest: unknown[]): Promise<unknown>;
}

export const PROBE_ENV = "POCKET_CODER_BENCH_PROBE";

// Only where the benchmark asked for it: the benchmark process imports this module for the types above.
if (process.env[PROBE_ENV] === "1") {
  void import("node-llama-cpp").then(({ LlamaContextSequence }) => {
    const prototype = LlamaContextSequence.prototype as unknown as PatchableSequence;
    const adapt = prototype.adaptStateToTokens;
    prototype.adaptStateToTokens = async function (this: PatchableSequence, tokens, allowShift) {
      const t = now();
      await adapt.call(this, tokens, allowShift);
      emit({ ev: "adapt", t, prompt: tokens.length, kept: this.nextTokenIndex });
    };
    const decode = prototype._decodeTokens;
    if (typeof decode !== "function") throw new Error("serverProbe: node-llama-cpp has no LlamaContextSequence._decodeTokens any more");
    prototype._decodeTokens = async function (this: PatchableSequence, tokens, ...rest) {
      const t0 = now();
      try {
        return await decode.call(this, tokens, ...rest);
      } finally {
        emit({ ev: "decode", t0, t1: now(), n: tokens.length });
      }
    };
  });
}
