/**
 * What "Select Model…" offers, built from the server's inspection of the GGUF files. Pure (no `vscode`):
 * the command turns these entries into a QuickPick and acts on the chosen one.
 */
import type { HardwareInfo, InspectModelsResult, ModelFileInfo } from "../shared/protocol";
import { adviseModel, formatBytes, type RecommendedModel } from "../shared/recommendedModels";

export type PickerAction =
  | { readonly kind: "use"; readonly path: string }
  /** Usable for Explain (chat) but not for inline completion. */
  | { readonly kind: "chatOnly"; readonly path: string; readonly message: string }
  | { readonly kind: "unusable"; readonly message: string }
  | { readonly kind: "browse" }
  | { readonly kind: "setFolder" }
  | { readonly kind: "download" }
  | { readonly kind: "advice"; readonly model: RecommendedModel; readonly message: string };

export interface PickerEntry {
  readonly label: string;
  readonly description?: string;
  readonly detail?: string;
  /** Absent on separators. */
  readonly action?: PickerAction;
  readonly separator?: boolean;
}

export interface PickerInput {
  /** Undefined when the server could not be asked (not running). */
  readonly result: InspectModelsResult | undefined;
  readonly currentPath: string;
  readonly directory: string;
  readonly downloadAllowed: boolean;
  /** Why the server could not be asked, if it could not. */
  readonly serverProblem?: string;
}

const BACKEND_NAMES = { cpu: "CPU", cuda: "CUDA", vulkan: "Vulkan", metal: "Metal" } as const;

export function buildPickerEntries(input: PickerInput): PickerEntry[] {
  const entries: PickerEntry[] = [];
  const models = input.result?.models ?? [];
  if (input.directory !== "") {
    entries.push({ label: `Models in ${input.directory}`, separator: true });
    if (input.result?.directoryProblem !== undefined) {
      entries.push({ label: "$(warning) The models folder cannot be read", detail: input.result.directoryProblem, action: { kind: "setFolder" } });
    } else if (input.result !== undefined && models.length === 0) {
      entries.push({ label: "$(info) No .gguf files in this folder", detail: "Copy a GGUF model there, or use Browse… to pick one elsewhere.", action: { kind: "browse" } });
    }
    for (const model of models) entries.push(modelEntry(model, input.currentPath));
  }
  if (input.serverProblem !== undefined) {
    entries.push({ label: "$(warning) Models cannot be inspected right now", detail: input.serverProblem, action: { kind: "browse" } });
  }

  const advice = adviseModel(input.result?.hardware);
  entries.push({ label: "Recommended for this machine", separator: true });
  entries.push({
    label: `$(lightbulb) ${advice.model.label}`,
    description: `${advice.model.fileName} · ${formatBytes(advice.model.sizeBytes)}`,
    detail: `${advice.reason}${hardwareSummary(input.result?.hardware)}`,
    action: input.downloadAllowed
      ? { kind: "download" }
      : {
        kind: "advice",
        model: advice.model,
        message: `Recommended here: ${advice.model.label}, file ${advice.model.fileName} (${formatBytes(advice.model.sizeBytes)}, ` +
          `SHA-256 ${advice.model.sha256}). Copy it to this machine and choose it with Browse…, or put it in the models folder. ` +
          "Downloading from Pocket Coder is off (pocketCoder.network.allowModelDownload).",
      },
  });

  entries.push({ label: "Other", separator: true });
  entries.push({ label: "$(folder-opened) Browse…", detail: "Pick a .gguf file anywhere on this machine.", action: { kind: "browse" } });
  entries.push({
    label: input.directory === "" ? "$(folder-library) Set a models folder…" : "$(folder-library) Change the models folder…",
    detail: "Pocket Coder lists the GGUF files it finds there (and in its sub-folders) with what each can do.",
    action: { kind: "setFolder" },
  });
  if (input.downloadAllowed) {
    entries.push({ label: "$(cloud-download) Download a recommended model…", detail: "Allowed by pocketCoder.network.allowModelDownload.", action: { kind: "download" } });
  }
  return entries;
}

/** The action for one inspected file: use it, or explain why not. */
export function actionFor(model: ModelFileInfo): PickerAction {
  if (model.problem !== undefined) return { kind: "unusable", message: model.problem };
  if (!model.canComplete) {
    const why = model.completionProblem ?? "It has no fill-in-the-middle (FIM) tokens.";
    return model.canChat
      ? { kind: "chatOnly", path: model.path, message: `${model.fileName} cannot do inline completion: ${why}` }
      : { kind: "unusable", message: `${model.fileName} cannot do inline completion: ${why} Use a FIM-capable base code model such as Qwen2.5-Coder (base, not Instruct).` };
  }
  return { kind: "use", path: model.path };
}

function modelEntry(model: ModelFileInfo, currentPath: string): PickerEntry {
  const current = model.path === currentPath;
  const icon = model.problem !== undefined ? "$(error)" : !model.canComplete ? "$(warning)" : current ? "$(check)" : "$(file)";
  const facts = [formatBytes(model.sizeBytes), model.architecture, model.parameters, model.quantization].filter(Boolean).join(" · ");
  return {
    label: `${icon} ${model.fileName}`,
    description: `${facts}${current ? " · in use" : ""}`,
    detail: capabilityLine(model),
    action: actionFor(model),
  };
}

/** "Completion ✓ (Qwen2.5-Coder FIM) · Chat ✓ (ChatML)" or why not. */
export function capabilityLine(model: ModelFileInfo): string {
  if (model.problem !== undefined) return `Unusable: ${model.problem}`;
  const completion = model.canComplete ? `Completion ✓ (${model.fimFamily ?? "FIM"})` : "Completion ✗ (no FIM tokens)";
  const chat = model.canChat ? `Chat ✓ (${model.chatTemplate ?? "template"})` : "Chat ✗";
  return `${completion} · ${chat}`;
}

function hardwareSummary(hardware: HardwareInfo | undefined): string {
  if (hardware === undefined) return "";
  const gpu = hardware.backend === "cpu"
    ? "CPU only"
    : `${BACKEND_NAMES[hardware.backend]}${hardware.gpuDevices.length > 0 ? `: ${hardware.gpuDevices.join(", ")}` : ""}, ${formatBytes(hardware.vramTotalBytes)} VRAM`;
  return ` (${gpu}; ${hardware.cpuCores} cores, ${formatBytes(hardware.ramTotalBytes)} RAM)`;
}
