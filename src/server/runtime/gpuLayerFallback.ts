/**
 * VRAM-aware loading: when a model (or its context) does not fit on the GPU with the layer count
 * node-llama-cpp chose, try again with fewer layers, down to none (CPU only), and say what happened.
 * Pure: the load itself is passed in, so the policy is unit-tested without a GPU.
 */

export type GpuLayersRequest = "auto" | number;

export interface LayerFallbackOptions<T> {
  /** Layers in the model (node-llama-cpp counts the output layer too); bounds the retries. */
  readonly totalLayers: number;
  /** Whether layers can be offloaded at all; on the CPU backend there is nothing to fall back from. */
  readonly offloading: boolean;
  /** Loads with this many GPU layers; must clean up after itself when it throws. */
  readonly attempt: (gpuLayers: GpuLayersRequest) => Promise<T>;
  readonly log: (message: string) => void;
}

export interface LayerFallbackResult<T> {
  readonly value: T;
  /** The layer request that worked. */
  readonly gpuLayers: GpuLayersRequest;
  /** The error of the first (automatic) attempt when a smaller one was used instead. */
  readonly fellBackFrom?: string;
}

/** The layer counts tried after "auto" fails: half, a quarter, then none. */
export function fallbackLayerCounts(totalLayers: number): number[] {
  const counts: number[] = [];
  for (let layers = Math.floor(totalLayers / 2); layers > 0; layers = Math.floor(layers / 2)) {
    if (counts.length === 2) break;
    counts.push(layers);
  }
  counts.push(0);
  return counts;
}

export async function loadWithLayerFallback<T>(options: LayerFallbackOptions<T>): Promise<LayerFallbackResult<T>> {
  let firstError: unknown;
  try {
    return { value: await options.attempt("auto"), gpuLayers: "auto" };
  } catch (error) {
    if (!options.offloading) throw error;
    firstError = error;
    options.log(`Loading with automatic GPU layers failed (${errorLine(error)}); retrying with fewer layers on the GPU.`);
  }
  for (const layers of fallbackLayerCounts(options.totalLayers)) {
    try {
      const value = await options.attempt(layers);
      return { value, gpuLayers: layers, fellBackFrom: errorLine(firstError) };
    } catch (error) {
      options.log(`Loading with ${layers} GPU layers failed (${errorLine(error)}).`);
      if (layers === 0) throw firstError;
    }
  }
  throw firstError;
}

/** Whether an error reads like the GPU (or RAM) ran out of memory, for the wording of the notice. */
export function looksLikeOutOfMemory(message: string): boolean {
  return /out of (device )?memory|insufficient ?memory|not enough (v?ram|memory)|failed to allocate|alloc(ation)? failed|cudaMalloc|ErrorOutOfDeviceMemory|OOM\b/i.test(message);
}

function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split("\n")[0] ?? text).slice(0, 200);
}
