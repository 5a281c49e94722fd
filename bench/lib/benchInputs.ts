import * as fs from "node:fs";
import * as path from "node:path";

/** The repository root, from the compiled bench (out/bench/lib/). */
export const BENCH_REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** The benchmarks' sample source file: a 350-line TypeScript file of this repository. */
export function sampleCode(): string {
  return fs.readFileSync(path.join(BENCH_REPO_ROOT, "bench", "data", "contextWindow.ts.txt"), "utf8");
}

/** The value after `flag` in `argv` (`--repeats 5` → "5"), or undefined when the flag is absent. */
export function optionValue(argv: readonly string[], flag: string): string | undefined {
  const index = argv.indexOf(flag);
  return index >= 0 ? argv[index + 1] : undefined;
}
