import { readMetadataValue } from "../completion/fim/modelFacts";
import type { AcquiredLlama } from "./acquireLlama";
import { ChatExplainer } from "./ChatExplainer";
import { loadWithLayerFallback } from "./gpuLayerFallback";
import { errorText, type InspectedModel } from "./inspectModelFile";
import { ModelLoadError } from "./ModelLoadError";
import { importNodeLlamaCpp } from "./nodeLlamaCpp";
import { DEFAULT_CONTEXT_SIZE, weightLoadingFor } from "./openModel";

export interface OpenExplainModelOptions {
  readonly threads: number;
  readonly contextSize?: number;
  readonly log?: (message: string) => void;
}

/**
 * Loads a model used only for explanations (`pocketCoder.explain.model.path`): its own weights and one context
 * with one sequence. GPU layers as for the completion model (fewer when they do not fit, down to none).
 */
export async function openExplainModel(acquired: AcquiredLlama, inspected: InspectedModel, options: OpenExplainModelOptions): Promise<ChatExplainer> {
  const lib = await importNodeLlamaCpp();
  const log = options.log ?? (() => undefined);
  const architecture = inspected.facts.architecture;
  const blocks = architecture === undefined ? undefined : readMetadataValue(inspected.fileInfo.metadata, `${architecture}.block_count`);
  try {
    const { value } = await loadWithLayerFallback({
      totalLayers: typeof blocks === "number" && blocks > 0 ? blocks + 1 : 33,
      offloading: acquired.backend !== "cpu",
      log,
      attempt: async (gpuLayers) => {
        const model = await acquired.llama.loadModel({ modelPath: inspected.path, gpuLayers, useMmap: weightLoadingFor(inspected).useMmap });
        try {
          const contextSize = Math.min(options.contextSize ?? DEFAULT_CONTEXT_SIZE, model.trainContextSize || DEFAULT_CONTEXT_SIZE);
          const context = await model.createContext({ contextSize, threads: options.threads, sequences: 1 });
          return new ChatExplainer(lib, model, context.getSequence(), inspected.name, { context, model });
        } catch (error) {
          await model.dispose();
          throw error;
        }
      },
    });
    return value;
  } catch (error) {
    throw new ModelLoadError(
      "loadFailed",
      `llama.cpp could not load ${inspected.path} (${errorText(error)}). The file may be damaged, of an architecture ` +
        "this version of llama.cpp does not support, or too large for the memory left.",
    );
  }
}
