import type { GpuMode } from "../../shared/settings";
import type { Backend } from "../../shared/protocol";
import { importNodeLlamaCpp, type Llama } from "./nodeLlamaCpp";

export interface AcquiredLlama {
  readonly llama: Llama;
  readonly backend: Backend;
  readonly gpuDevices: readonly string[];
  /** Set when the requested backend could not be used: says what was used instead and why. */
  readonly fallbackNotice?: string;
}

export interface AcquireLlamaOptions {
  readonly gpu: GpuMode;
  readonly threads: number;
  readonly log: (message: string) => void;
}

const BACKEND_NAMES: Record<Backend, string> = { cpu: "CPU", cuda: "CUDA", vulkan: "Vulkan", metal: "Metal" };

/**
 * Loads llama.cpp's prebuilt binding for the requested backend. Never builds or downloads anything
 * (`build: "never"`): a backend that cannot start falls back to auto-detection, then to CPU, and the
 * fallback is announced instead of failing.
 */
export async function acquireLlama(options: AcquireLlamaOptions): Promise<AcquiredLlama> {
  const { getLlama, LlamaLogLevel } = await importNodeLlamaCpp();
  const load = (gpu: "auto" | false | "cuda" | "vulkan" | "metal") =>
    getLlama({
      gpu,
      build: "never",
      usePrebuiltBinaries: true,
      progressLogs: false,
      skipDownload: true,
      maxThreads: options.threads,
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        const text = message.trim();
        if (text !== "") options.log(`[llama.cpp ${level}] ${text}`);
      },
    });

  const requested = options.gpu === "cpu" ? false : options.gpu;
  let llama: Llama;
  let fallbackNotice: string | undefined;
  try {
    llama = await load(requested);
  } catch (error) {
    if (requested === false) throw error;
    const why = error instanceof Error ? error.message : String(error);
    options.log(`Backend "${options.gpu}" is unavailable: ${why}`);
    llama = await loadFallback(load, options.gpu);
    fallbackNotice =
      `${BACKEND_NAMES[options.gpu as Backend] ?? options.gpu} was requested but is not available here ` +
      `(${firstLine(why)}); using ${BACKEND_NAMES[backendOf(llama)]} instead.`;
  }

  const backend = backendOf(llama);
  if (requested !== false && requested !== "auto" && backend !== requested && fallbackNotice === undefined) {
    fallbackNotice = `${BACKEND_NAMES[requested]} was requested but is not available here; using ${BACKEND_NAMES[backend]} instead.`;
  }
  const gpuDevices = backend === "cpu" ? [] : await llama.getGpuDeviceNames();
  return { llama, backend, gpuDevices, ...(fallbackNotice === undefined ? {} : { fallbackNotice }) };
}

async function loadFallback(load: (gpu: "auto" | false) => Promise<Llama>, requested: GpuMode): Promise<Llama> {
  if (requested !== "auto") {
    try {
      return await load("auto");
    } catch {
      // Auto-detection failed too; CPU is the last resort and always ships.
    }
  }
  return load(false);
}

function backendOf(llama: Llama): Backend {
  return llama.gpu === false ? "cpu" : llama.gpu;
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? text).slice(0, 200);
}
