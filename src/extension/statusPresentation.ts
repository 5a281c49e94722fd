/**
 * How a server status looks in the status bar. Pure (no `vscode`) so it is unit-tested directly.
 */
import type { ModelStatus, ServerStatus } from "../shared/protocol";
import { formatBytes } from "../shared/recommendedModels";

export interface StatusPresentation {
  readonly text: string;
  readonly tooltip: string;
  readonly severity: "normal" | "warning" | "error";
}

const ICON = {
  starting: "$(loading~spin)",
  loadingModel: "$(loading~spin)",
  busy: "$(loading~spin)",
  ready: "$(sparkle)",
  disabled: "$(circle-slash)",
  error: "$(error)",
  unloaded: "$(sparkle)",
} as const;

/** Words after the name for states a glance should tell apart from "ready". */
const STATE_SUFFIX: Partial<Record<ServerStatus["state"], string>> = {
  loadingModel: " · Loading…",
  unloaded: " · idle",
};

const BACKEND_LABEL = { cpu: "CPU", cuda: "CUDA", vulkan: "Vulkan", metal: "Metal" } as const;

export function presentStatus(status: ServerStatus): StatusPresentation {
  const model = status.model;
  const remote = model?.engine;
  const where = model === undefined
    ? ""
    : remote !== undefined
      ? ` · Remote · ${remote.host}`
      : model.backend === "cpu"
      ? " · CPU"
      : ` · ${BACKEND_LABEL[model.backend]} ${model.gpuLayers}/${model.totalLayers}`;
  const text = `${ICON[status.state]} Pocket Coder${status.state === "ready" || status.state === "busy" ? where : STATE_SUFFIX[status.state] ?? ""}`;

  const lines = [status.message];
  if (remote !== undefined) {
    lines.push(
      `Completions computed on: Remote · ${remote.host} · ${remote.model}`,
      `Engine: ${remote.kind} at ${remote.url}${remote.slots === undefined ? "" : ` (${remote.slots} slots)`}`,
      `FIM family: ${model?.fimFamily ?? "?"} · Context: ${model?.contextSize ?? "?"} tokens`,
    );
  } else if (model !== undefined) {
    lines.push(
      `Model: ${model.name}${model.fimFamily === undefined ? "" : ` (${model.fimFamily})`}`,
      `Backend: ${BACKEND_LABEL[model.backend]}${model.gpuDevices.length > 0 ? ` — ${model.gpuDevices.join(", ")}` : ""}`,
      `GPU layers: ${model.gpuLayers} of ${model.totalLayers}`,
      ...vramLine(model),
      `Context: ${model.contextSize} tokens · ${model.threads} threads`,
    );
  }
  for (const notice of status.notices ?? []) lines.push(`Note: ${notice}`);
  lines.push("Click to show the logs.");

  const severity = status.state === "error" ? "error" : status.notices !== undefined && status.notices.length > 0 ? "warning" : "normal";
  return { text, tooltip: lines.join("\n"), severity };
}

/** "VRAM: 1.9 GB used of 8.0 GB" when the server measured it (GPU backends only). */
function vramLine(model: ModelStatus): string[] {
  if (model.vramTotalBytes === undefined || model.vramTotalBytes <= 0) return [];
  return [`VRAM: ${formatBytes(model.vramUsedBytes ?? 0)} used of ${formatBytes(model.vramTotalBytes)}`];
}
