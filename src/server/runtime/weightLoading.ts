/**
 * Whether to read the weights into llama.cpp's buffers or map the file. Pure: the CPU's features and the model's
 * tensor types in, a decision and its reason out.
 *
 * Where llama.cpp repacks a weight matrix for its CPU kernels, the repacked copy is anonymous memory and a mapped
 * file's pages, all read once to repack them, stay resident beside it: mapped, such weights are held twice. Where
 * nothing is repacked, mapping holds them once too and loads faster (the pages are touched lazily, and a reload after
 * an idle unload finds them in the page cache). So the weights are read only where enough of them get repacked, or
 * where the CPU cannot be told (reading is never the larger).
 */

/** ggml's type ids, as in the GGUF tensor info. */
const GGML_TYPE = { Q4_0: 2, Q4_1: 3, Q8_0: 8, Q2_K: 10, Q4_K: 12, Q5_K: 13, Q6_K: 14, IQ4_NL: 20, IQ4_XS: 23, MXFP4: 39 } as const;

export interface CpuFeatures {
  /** Node's `process.arch`. */
  readonly arch: string;
  /** Linux's /proc/cpuinfo `flags` (x86) or `Features` (Arm), lower case. */
  readonly flags: ReadonlySet<string>;
}

/** The features of the first processor listed in /proc/cpuinfo; undefined when the text has none. */
export function cpuFeaturesFromCpuinfo(cpuinfo: string, arch: string): CpuFeatures | undefined {
  const line = /^(?:flags|Features)\s*:(.*)$/m.exec(cpuinfo);
  if (line === null) return undefined;
  return { arch, flags: new Set(line[1]!.trim().toLowerCase().split(/\s+/)) };
}

/** The ggml types whose matrices llama.cpp's CPU backend repacks on this CPU (its repack and AMX buffer types). */
export function repackedTypes(cpu: CpuFeatures): ReadonlySet<number> {
  const has = (flag: string): boolean => cpu.flags.has(flag);
  const types = new Set<number>();
  if (cpu.arch === "x64" || cpu.arch === "ia32") {
    if (has("amx_int8") && has("avx512_vnni")) {
      for (const type of [GGML_TYPE.Q4_0, GGML_TYPE.Q4_1, GGML_TYPE.Q8_0, GGML_TYPE.Q4_K, GGML_TYPE.Q5_K, GGML_TYPE.Q6_K, GGML_TYPE.IQ4_XS]) {
        types.add(type);
      }
    }
    if (has("avx2")) for (const type of [GGML_TYPE.Q4_0, GGML_TYPE.Q4_K, GGML_TYPE.IQ4_NL, GGML_TYPE.MXFP4]) types.add(type);
    if (has("avx512f")) types.add(GGML_TYPE.Q2_K);
  } else if (cpu.arch === "arm64") {
    const int8Matmul = has("i8mm");
    const dotProduct = has("asimddp");
    if (int8Matmul || dotProduct) {
      for (const type of [GGML_TYPE.Q4_0, GGML_TYPE.Q4_K, GGML_TYPE.Q5_K, GGML_TYPE.Q6_K, GGML_TYPE.Q8_0]) types.add(type);
    }
    if (dotProduct) for (const type of [GGML_TYPE.IQ4_NL, GGML_TYPE.MXFP4]) types.add(type);
  }
  return types;
}

export interface WeightTensor {
  readonly name: string;
  readonly dimensions: readonly (number | bigint)[];
  readonly ggmlType: number;
}

export interface WeightLoading {
  readonly useMmap: boolean;
  /** For the debug log: why. */
  readonly reason: string;
}

/** Read when at least this share of the matrices' elements would be repacked: below it, the double is small. */
const REPACKED_SHARE_TO_READ = 0.25;

export function chooseWeightLoading(cpu: CpuFeatures | undefined, tensors: readonly WeightTensor[] | undefined): WeightLoading {
  if (cpu === undefined || tensors === undefined || tensors.length === 0) {
    return { useMmap: false, reason: "read: the CPU's features or the model's tensors are unknown" };
  }
  const repacked = repackedTypes(cpu);
  let total = 0;
  let repackable = 0;
  for (const tensor of tensors) {
    // Matrices only; the token embeddings are looked up by row (GET_ROWS), which the repacked layouts do not serve.
    if (tensor.dimensions.length < 2 || tensor.name === "token_embd.weight") continue;
    const elements = tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1);
    total += elements;
    if (repacked.has(tensor.ggmlType)) repackable += elements;
  }
  if (total === 0) return { useMmap: false, reason: "read: the model lists no weight matrices" };
  const share = repackable / total;
  const percent = `${Math.round(share * 100)}% of the weight matrices`;
  return share >= REPACKED_SHARE_TO_READ
    ? { useMmap: false, reason: `read: this CPU repacks ${percent}, which mapped would be held twice` }
    : { useMmap: true, reason: `mapped: this CPU repacks ${percent}, so mapping holds them once and loads faster` };
}
