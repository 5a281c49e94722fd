import type { GpuMode } from "../../shared/settings";
import type { Backend } from "../../shared/protocol";
import { importNodeLlamaCpp, type Llama } from "./nodeLlamaCpp";

export interface BackendAttempt {
  /** What was asked of node-llama-cpp: a backend, "auto", or false (CPU). */
  readonly gpu: "auto" | false | "cuda" | "vulkan" | "metal";
  /** Absent when the attempt succeeded. */
  readonly error?: string;
}

export interface AcquiredLlama {
  readonly llama: Llama;
  /** Where the model's layers can go: "cpu" also when a GPU build loaded but found no GPU device. */
  readonly backend: Backend;
  readonly gpuDevices: readonly string[];
  /** Set when the requested backend could not be used: says what was used instead and why. */
  readonly fallbackNotice?: string;
  /** Every getLlama call made, in order, for the doctor's "why not" lines. */
  readonly attempts: readonly BackendAttempt[];
  /** The GPU build that loaded without finding a device (e.g. Vulkan with only a software renderer). */
  readonly idleGpuBuild?: Backend;
  /** llama.cpp's recent errors, so that a failed load can give llama.cpp's reason. */
  readonly errorLog?: LlamaErrorLog;
}

/** The last errors llama.cpp logged, numbered, so that a caller can take those logged during its own work. */
export class LlamaErrorLog {
  private readonly entries: Array<{ readonly number: number; readonly text: string }> = [];
  private count = 0;

  add(text: string): void {
    this.entries.push({ number: ++this.count, text });
    if (this.entries.length > 20) this.entries.shift();
  }

  /** Call before the work; pass the result to `since`. */
  mark(): number {
    return this.count;
  }

  since(mark: number): string[] {
    return this.entries.filter((entry) => entry.number > mark).map((entry) => entry.text);
  }
}

export interface AcquireLlamaOptions {
  readonly gpu: GpuMode;
  readonly threads: number;
  readonly log: (message: string) => void;
}

export const BACKEND_NAMES: Record<Backend, string> = { cpu: "CPU", cuda: "CUDA", vulkan: "Vulkan", metal: "Metal" };

/**
 * Loads llama.cpp's prebuilt binding for the requested backend. Never builds or downloads anything
 * (`build: "never"`): a backend that cannot start falls back to auto-detection, then to CPU, and the
 * fallback is announced instead of failing. A GPU build that finds no GPU device (llama.cpp ignores
 * software renderers) is reported as the CPU backend, which is what it then is.
 */
export async function acquireLlama(options: AcquireLlamaOptions): Promise<AcquiredLlama> {
  const { getLlama, LlamaLogLevel } = await importNodeLlamaCpp();
  const attempts: BackendAttempt[] = [];
  const errorLog = new LlamaErrorLog();
  const load = async (gpu: BackendAttempt["gpu"], retried = false): Promise<Llama> => {
    try {
      const llama = await getLlama({
        gpu,
        build: "never",
        usePrebuiltBinaries: true,
        progressLogs: false,
        skipDownload: true,
        maxThreads: options.threads,
        logLevel: LlamaLogLevel.warn,
        logger: (level, message) => {
          const text = message.trim();
          if (text === "") return;
          options.log(`[llama.cpp ${level}] ${text}`);
          if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) errorLog.add(text);
        },
      });
      attempts.push({ gpu });
      return llama;
    } catch (error) {
      // node-llama-cpp test-loads a binary in a child process before using it; for the CPU build (the last resort, which
      // ships for every platform) that test has been seen to fail once and pass on the next try.
      if (!retried && gpu === false && error instanceof Error && error.name === "NoBinaryFoundError") {
        options.log(`The CPU build of llama.cpp did not load on the first try (${error.message}); trying once more.`);
        return load(gpu, true);
      }
      attempts.push({ gpu, error: firstLine(error instanceof Error ? `${error.name}: ${error.message}` : String(error)) });
      throw error;
    }
  };

  const requested = options.gpu === "cpu" ? false : options.gpu;
  let llama: Llama;
  let fallbackNotice: string | undefined;
  try {
    llama = await load(requested);
  } catch (error) {
    if (requested === false) throw error;
    const why = error instanceof Error ? error.message : String(error);
    options.log(`Backend "${options.gpu}" is unavailable: ${why}`);
    llama = await loadFallback(load, requested);
    const used = BACKEND_NAMES[buildOf(llama)];
    fallbackNotice = requested === "auto"
      ? `GPU detection failed (${firstLine(why)}); using ${used}.`
      : `${BACKEND_NAMES[requested]} was requested but is not available here (${firstLine(why)}); using ${used} instead.`;
  }

  const build = buildOf(llama);
  const gpuDevices = build === "cpu" ? [] : await llama.getGpuDeviceNames();
  const idleGpuBuild = build !== "cpu" && gpuDevices.length === 0 ? build : undefined;
  const backend: Backend = idleGpuBuild === undefined ? build : "cpu";
  if (idleGpuBuild !== undefined) {
    options.log(`The ${BACKEND_NAMES[idleGpuBuild]} build loaded but found no GPU device; the model runs on the CPU.`);
    if (requested !== false && requested !== "auto" && fallbackNotice === undefined) {
      fallbackNotice = `${BACKEND_NAMES[requested]} was requested but no ${BACKEND_NAMES[idleGpuBuild]} GPU device was found ` +
        "(software renderers are not used); running on the CPU.";
    }
  }
  if (requested !== false && requested !== "auto" && backend !== requested && fallbackNotice === undefined) {
    fallbackNotice = `${BACKEND_NAMES[requested]} was requested but is not available here; using ${BACKEND_NAMES[backend]} instead.`;
  }
  return {
    llama, backend, gpuDevices, attempts, errorLog,
    ...(fallbackNotice === undefined ? {} : { fallbackNotice }),
    ...(idleGpuBuild === undefined ? {} : { idleGpuBuild }),
  };
}

async function loadFallback(load: (gpu: "auto" | false) => Promise<Llama>, requested: GpuMode | false): Promise<Llama> {
  if (requested !== "auto") {
    try {
      return await load("auto");
    } catch {
      // Auto-detection failed too; CPU is the last resort and always ships.
    }
  }
  return load(false);
}

function buildOf(llama: Llama): Backend {
  return llama.gpu === false ? "cpu" : llama.gpu;
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? text).slice(0, 200);
}
