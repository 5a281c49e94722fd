/**
 * What one evaluation of k tokens costs at a completion's depth (~1,000 tokens in), against one token:
 * the price of checking k − 1 drafted tokens in speculative decoding (a draft model, or prompt lookup),
 * which only pays when enough drafts are accepted to cover it.
 *
 *   npm run bench -- --batch-cost [--repeats N] [--threads N] [--model PATH]
 *
 * Each batch is evaluated with the logits of its last token (as a verification step needs), timed, then
 * erased, so every sample starts from the same 1,000 cached tokens. Sizes are interleaved within a repeat.
 */
import * as path from "node:path";
import { realisticModel } from "../test/fixtures/realisticModel";
import { BENCH_REPO_ROOT, optionValue, sampleCode } from "./lib/benchInputs";
import { loadLlama, SERVER_CONTEXT_SIZE } from "./lib/rawReplay";
import { loadAverage, median } from "./lib/stats";

const DEPTH = 1000;
const BATCH_SIZES = [1, 2, 4, 8, 16] as const;

export async function runBatchCost(argv: readonly string[]): Promise<void> {
  const repeats = Number(optionValue(argv, "--repeats") ?? 7);
  const threads = Number(optionValue(argv, "--threads") ?? 2);
  const modelPath = optionValue(argv, "--model") ?? await realisticModel(path.join(BENCH_REPO_ROOT, ".test-models"));
  console.log(`model ${path.basename(modelPath)}; threads ${threads}; depth ${DEPTH}; ${repeats} repeats; load average ${loadAverage()}`);

  const { llama } = await loadLlama(threads);
  const samples = new Map<number, number[]>();
  try {
    const model = await llama.loadModel({ modelPath });
    const context = await model.createContext({ contextSize: SERVER_CONTEXT_SIZE, threads, sequences: 1 });
    const sequence = context.getSequence();
    const tokens = model.tokenize(sampleCode(), false);
    const largest = BATCH_SIZES.at(-1)!;
    if (tokens.length < DEPTH + largest) throw new Error("The sample file is too short");
    await sequence.controlledEvaluate(tokens.slice(0, DEPTH));
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const size of BATCH_SIZES) {
        const batch = tokens.slice(DEPTH, DEPTH + size);
        const started = performance.now();
        await sequence.controlledEvaluate(batch.map((token, index) => (index === size - 1 ? [token, { generateNext: { token: true } }] : token)));
        samples.set(size, [...(samples.get(size) ?? []), performance.now() - started]);
        await sequence.eraseContextTokenRanges([{ start: DEPTH, end: sequence.nextTokenIndex }]);
      }
    }
  } finally {
    await llama.dispose();
  }

  const single = median(samples.get(1) ?? []);
  console.log("tokens in one evaluation   median ms   × one token   break-even: drafts accepted of k − 1");
  for (const size of BATCH_SIZES) {
    const ms = median(samples.get(size) ?? []);
    // A step that verifies k − 1 drafts yields (accepted + 1) tokens for the cost of `ms`; one-token steps cost `single` each.
    const breakEven = ms / single - 1;
    console.log(`${String(size).padStart(6)}                  ${ms.toFixed(1).padStart(8)}   ${(ms / single).toFixed(2).padStart(9)}     ` +
      (size === 1 ? "-" : `${breakEven.toFixed(1)} of ${size - 1}`));
  }
  console.log(`load average at the end ${loadAverage()}`);
}
