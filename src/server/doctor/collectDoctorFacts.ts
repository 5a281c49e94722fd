import * as os from "node:os";
import { resolveThreadCount, DEFAULT_SETTINGS } from "../../shared/settings";
import type { ModelService } from "../model/ModelService";
import { errorText } from "../runtime/inspectModelFile";
import { describeModelFile } from "../runtime/inspectModels";
import { describeRuntime } from "../runtime/runtimeInfo";
import { RemoteEngine } from "../engines/RemoteEngine";
import type { DoctorFacts, EngineFacts } from "./doctorReport";
import { measureSpeed } from "./measureSpeed";

export interface DoctorOptions {
  readonly version: string;
  /** Run a short generation on the loaded model (default true). */
  readonly measureSpeed?: boolean;
}

/** Everything the doctor reports, from the running model service (the server's, or the CLI's own). */
export async function collectDoctorFacts(models: ModelService, options: DoctorOptions): Promise<DoctorFacts> {
  const settings = models.currentSettings ?? DEFAULT_SETTINGS;
  const hardware = await models.hardware();
  const acquired = models.runtime;
  const runtime = await describeRuntime(acquired);
  // The speed check is a need like a completion: it loads the model if it is not loaded (idle or never used yet).
  if (options.measureSpeed !== false) await models.ensureLoaded();
  const active = models.loadedModel;
  const modelFile = settings.model.path === "" ? undefined : await describeModelFile(settings.model.path);

  let speed: DoctorFacts["speed"];
  if (active !== undefined && options.measureSpeed !== false) {
    try {
      speed = await models.whileBusy(() => measureSpeed(active.engine.generator));
    } catch (error) {
      speed = { error: errorText(error) };
    }
  }
  const notices = [...new Set(models.activeNotices)];
  let engine: EngineFacts | undefined;
  if (settings.engine.kind !== "local") {
    const remote = active?.engine instanceof RemoteEngine ? active.engine : undefined;
    engine = {
      kind: settings.engine.kind, url: settings.engine.url,
      ...(remote === undefined ? {} : { model: remote.facts.modelId, contextSize: remote.facts.contextSize }),
      ...(remote?.facts.slots === undefined ? {} : { slots: remote.facts.slots }),
      ...(remote?.viaProxy === undefined ? {} : { proxy: remote.viaProxy }),
      ...(remote === undefined ? {} : { tokenCount: remote.tokenCounting }),
      health: remote === undefined ? { ok: false, reason: models.status.message } : await remote.checkHealth(),
    };
  }

  return {
    version: options.version,
    platform: { os: `${os.type()}`, release: os.release(), arch: process.arch, node: process.versions.node },
    settings: {
      gpu: settings.gpu,
      threadsSetting: settings.threads,
      threads: active?.status.threads ?? resolveThreadCount(settings.threads, os.availableParallelism()),
      modelPath: settings.model.path,
    },
    runtime,
    ...(hardware === undefined ? {} : { hardware }),
    ...(acquired?.idleGpuBuild === undefined ? {} : { idleGpuBuild: acquired.idleGpuBuild }),
    status: models.status,
    ...(active === undefined ? {} : { model: active.status }),
    ...(modelFile === undefined ? {} : { modelFile }),
    ...(speed === undefined ? {} : { speed }),
    notices,
    ...(engine === undefined ? {} : { engine }),
  };
}
