import * as assert from "node:assert/strict";
import { test } from "node:test";
import { chooseWeightLoading, cpuFeaturesFromCpuinfo, type WeightTensor } from "../../../src/server/runtime/weightLoading";

// Flags lines as /proc/cpuinfo prints them (cut to the flags that matter, plus a few others).
const SAPPHIRE_RAPIDS = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512_vnni avx512_bf16 amx_bf16 amx_tile amx_int8\n";
const ZEN4 = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512_vnni avx512_bf16\n";
const AVX2_LAPTOP = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma\n";
const SSE_ONLY = "processor\t: 0\nflags\t\t: fpu sse2 sse4_2\n";
const NEOVERSE = "processor\t: 0\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics asimddp i8mm\n";

const Q8_0 = 8;
const Q4_0 = 2;
const F16 = 1;

/** A qwen2-like model's tensors: embeddings, per-layer matrices and norms, all matrices of `type`. */
function model(type: number, layers = 2): WeightTensor[] {
  const tensors: WeightTensor[] = [{ name: "token_embd.weight", dimensions: [896, 151936], ggmlType: type }];
  for (let layer = 0; layer < layers; layer++) {
    tensors.push(
      { name: `blk.${layer}.attn_q.weight`, dimensions: [896, 896], ggmlType: type },
      { name: `blk.${layer}.ffn_up.weight`, dimensions: [896, 4864], ggmlType: type },
      { name: `blk.${layer}.attn_norm.weight`, dimensions: [896], ggmlType: 0 },
    );
  }
  return tensors;
}

const cpu = (cpuinfo: string, arch = "x64") => cpuFeaturesFromCpuinfo(cpuinfo, arch);

test("Q8_0 is read where AMX repacks it, and mapped where nothing repacks it", () => {
  assert.equal(chooseWeightLoading(cpu(SAPPHIRE_RAPIDS), model(Q8_0)).useMmap, false);
  assert.equal(chooseWeightLoading(cpu(ZEN4), model(Q8_0)).useMmap, true);
  assert.equal(chooseWeightLoading(cpu(AVX2_LAPTOP), model(Q8_0)).useMmap, true);
  assert.equal(chooseWeightLoading(cpu(SSE_ONLY), model(Q8_0)).useMmap, true);
});

test("Q4_0 is read on any AVX2 CPU (repacked to 8x8 blocks) and mapped without AVX2", () => {
  assert.equal(chooseWeightLoading(cpu(AVX2_LAPTOP), model(Q4_0)).useMmap, false);
  assert.equal(chooseWeightLoading(cpu(ZEN4), model(Q4_0)).useMmap, false);
  assert.equal(chooseWeightLoading(cpu(SSE_ONLY), model(Q4_0)).useMmap, true);
});

test("Arm cores with dot-product or int8 matrix instructions repack Q8_0", () => {
  assert.equal(chooseWeightLoading(cpu(NEOVERSE, "arm64"), model(Q8_0)).useMmap, false);
  assert.equal(chooseWeightLoading(cpu("Features\t: fp asimd\n", "arm64"), model(Q8_0)).useMmap, true);
});

test("unrepacked types are mapped, and the reason says how much would be repacked", () => {
  const decision = chooseWeightLoading(cpu(SAPPHIRE_RAPIDS), model(F16));
  assert.equal(decision.useMmap, true);
  assert.match(decision.reason, /^mapped: this CPU repacks 0% of the weight matrices/);
  assert.match(chooseWeightLoading(cpu(SAPPHIRE_RAPIDS), model(Q8_0)).reason, /^read: this CPU repacks 100% /);
});

test("a model mostly of other types is mapped even if a few matrices would be repacked", () => {
  const mixed = model(F16, 4).map((tensor, index) => (index === 1 ? { ...tensor, ggmlType: Q4_0 } : tensor));
  assert.equal(chooseWeightLoading(cpu(AVX2_LAPTOP), mixed).useMmap, true);
});

test("an unknown CPU or model reads the weights, never the larger choice", () => {
  assert.equal(cpuFeaturesFromCpuinfo("", "x64"), undefined);
  assert.equal(chooseWeightLoading(undefined, model(Q8_0)).useMmap, false);
  assert.equal(chooseWeightLoading(cpu(ZEN4), undefined).useMmap, false);
  assert.equal(chooseWeightLoading(cpu(ZEN4), []).useMmap, false);
});
