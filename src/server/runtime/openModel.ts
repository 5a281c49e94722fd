import { readFileSync } from "node:fs";
import type { ModelStatus } from "../../shared/protocol";
import { readMetadataValue } from "../completion/fim/modelFacts";
import { BACKEND_NAMES, type AcquiredLlama, type LlamaErrorLog } from "./acquireLlama";
import { loadWithLayerFallback, looksLikeOutOfMemory, type GpuLayersRequest } from "./gpuLayerFallback";
import { errorText, type InspectedModel } from "./inspectModelFile";
import { ChatExplainer } from "./ChatExplainer";
import { CompletionPriority } from "./CompletionPriority";
import { LoadedModel } from "./LoadedModel";
import { ModelLoadError } from "./ModelLoadError";
import { importNodeLlamaCpp, type LlamaContext, type LlamaModel } from "./nodeLlamaCpp";
import { chooseWeightLoading, cpuFeaturesFromCpuinfo, type CpuFeatures, type WeightLoading } from "./weightLoading";

/** Large enough for a windowed FIM prompt plus cross-file context; small enough for a laptop's RAM. */
export const DEFAULT_CONTEXT_SIZE = 4096;

/** Read or mapped, by whether this CPU repacks the model's weights (see weightLoading.ts). */
export function weightLoadingFor(inspected: InspectedModel): WeightLoading {
  return chooseWeightLoading(thisCpu(), inspected.fileInfo.tensorInfo);
}

let cpuFeatures: { value: CpuFeatures | undefined } | undefined;

function thisCpu(): CpuFeatures | undefined {
  if (cpuFeatures === undefined) {
    let cpuinfo = "";
    try {
      cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      // Not Linux: unknown, so the weights are read (never the larger choice).
    }
    cpuFeatures = { value: cpuFeaturesFromCpuinfo(cpuinfo, process.arch) };
  }
  return cpuFeatures.value;
}

export interface OpenModelOptions {
  readonly threads: number;
  readonly contextSize?: number;
  readonly log?: (message: string) => void;
  /** Where loading spends its time (weights, context), for the debug log. */
  readonly debug?: (message: string) => void;
}

export interface OpenedModel {
  readonly loaded: LoadedModel;
  /** Explanations with this model, on the context's second sequence (see loadAndCreateContext). */
  readonly explainer: ChatExplainer;
  readonly status: Omit<ModelStatus, "fimFamily">;
  /** Set when the model did not fit on the GPU as planned and fewer layers were offloaded: tell the user once. */
  readonly notice?: string;
}

/**
 * Loads the weights (GPU layers chosen by node-llama-cpp to fit free VRAM) and creates one warm context.
 * If that runs out of GPU memory, loads again with fewer layers on the GPU, down to none, and says so.
 */
export async function openModel(acquired: AcquiredLlama, inspected: InspectedModel, options: OpenModelOptions): Promise<OpenedModel> {
  const log = options.log ?? (() => undefined);
  const errorsFrom = acquired.errorLog?.mark() ?? 0;
  let result;
  try {
    result = await loadWithLayerFallback({
      totalLayers: totalLayersOf(inspected),
      offloading: acquired.backend !== "cpu",
      attempt: (gpuLayers) => loadAndCreateContext(acquired, inspected, gpuLayers, options),
      log,
    });
  } catch (error) {
    if (error instanceof ModelLoadError) throw error;
    const reason = (acquired.errorLog === undefined ? undefined : await llamaCppReason(acquired.errorLog, errorsFrom)) ?? errorText(error);
    throw new ModelLoadError(
      "loadFailed",
      `llama.cpp could not load ${inspected.path}: ${reason}. The file may be damaged or of an architecture ` +
        "this version of llama.cpp does not support.",
    );
  }

  const { model, context } = result.value;
  const vram = acquired.backend === "cpu" ? undefined : await acquired.llama.getVramState().catch(() => undefined);
  const totalLayers = model.fileInsights.totalLayers;
  let notice: string | undefined;
  if (result.fellBackFrom !== undefined) {
    const why = looksLikeOutOfMemory(result.fellBackFrom) ? "did not fit in GPU memory" : "could not be loaded onto the GPU";
    notice = model.gpuLayers > 0
      ? `${inspected.name} ${why} (${result.fellBackFrom}); ${model.gpuLayers} of ${totalLayers} layers run on ${BACKEND_NAMES[acquired.backend]}, the rest on the CPU (slower).`
      : `${inspected.name} ${why} (${result.fellBackFrom}); it runs on the CPU instead (slower). A smaller model or quantisation would fit.`;
  }
  const lib = await importNodeLlamaCpp();
  const priority = new CompletionPriority();
  return {
    loaded: new LoadedModel(model, context, context.getSequence(), priority),
    explainer: new ChatExplainer(lib, model, context.getSequence(), inspected.name, {}, priority),
    status: {
      name: inspected.name,
      path: inspected.path,
      backend: acquired.backend,
      gpuDevices: acquired.gpuDevices,
      gpuLayers: model.gpuLayers,
      totalLayers,
      contextSize: context.contextSize,
      threads: options.threads,
      ...(vram === undefined || vram.total <= 0 ? {} : { vramUsedBytes: vram.used, vramTotalBytes: vram.total }),
    },
    ...(notice === undefined ? {} : { notice }),
  };
}

async function loadAndCreateContext(
  acquired: AcquiredLlama, inspected: InspectedModel, gpuLayers: GpuLayersRequest, options: OpenModelOptions,
): Promise<{ model: LlamaModel; context: LlamaContext }> {
  const loadStartedAt = performance.now();
  const weights = weightLoadingFor(inspected);
  const model = await acquired.llama.loadModel({ modelPath: inspected.path, gpuLayers, useMmap: weights.useMmap });
  const contextStartedAt = performance.now();
  try {
    const contextSize = Math.min(options.contextSize ?? DEFAULT_CONTEXT_SIZE, model.trainContextSize || DEFAULT_CONTEXT_SIZE);
    // Two sequences: completions on the first, explanations on the second. Each keeps its own KV cache; an
    // explanation pauses while a completion runs (CompletionPriority), so the completion has the model to itself.
    const context = await model.createContext({ contextSize, threads: options.threads, sequences: 2 });
    options.debug?.(`startup: weights loaded in ${(contextStartedAt - loadStartedAt).toFixed(0)} ms (${model.gpuLayers} GPU layers, ` +
      `${weights.reason}), context created in ${(performance.now() - contextStartedAt).toFixed(0)} ms`);
    return { model, context };
  } catch (error) {
    await model.dispose();
    if (acquired.backend !== "cpu") throw error;
    throw new ModelLoadError("loadFailed", `Could not create a context for ${inspected.name} (${errorText(error)}). Free some memory or try a smaller model.`);
  }
}

/** Repeating layers plus the output layer, as node-llama-cpp counts them; a guess of 33 when the header does not say. */
function totalLayersOf(inspected: InspectedModel): number {
  const architecture = inspected.facts.architecture;
  const blocks = architecture === undefined ? undefined : readMetadataValue(inspected.fileInfo.metadata, `${architecture}.block_count`);
  return typeof blocks === "number" && blocks > 0 ? blocks + 1 : 33;
}

/**
 * What llama.cpp logged as the reason a load failed ("unknown model architecture: 'x'", "tensor 'y' has wrong
 * shape…"); node-llama-cpp's own error only says "Failed to load model". Log lines arrive from llama.cpp's thread
 * through the event loop, so the ones logged just before the failure may come a moment after it.
 */
export async function llamaCppReason(errorLog: LlamaErrorLog, mark: number): Promise<string | undefined> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  return pickLoadFailureReason(errorLog.since(mark));
}

/** The first of llama.cpp's error lines that says more than "failed to load", without its function-name prefixes. */
export function pickLoadFailureReason(lines: readonly string[]): string | undefined {
  const stripped = lines.map((line) => line.replace(/^(?:\w+: )?(?:error loading model(?: architecture| hyperparameters| vocabulary)?: )*/i, "").trim());
  return stripped.find((line) => line !== "" && !/failed to (load|read)\b/i.test(line));
}
