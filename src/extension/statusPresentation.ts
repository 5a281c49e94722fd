/**
 * How a server status looks in the status bar. Pure (no `vscode`) so it is unit-tested directly.
 */
import type { ModelStatus, ServerStatus } from "../shared/protocol";
import { formatBytes } from "../shared/recommendedModels";
import { describeBlock, formatClockTime, type CompletionBlock } from "./controls/controlState";

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

/** What the user turned off or snoozed, shown after the server's state ("Pocket Coder: snoozed until 14:20"). */
export interface ClientControls {
  readonly block?: CompletionBlock;
  readonly formatTime?: (epochMs: number) => string;
}

/** Words after the name for states a glance should tell apart from "ready". */
const STATE_SUFFIX: Partial<Record<ServerStatus["state"], string>> = {
  loadingModel: " · Loading…",
  unloaded: " · idle",
};

const BACKEND_LABEL = { cpu: "CPU", cuda: "CUDA", vulkan: "Vulkan", metal: "Metal" } as const;

export function presentStatus(status: ServerStatus, controls: ClientControls = {}): StatusPresentation {
  // No model yet is where every new user starts: an invitation, not an error.
  if (status.state === "error" && status.problem?.kind === "noModel") {
    return {
      text: "$(rocket) Set up Pocket Coder",
      tooltip: `${status.message}\nClick to choose a model and get started.`,
      severity: "normal",
    };
  }
  const model = status.model;
  const remote = model?.engine;
  const blocked = status.state === "error" || controls.block === undefined
    ? undefined
    : describeBlock(controls.block, controls.formatTime ?? formatClockTime);
  const text = blocked !== undefined
    ? `${controls.block?.kind === "snoozed" ? "$(bell-slash)" : "$(circle-slash)"} Pocket Coder: ${blocked}`
    : `${ICON[status.state]} Pocket Coder${status.state === "ready" || status.state === "busy" ? whereItRuns(model) : STATE_SUFFIX[status.state] ?? ""}`;

  const lines = [status.message];
  if (blocked !== undefined) lines.unshift(`Inline completions: ${blocked}.`);
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
  lines.push("Click for the menu: on/off, snooze, model, Doctor, logs.");

  const severity = status.state === "error" ? "error" : status.notices !== undefined && status.notices.length > 0 ? "warning" : "normal";
  return { text, tooltip: lines.join("\n"), severity };
}

/** " · CPU", " · Vulkan 29/29", " · Remote · gpu-box:8080": where completions are computed. */
function whereItRuns(model: ModelStatus | undefined): string {
  if (model === undefined) return "";
  if (model.engine !== undefined) return ` · Remote · ${model.engine.host}`;
  return model.backend === "cpu" ? " · CPU" : ` · ${BACKEND_LABEL[model.backend]} ${model.gpuLayers}/${model.totalLayers}`;
}

/** "VRAM: 1.9 GB used of 8.0 GB" when the server measured it (GPU backends only). */
function vramLine(model: ModelStatus): string[] {
  if (model.vramTotalBytes === undefined || model.vramTotalBytes <= 0) return [];
  return [`VRAM: ${formatBytes(model.vramUsedBytes ?? 0)} used of ${formatBytes(model.vramTotalBytes)}`];
}
