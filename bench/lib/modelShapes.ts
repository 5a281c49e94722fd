import * as os from "node:os";
import * as path from "node:path";
import { QWEN25_CODER_15B_SHAPE, realisticModel, type RealisticModelSpec } from "../../test/fixtures/realisticModel";
import { BENCH_REPO_ROOT, optionValue } from "./benchInputs";

/** `--model-shape` values: the random-weight model written for the benchmark when no `--model` is given. */
export const MODEL_SHAPES = ["0.5b", "1.5b"] as const;
export type ModelShape = (typeof MODEL_SHAPES)[number];

/**
 * The 1.5B shape's file (~1.6 GB) is kept outside the repository, in the user's cache directory, so that no
 * worktree or clone holds a copy; POCKET_CODER_BENCH_CACHE overrides where.
 */
export function largeModelCacheDir(): string {
  return process.env["POCKET_CODER_BENCH_CACHE"] ?? path.join(process.env["XDG_CACHE_HOME"] ?? path.join(os.homedir(), ".cache"), "pocket-coder-bench");
}

export function modelShapeOf(argv: readonly string[]): ModelShape {
  const shape = optionValue(argv, "--model-shape") ?? "0.5b";
  if (!(MODEL_SHAPES as readonly string[]).includes(shape)) throw new Error(`--model-shape must be one of ${MODEL_SHAPES.join(", ")}, not ${shape}`);
  return shape as ModelShape;
}

/**
 * `--model PATH` when given, else the random-weight model of `--model-shape` (0.5B by default) with `--weights`
 * (Q8_0 by default; Q4_0 is what llama.cpp repacks on x86 CPUs with AVX2), written the first time.
 */
export function benchModelPath(argv: readonly string[]): Promise<string> {
  const explicit = optionValue(argv, "--model");
  if (explicit !== undefined) return Promise.resolve(path.resolve(explicit));
  const weights = optionValue(argv, "--weights") ?? "Q8_0";
  if (weights !== "Q8_0" && weights !== "Q4_0") throw new Error(`--weights must be Q8_0 or Q4_0, not ${weights}`);
  const weightType: Partial<RealisticModelSpec> = weights === "Q8_0" ? {} : { weightType: weights };
  return modelShapeOf(argv) === "1.5b"
    ? realisticModel(largeModelCacheDir(), { ...QWEN25_CODER_15B_SHAPE, ...weightType })
    : realisticModel(path.join(BENCH_REPO_ROOT, ".test-models"), weightType);
}
