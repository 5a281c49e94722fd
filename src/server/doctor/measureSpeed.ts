import type { TextGenerator } from "../completion/textGenerator";

export interface SpeedMeasurement {
  readonly promptTokens: number;
  readonly promptMs: number;
  readonly generatedTokens: number;
  readonly generateMs: number;
  /** Prompt evaluation speed; undefined when too fast to time. */
  readonly promptTokensPerSecond?: number;
  /** Generation speed after the first token; undefined with fewer than two tokens. */
  readonly generatedTokensPerSecond?: number;
}

/** Code to continue; the run number in front makes every measurement evaluate the whole prompt again (no KV-cache reuse). */
const SAMPLE = "// Adds two numbers.\nfunction add(a, b) {\n  ";

let runs = 0;

/** A short greedy generation on the loaded model: what completion speed to expect here. */
export async function measureSpeed(generator: TextGenerator, maxTokens = 32): Promise<SpeedMeasurement> {
  const prompt = [{ kind: "text" as const, text: `// Pocket Coder speed check ${++runs}\n${SAMPLE}` }];
  const result = await generator.generate(prompt, { maxTokens, stopTexts: [], signal: new AbortController().signal });
  const evaluated = result.promptTokens - result.reusedTokens;
  return {
    promptTokens: evaluated,
    promptMs: result.promptMs,
    generatedTokens: result.generatedTokens,
    generateMs: result.generateMs,
    ...(result.promptMs > 0 ? { promptTokensPerSecond: (evaluated / result.promptMs) * 1000 } : {}),
    ...(result.generatedTokens >= 2 && result.generateMs > 0
      ? { generatedTokensPerSecond: ((result.generatedTokens - 1) / result.generateMs) * 1000 }
      : {}),
  };
}
