/**
 * How the weights are held in memory, by model loading option: each configuration runs in a fresh process (so its
 * RSS is its own) that loads the model as the server does (context of 4,096 tokens, two sequences, 2 threads, libuv
 * pool of one thread), reads a 1,024-token prompt and decodes 32 tokens. Reported per configuration: load time,
 * context creation time, RSS split into anonymous and file-mapped memory (from /proc/self/smaps_rollup) after the
 * load and after the first generation, prompt and decode tokens/s and the CPU share the process got.
 * Configurations alternate round by round (A B C, A B C, …) so that they share the machine's load.
 *
 *   npm run bench -- --memory [--repeats N] [--model PATH] [--model-shape 0.5b|1.5b] [--only NAME,NAME] [--mappings]
 *
 * --mappings also lists each process's largest mappings after the first generation (weights, KV cache and compute
 * buffers, the allocator's arenas), from /proc/self/smaps.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import type { LlamaModelOptions } from "node-llama-cpp" with { "resolution-mode": "import" };
import { optionValue, sampleCode } from "./lib/benchInputs";
import { largestMappings, memorySplit, type MemorySplit } from "./lib/memory";
import { benchModelPath } from "./lib/modelShapes";
import { loadLlama, SERVER_CONTEXT_SIZE } from "./lib/rawReplay";
import { loadAverage, median, round } from "./lib/stats";

const PROMPT_TOKENS = 1024;
const DECODE_TOKENS = 32;
const THREADS = 2;

interface MemoryCase {
  readonly name: string;
  readonly what: string;
  readonly load: Pick<LlamaModelOptions, "useMmap" | "useDirectIo" | "useMlock">;
  /** Extra environment for the process, e.g. glibc's allocator tunables. */
  readonly env?: Readonly<Record<string, string>>;
}

const CASES: readonly MemoryCase[] = [
  { name: "mmap", what: "useMmap auto (node-llama-cpp's default: the file is mapped)", load: {} },
  { name: "noMmap", what: "useMmap false (tensors read into llama.cpp's buffers)", load: { useMmap: false } },
  { name: "directIo", what: "useDirectIo true (read with O_DIRECT, bypassing the page cache; implies no mmap)", load: { useDirectIo: true } },
  {
    name: "noMmapArena1",
    what: "useMmap false, glibc with one malloc arena and a fixed mmap/trim threshold of 128 KiB",
    load: { useMmap: false },
    env: { MALLOC_ARENA_MAX: "1", MALLOC_MMAP_THRESHOLD_: "131072", MALLOC_TRIM_THRESHOLD_: "131072" },
  },
];

interface ChildResult {
  readonly loadMs: number;
  readonly contextMs: number;
  readonly afterLoad: MemorySplit;
  readonly afterGeneration: MemorySplit;
  readonly promptTokensPerSecond: number;
  readonly decodeTokensPerSecond: number;
  readonly cpuShare: number;
  readonly usedMmap: boolean;
  /** With --mappings: the largest mappings after the first generation. */
  readonly mappings?: ReturnType<typeof largestMappings>;
}

/** The measurement in the child process. */
async function child(modelPath: string, load: MemoryCase["load"], withMappings: boolean): Promise<ChildResult> {
  const { llama } = await loadLlama(THREADS);
  const loadStarted = performance.now();
  const model = await llama.loadModel({ modelPath, ...load });
  const loadMs = performance.now() - loadStarted;
  const contextStarted = performance.now();
  const context = await model.createContext({ contextSize: SERVER_CONTEXT_SIZE, threads: THREADS, sequences: 2 });
  const contextMs = performance.now() - contextStarted;
  const afterLoad = memorySplit()!;
  const sequence = context.getSequence();
  const prompt = model.tokenize(sampleCode(), false).slice(0, PROMPT_TOKENS);
  const cpuBefore = process.cpuUsage();
  const startedAt = performance.now();
  await sequence.controlledEvaluate(prompt.slice(0, -1));
  const promptMs = performance.now() - startedAt;
  let first = 0;
  let last = 0;
  let count = 0;
  for await (const token of sequence.evaluate(prompt.slice(-1), { temperature: 0 })) {
    void token;
    last = performance.now();
    if (count++ === 0) first = last;
    if (count >= DECODE_TOKENS) break;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const result: ChildResult = {
    loadMs: round(loadMs), contextMs: round(contextMs), afterLoad, afterGeneration: memorySplit()!,
    promptTokensPerSecond: round(((prompt.length - 1) * 1000) / promptMs),
    decodeTokensPerSecond: round(((count - 1) * 1000) / (last - first)),
    cpuShare: round((cpu.user + cpu.system) / 1000 / ((performance.now() - startedAt) * THREADS), 2),
    usedMmap: model.useMmap,
    ...(withMappings ? { mappings: largestMappings() } : {}),
  };
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return result;
}

export async function runModelMemory(argv: readonly string[]): Promise<void> {
  const childCase = optionValue(argv, "--child");
  const modelPath = await benchModelPath(argv);
  if (childCase !== undefined) {
    const c = CASES.find((candidate) => candidate.name === childCase)!;
    process.stdout.write(JSON.stringify(await child(modelPath, c.load, argv.includes("--mappings"))) + "\n");
    return;
  }
  const repeats = Number(optionValue(argv, "--repeats") ?? 3);
  const only = optionValue(argv, "--only")?.split(",");
  const selected = CASES.filter((c) => only === undefined || only.includes(c.name));
  const fileMiB = fs.statSync(modelPath).size / 2 ** 20;
  console.log(`model ${path.basename(modelPath)} (${fileMiB.toFixed(0)} MiB); ${selected.length} configurations × ${repeats} rounds, ` +
    `alternating, a fresh process each; prompt ${PROMPT_TOKENS} tokens, decode ${DECODE_TOKENS}; threads ${THREADS}; load average ${loadAverage()}`);
  const results = new Map<string, ChildResult[]>();
  const run = promisify(execFile);
  for (let round_ = 0; round_ < repeats; round_++) {
    for (const c of selected) {
      const childArgs = [__filename, "--child", c.name, "--model", modelPath, ...(argv.includes("--mappings") ? ["--mappings"] : [])];
      const { stdout } = await run(process.execPath, childArgs, {
        env: { ...process.env, UV_THREADPOOL_SIZE: "1", ...c.env }, maxBuffer: 1 << 20,
      });
      const r = JSON.parse(stdout.trim().split("\n").at(-1)!) as ChildResult;
      results.set(c.name, [...(results.get(c.name) ?? []), r]);
      console.log(`  [${round_ + 1}/${repeats}] ${c.name.padEnd(9)} load ${r.loadMs.toFixed(0).padStart(5)} ms, context ${r.contextMs.toFixed(0).padStart(4)} ms; ` +
        `after load RSS ${r.afterLoad.rssMiB} MiB (${r.afterLoad.anonymousMiB} anon + ${r.afterLoad.fileMiB} file); ` +
        `after generating ${r.afterGeneration.rssMiB} MiB (${r.afterGeneration.anonymousMiB} anon + ${r.afterGeneration.fileMiB} file); ` +
        `prompt ${r.promptTokensPerSecond} t/s, decode ${r.decodeTokensPerSecond} t/s, cpu share ${r.cpuShare}, mmap ${r.usedMmap}`);
      for (const m of r.mappings?.mappings ?? []) {
        console.log(`      ${String(m.rssMiB).padStart(7)} MiB resident of ${String(m.sizeMiB).padStart(7)} MiB  ${m.name === "" ? "(anonymous)" : m.name}`);
      }
      if (r.mappings !== undefined) console.log(`      ${String(r.mappings.restMiB).padStart(7)} MiB in smaller mappings`);
    }
  }
  console.log("");
  console.log("configuration  load ms  RSS MiB (anon + file) after the first generation   prompt t/s  decode t/s  (medians; n per configuration)");
  for (const c of selected) {
    const rs = results.get(c.name) ?? [];
    const m = (pick: (r: ChildResult) => number): number => round(median(rs.map(pick)));
    console.log(`${c.name.padEnd(14)} ${String(m((r) => r.loadMs)).padStart(7)}  ${String(m((r) => r.afterGeneration.rssMiB)).padStart(7)} ` +
      `(${m((r) => r.afterGeneration.anonymousMiB)} + ${m((r) => r.afterGeneration.fileMiB)})                       ` +
      `${String(m((r) => r.promptTokensPerSecond)).padStart(10)}  ${String(m((r) => r.decodeTokensPerSecond)).padStart(10)}  n ${rs.length}  ${c.what}`);
  }
  console.log(`load average at the end ${loadAverage()}`);
}

if (require.main === module) {
  runModelMemory(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack ?? error.message : error);
    process.exitCode = 1;
  });
}
