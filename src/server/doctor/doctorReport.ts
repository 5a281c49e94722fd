/**
 * The doctor's one screen of text. Pure: every fact is gathered elsewhere (collectDoctorFacts), so the
 * wording is unit-tested on fixed facts.
 */
import type { Backend, HardwareInfo, ModelFileInfo, ModelStatus, ServerStatus } from "../../shared/protocol";
import { adviseModel, formatBytes } from "../../shared/recommendedModels";
import type { GpuMode } from "../../shared/settings";
import type { RuntimeReport, GpuTypeReport } from "../runtime/runtimeInfo";
import type { SpeedMeasurement } from "./measureSpeed";

export interface DoctorFacts {
  readonly version: string;
  readonly platform: { readonly os: string; readonly release: string; readonly arch: string; readonly node: string };
  readonly settings: { readonly gpu: GpuMode; readonly threadsSetting: number; readonly threads: number; readonly modelPath: string };
  readonly runtime: RuntimeReport;
  readonly hardware?: HardwareInfo;
  /** The GPU build that loaded but found no device, if any. */
  readonly idleGpuBuild?: Backend;
  readonly status: ServerStatus;
  readonly model?: ModelStatus;
  readonly modelFile?: ModelFileInfo;
  readonly speed?: SpeedMeasurement | { readonly error: string };
  /** Notices given since the runtime started (fallbacks). */
  readonly notices: readonly string[];
  /** Set when completions are computed by a remote engine (pocketCoder.engine.kind). */
  readonly engine?: EngineFacts;
}

export interface EngineFacts {
  readonly kind: string;
  readonly url: string;
  readonly model?: string;
  readonly contextSize?: number;
  readonly slots?: number;
  /** The proxy requests go through, without credentials, e.g. "http://proxy:3128 (http.proxy)". */
  readonly proxy?: string;
  /** Characters per token that window budgets count with, and whether the server's tokenizer taught it. */
  readonly tokenCount?: { readonly charsPerToken: number; readonly learnt: boolean };
  /** "ok" with the round trip of a health request, or why the server does not answer. */
  readonly health: { readonly ok: true; readonly latencyMs: number } | { readonly ok: false; readonly reason: string };
}

const NAMES = { cpu: "CPU", cuda: "CUDA", vulkan: "Vulkan", metal: "Metal" } as const;

/** How the report names a setting: the editor's `pocketCoder.gpu = cpu`, the command line's `--gpu cpu`. */
export interface ReportWording {
  setting(name: "gpu" | "threads" | "model", value?: string | number): string;
}

export const EDITOR_WORDING: ReportWording = {
  setting: (name, value) => {
    const key = name === "model" ? "pocketCoder.model.path" : `pocketCoder.${name}`;
    return value === undefined ? key : `${key} = ${value}`;
  },
};
const LABEL_WIDTH = 13;

export function formatDoctorReport(facts: DoctorFacts, wording: ReportWording = EDITOR_WORDING): string {
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`${label.padEnd(LABEL_WIDTH)}${value}`);
  const more = (value: string) => lines.push(`${"".padEnd(LABEL_WIDTH)}${value}`);
  const { platform, runtime, hardware, settings } = facts;

  lines.push(`Pocket Coder ${facts.version} — doctor`, "");
  row("Platform", `${platform.os} ${platform.release} ${platform.arch}, Node ${platform.node}`);
  if (hardware !== undefined) {
    row("CPU / RAM", `${hardware.cpuCores} cores, ${formatBytes(hardware.ramTotalBytes)} RAM (${formatBytes(hardware.ramFreeBytes)} free)`);
  }
  row("Threads", `${settings.threads} (${wording.setting("threads", settings.threadsSetting)}${settings.threadsSetting === 0 ? ", automatic" : ""})`);
  row("Runtime", `node-llama-cpp ${runtime.nodeLlamaCppVersion}` +
    (runtime.llamaCppRelease === undefined ? "" : `, llama.cpp ${runtime.llamaCppRelease}`) +
    (runtime.buildType === undefined ? "" : `, ${runtime.buildType} binary`));
  if (runtime.problem !== undefined) row("", runtime.problem);
  row("Binary", (runtime.binaryPackage ?? "none loaded") +
    ` (installed: ${runtime.installedBinaries.length === 0 ? "none" : runtime.installedBinaries.join(", ")})`);
  if (runtime.cpuFeatures !== undefined && runtime.cpuFeatures !== "") row("CPU features", truncate(runtime.cpuFeatures, 90));

  row("GPU setting", wording.setting("gpu", settings.gpu));
  const backend = facts.model?.backend ?? hardware?.backend;
  const devices = facts.model?.gpuDevices ?? hardware?.gpuDevices ?? [];
  row("Backend", backend === undefined
    ? "not started"
    : `${NAMES[backend]}${devices.length > 0 ? ` — ${devices.join(", ")}` : ""}` +
      (facts.idleGpuBuild !== undefined ? ` (the ${NAMES[facts.idleGpuBuild]} build loaded but found no GPU device)` : ""));
  for (const gpu of runtime.gpuTypes) more(`${NAMES[gpu.backend].padEnd(7)} ${explainGpu(gpu, facts, wording)}`);
  if (hardware !== undefined && hardware.vramTotalBytes > 0) {
    const used = facts.model?.vramUsedBytes ?? hardware.vramTotalBytes - hardware.vramFreeBytes;
    row("VRAM", `${formatBytes(used)} used of ${formatBytes(hardware.vramTotalBytes)}`);
  } else {
    row("VRAM", "none in use (CPU backend)");
  }

  lines.push("");
  const engine = facts.engine;
  if (engine !== undefined) {
    row("Engine", `Remote · ${engine.kind} · ${engine.url}`);
    more(engine.health.ok ? `health: ok, ${engine.health.latencyMs.toFixed(0)} ms round trip` : `health: ${engine.health.reason}`);
    if (engine.model !== undefined) more(`model: ${engine.model}`);
    if (engine.contextSize !== undefined) more(`context: ${engine.contextSize} tokens${engine.slots === undefined ? "" : ` per slot, ${engine.slots} slots`}`);
    if (engine.proxy !== undefined) more(`proxy: ${engine.proxy}`);
    if (engine.tokenCount !== undefined) {
      more(`token counts: ${engine.tokenCount.charsPerToken.toFixed(2)} characters per token` +
        (engine.tokenCount.learnt ? ", learnt from the server's tokenizer" : " (an estimate: the server does not count for us)"));
    }
  }
  if (engine === undefined) row("Model", settings.modelPath === "" ? `none configured (${wording.setting("model")} or POCKET_CODER_MODEL)` : settings.modelPath);
  const file = facts.modelFile;
  if (file !== undefined) {
    if (file.problem !== undefined) {
      more(`unusable: ${file.problem}`);
    } else {
      more([file.name, file.architecture, file.parameters, file.quantization, formatBytes(file.sizeBytes)].filter(Boolean).join(" · "));
      more(`completion: ${file.canComplete ? `yes, FIM family ${file.fimFamily ?? "?"}` : `no — ${file.completionProblem ?? "no FIM tokens"}`}`);
      more(`chat template: ${file.canChat ? (file.chatTemplate ?? "yes") : "none (Explain uses a plain prompt; an instruct model explains better)"}`);
    }
  }
  const model = facts.model;
  if (engine !== undefined) {
    if (model === undefined) more(`not connected: ${facts.status.message}`);
  } else if (model !== undefined) {
    more(`loaded: ${model.gpuLayers} of ${model.totalLayers} layers on the GPU, context ${model.contextSize} tokens`);
  } else if (facts.status.message !== file?.problem) {
    // The file's problem is usually why it did not load: said once.
    more(`not loaded: ${facts.status.message}`);
  }
  const speed = facts.speed;
  if (speed === undefined) {
    // A model that loads on first use was not loaded because the measurement, its first use here, was skipped.
    row("Speed", model === undefined && facts.status.state !== "unloaded" ? "not measured (no model loaded)" : "not measured (skipped)");
  } else if ("error" in speed) {
    row("Speed", `measurement failed: ${speed.error}`);
  } else {
    row("Speed", `${rate(speed.generatedTokensPerSecond)} generating (${speed.generatedTokens} tokens in ${ms(speed.generateMs)}), ` +
      `${rate(speed.promptTokensPerSecond)} reading the prompt (${speed.promptTokens} tokens in ${ms(speed.promptMs)})`);
  }
  const advice = adviseModel(hardware === undefined ? undefined : { backend: hardware.backend, vramTotalBytes: hardware.vramTotalBytes });
  row("Advice", `${advice.model.label}: ${advice.reason}`);
  for (const notice of facts.notices) row("Note", notice);
  lines.push("", engine === undefined
    ? "Nothing in this report left the machine: Pocket Coder opens no network connection."
    : `Completions are computed on ${engine.url}: Pocket Coder connects to that server only.`);
  return lines.join("\n");
}

function explainGpu(gpu: GpuTypeReport, facts: DoctorFacts, wording: ReportWording): string {
  const model = facts.model;
  if (gpu.used) {
    return model === undefined ? "in use" : `in use: ${model.gpuLayers} of ${model.totalLayers} layers offloaded`;
  }
  if (!gpu.binaryShipped) {
    return gpu.backend === "cuda"
      ? "not used: its binaries are not in this installation (install the CUDA variant of the VSIX; Vulkan also drives NVIDIA GPUs)"
      : "not used: its binaries are not in this installation";
  }
  if (facts.idleGpuBuild === gpu.backend) return "not used: it started but found no GPU device (software renderers such as llvmpipe are ignored)";
  if (gpu.error !== undefined) return `not used: failed to start (${truncate(gpu.error, 100)})`;
  if (!gpu.driverFound) {
    return gpu.backend === "cuda"
      ? "not used: no NVIDIA driver / CUDA runtime found"
      : gpu.backend === "vulkan" ? "not used: no Vulkan driver found (libvulkan1 and a GPU driver)" : "not used: not supported here";
  }
  if (facts.settings.gpu === "cpu") return `not used: ${wording.setting("gpu")} is "cpu"`;
  if (facts.settings.gpu !== "auto" && facts.settings.gpu !== gpu.backend) return `not tried: ${wording.setting("gpu")} is "${facts.settings.gpu}"`;
  return "available, not chosen";
}

function rate(value: number | undefined): string {
  return value === undefined ? "? tokens/s" : `${value >= 100 ? Math.round(value) : value.toFixed(1)} tokens/s`;
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} s` : `${Math.round(value)} ms`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
