/**
 * The models Pocket Coder recommends, and which one suits a machine. Pure data and logic: shared by the
 * model picker, the opt-in downloader (the only user of the URLs) and the doctor.
 */
import type { Backend } from "./protocol";

export interface RecommendedModel {
  readonly id: string;
  readonly label: string;
  readonly fileName: string;
  /** Pinned to a repository revision, so the bytes (and the hash below) cannot change under us. */
  readonly url: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

const HF = "https://huggingface.co";

/** Qwen2.5-Coder base models (FIM-capable), Q8_0, as published by ggml-org for llama.cpp's own FIM presets. */
export const RECOMMENDED_MODELS = {
  small: {
    id: "qwen2.5-coder-1.5b-q8_0",
    label: "Qwen2.5-Coder 1.5B (base, Q8_0)",
    fileName: "qwen2.5-coder-1.5b-q8_0.gguf",
    url: `${HF}/ggml-org/Qwen2.5-Coder-1.5B-Q8_0-GGUF/resolve/8be1b8a895a84beea772817caaa71eba6b6e0d07/qwen2.5-coder-1.5b-q8_0.gguf`,
    sizeBytes: 1_646_573_056,
    sha256: "29871c94d15727a6e243f79a37113d4ae625a6215b5e800bf41a23af2da32832",
  },
  medium: {
    id: "qwen2.5-coder-3b-q8_0",
    label: "Qwen2.5-Coder 3B (base, Q8_0)",
    fileName: "qwen2.5-coder-3b-q8_0.gguf",
    url: `${HF}/ggml-org/Qwen2.5-Coder-3B-Q8_0-GGUF/resolve/9c1de162ae417c9c3aacde97c729c4128de047d8/qwen2.5-coder-3b-q8_0.gguf`,
    sizeBytes: 3_285_476_160,
    sha256: "a522a906e299ed34db738b9626b2cd0da9e446c14674468a22fc2eae3dbd344d",
  },
  large: {
    id: "qwen2.5-coder-7b-q8_0",
    label: "Qwen2.5-Coder 7B (base, Q8_0)",
    fileName: "qwen2.5-coder-7b-q8_0.gguf",
    url: `${HF}/ggml-org/Qwen2.5-Coder-7B-Q8_0-GGUF/resolve/bca77e0a8c88fc224882bcc404170c3ef17efacc/qwen2.5-coder-7b-q8_0.gguf`,
    sizeBytes: 8_098_525_600,
    sha256: "0ef48dc94a3c551a6736ac2601de38413dc9aa9318534b16e8baee08290a4aaf",
  },
} as const satisfies Record<string, RecommendedModel>;

export const ALL_RECOMMENDED_MODELS: readonly RecommendedModel[] = [RECOMMENDED_MODELS.small, RECOMMENDED_MODELS.medium, RECOMMENDED_MODELS.large];

const GIB = 1024 ** 3;

export interface ModelAdvice {
  readonly model: RecommendedModel;
  /** One sentence: why this size, for this machine. */
  readonly reason: string;
}

/**
 * The size to run here: on the CPU or with under 8 GB of VRAM the 1.5B model (completion must answer
 * in a fraction of a second), 8–16 GB the 3B, more the 7B.
 */
export function adviseModel(hardware: { readonly backend: Backend; readonly vramTotalBytes: number } | undefined): ModelAdvice {
  if (hardware === undefined) {
    return { model: RECOMMENDED_MODELS.small, reason: "The hardware is unknown (the server is not running); the 1.5B model runs well anywhere." };
  }
  if (hardware.backend === "cpu" || hardware.vramTotalBytes <= 0) {
    return { model: RECOMMENDED_MODELS.small, reason: "No GPU is in use: on the CPU the 1.5B model is the largest that completes quickly." };
  }
  const vram = formatBytes(hardware.vramTotalBytes);
  if (hardware.vramTotalBytes < 8 * GIB) {
    return { model: RECOMMENDED_MODELS.small, reason: `The GPU has ${vram} of memory (under 8 GB): the 1.5B model fits with room for its context.` };
  }
  if (hardware.vramTotalBytes <= 16 * GIB) {
    return { model: RECOMMENDED_MODELS.medium, reason: `The GPU has ${vram} of memory (8–16 GB): the 3B model fits and completes better.` };
  }
  return { model: RECOMMENDED_MODELS.large, reason: `The GPU has ${vram} of memory (over 16 GB): the 7B model fits and completes best.` };
}

/** "1.5 GB", "812 MB", "0 B": binary units, one decimal from GB up. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return "?";
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${Math.round(bytes / 1024 ** 2)} MB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${bytes} B`;
}
