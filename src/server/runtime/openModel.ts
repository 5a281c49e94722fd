import type { ModelStatus } from "../../shared/protocol";
import type { AcquiredLlama } from "./acquireLlama";
import { errorText, type InspectedModel } from "./inspectModelFile";
import { LoadedModel } from "./LoadedModel";
import { ModelLoadError } from "./ModelLoadError";

/** Large enough for a windowed FIM prompt plus cross-file context; small enough for a laptop's RAM. */
export const DEFAULT_CONTEXT_SIZE = 4096;

export interface OpenModelOptions {
  readonly threads: number;
  readonly contextSize?: number;
}

export interface OpenedModel {
  readonly loaded: LoadedModel;
  readonly status: Omit<ModelStatus, "fimFamily">;
}

/** Loads the weights (GPU layers chosen by node-llama-cpp to fit free VRAM) and creates one warm context. */
export async function openModel(acquired: AcquiredLlama, inspected: InspectedModel, options: OpenModelOptions): Promise<OpenedModel> {
  let model;
  try {
    model = await acquired.llama.loadModel({ modelPath: inspected.path, gpuLayers: "auto" });
  } catch (error) {
    throw new ModelLoadError(
      "loadFailed",
      `llama.cpp could not load ${inspected.path} (${errorText(error)}). The file may be damaged or of an architecture ` +
        "this version of llama.cpp does not support.",
    );
  }
  try {
    const contextSize = Math.min(options.contextSize ?? DEFAULT_CONTEXT_SIZE, model.trainContextSize || DEFAULT_CONTEXT_SIZE);
    const context = await model.createContext({ contextSize, threads: options.threads, sequences: 1 });
    const loaded = new LoadedModel(model, context, context.getSequence());
    return {
      loaded,
      status: {
        name: inspected.name,
        path: inspected.path,
        backend: acquired.backend,
        gpuDevices: acquired.gpuDevices,
        gpuLayers: model.gpuLayers,
        totalLayers: model.fileInsights.totalLayers,
        contextSize: context.contextSize,
        threads: options.threads,
      },
    };
  } catch (error) {
    await model.dispose();
    throw new ModelLoadError("loadFailed", `Could not create a context for ${inspected.name} (${errorText(error)}). Free some memory or try a smaller model.`);
  }
}
