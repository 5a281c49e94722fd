import type { HardwareInfo, ModelStatus, ServerStatus } from "../../shared/protocol";
import { needsModelReload, resolveThreadCount, type PocketCoderSettings } from "../../shared/settings";
import type { FimFamily } from "../completion/fim/fimTypes";
import { resolveFimFamily } from "../completion/fim/resolveFimFamily";
import { acquireLlama, BACKEND_NAMES, type AcquiredLlama } from "../runtime/acquireLlama";
import { errorText, inspectModelFile } from "../runtime/inspectModelFile";
import type { ChatExplainer } from "../runtime/ChatExplainer";
import type { LoadedModel } from "../runtime/LoadedModel";
import { ModelLoadError } from "../runtime/ModelLoadError";
import { openModel } from "../runtime/openModel";
import { BACKGROUND_NICENESS, lowerWorkerThreadPriority } from "../backgroundThreads";
import { describeHardware } from "../runtime/runtimeInfo";
import type { Logger } from "../logger";
import type { ExplainGenerator } from "../explain/explainGenerator";
import { ExplainModelSlot } from "./ExplainModelSlot";

/** The model that completions run on, once it is loaded. */
export interface ActiveModel {
  readonly generator: LoadedModel;
  /** Explanations with the same weights, on the context's second sequence. */
  readonly explainer: ChatExplainer;
  readonly fim: FimFamily;
  readonly status: ModelStatus;
}

/**
 * Owns the one loaded model: loads it from the settings, reloads it when the model path, GPU mode or
 * threads change, and publishes every state change. Loads run one after another; a settings change
 * during a load is applied when that load ends, so the last settings always win.
 */
export class ModelService {
  private settings: PocketCoderSettings | undefined;
  private active: ActiveModel | undefined;
  private acquired: { key: string; llama: AcquiredLlama } | undefined;
  private loads: Promise<void> = Promise.resolve();
  private requestedLoad = 0;
  private current: ServerStatus = { state: "starting", message: "Starting Pocket Coder…" };
  private announcedNotices = new Set<string>();
  /** Notices about the current model (e.g. it did not fit in VRAM), announced once with the next ready status. */
  private modelNotices: readonly string[] = [];
  /** The separate explain model, when `explain.modelPath` is set. */
  private readonly explainSlot: ExplainModelSlot;

  constructor(
    private readonly publish: (status: ServerStatus) => void,
    private readonly log: Logger,
    private readonly availableCores: () => number,
  ) {
    this.explainSlot = new ExplainModelSlot(log);
  }

  get status(): ServerStatus {
    return this.current;
  }

  /** The model to complete with, or undefined while loading, disabled or in error. */
  get completionModel(): ActiveModel | undefined {
    return this.settings?.completion.enabled === false ? undefined : this.active;
  }

  /** Applies new settings; resolves when any reload they cause has finished. */
  applySettings(settings: PocketCoderSettings): Promise<void> {
    const previous = this.settings;
    this.settings = settings;
    if (previous !== undefined && onlyExplainModelChanged(previous, settings)) {
      // The completion model stays; only the explain model is loaded, unloaded or replaced.
      this.loads = this.loads.then(async () => {
        await this.loadExplainModel(this.settings ?? settings);
        // The state is unchanged, but clients waiting for the change to settle see that it did.
        if (this.current.state === "error") this.publish(this.current);
        else this.publishSteadyState();
      });
      return this.loads;
    }
    if (previous === undefined || needsModelReload(previous, settings)) {
      const load = ++this.requestedLoad;
      this.loads = this.loads.then(() => (load === this.requestedLoad ? this.load(settings) : undefined));
      return this.loads;
    }
    this.loads = this.loads.then(() => this.publishSteadyState());
    return this.loads;
  }

  /** The settings in effect, once the client sent them. */
  get currentSettings(): PocketCoderSettings | undefined {
    return this.settings;
  }

  /** The loaded model whatever the `completion.enabled` setting (the doctor measures it even when completion is off). */
  get loadedModel(): ActiveModel | undefined {
    return this.active;
  }

  /** Fallbacks in effect (backend, GPU layers), whether or not they were announced already. */
  get activeNotices(): readonly string[] {
    const fallback = this.acquired?.llama.fallbackNotice;
    return [...(fallback === undefined ? [] : [fallback]), ...this.modelNotices];
  }

  /** The llama.cpp runtime in use (backend, devices, the attempts that led to it), once one was started. */
  get runtime(): AcquiredLlama | undefined {
    return this.acquired?.llama;
  }

  /**
   * What the hardware offers with the current GPU setting. Starts the runtime when no model load has
   * (e.g. no model is configured yet), after any load in progress; undefined when it cannot start.
   */
  async hardware(): Promise<HardwareInfo | undefined> {
    const run = this.loads.then(async () => {
      const settings = this.settings;
      if (settings === undefined) return undefined;
      const acquired = await this.acquireLlama(settings, resolveThreadCount(settings.threads, this.availableCores()));
      return describeHardware(acquired);
    });
    this.loads = run.then(() => undefined, () => undefined);
    try {
      return await run;
    } catch (error) {
      this.log.warn(`Could not start the llama.cpp runtime to describe the hardware: ${errorText(error)}`);
      return undefined;
    }
  }

  /**
   * The model to explain with, after any load in progress: the explain model when `explain.modelPath` is set,
   * else the completion model (whatever `completion.enabled` says). Otherwise a message saying what to do.
   */
  async explainModel(): Promise<{ generator: ExplainGenerator } | { problem: string }> {
    let settled: Promise<void>;
    do {
      settled = this.loads;
      await settled;
    } while (settled !== this.loads);
    const explainPath = this.settings?.explain.modelPath ?? "";
    if (explainPath !== "") {
      const slot = this.explainSlot.lookup(explainPath);
      return "explainer" in slot ? { generator: slot.explainer } : slot;
    }
    if (this.active !== undefined) return { generator: this.active.explainer };
    const why = this.current.problem?.message;
    return {
      problem: why === undefined
        ? "No model is loaded to explain with. Choose a GGUF model with \"Pocket Coder: Select Model…\" (pocketCoder.model.path), " +
          "or set pocketCoder.explain.model.path to an instruct (chat) model."
        : `No model is loaded to explain with: ${why}`,
    };
  }

  /** Marks the model busy for the duration of `work`, without flicker for fast requests. */
  async whileBusy<T>(work: () => Promise<T>, showAfterMs = 250): Promise<T> {
    const timer = setTimeout(() => {
      if (this.current.state === "ready") this.setStatus({ ...this.current, state: "busy", message: "Generating…" });
    }, showAfterMs);
    try {
      return await work();
    } finally {
      clearTimeout(timer);
      if (this.current.state === "busy") this.publishSteadyState();
    }
  }

  async dispose(): Promise<void> {
    await this.loads;
    await this.explainSlot.unload();
    await this.unload();
    await this.acquired?.llama.llama.dispose();
  }

  private async load(settings: PocketCoderSettings): Promise<void> {
    await this.unload();
    const threads = resolveThreadCount(settings.threads, this.availableCores());
    this.setStatus({ state: "loadingModel", message: `Loading ${settings.model.path || "model"}…` });
    try {
      const startedAt = performance.now();
      // The runtime starts (node-llama-cpp test-loads its binding in a child process) while the file's header is read.
      const since = (): string => (performance.now() - startedAt).toFixed(0);
      const [inspected, acquired] = await Promise.all([
        inspectModelFile(settings.model.path).finally(() => this.log.debug(`startup: model header read in ${since()} ms`)),
        this.acquireLlama(settings, threads).finally(() => this.log.debug(`startup: llama.cpp runtime started in ${since()} ms`)),
      ]);
      this.log.debug(`startup: model load began ${startedAt.toFixed(0)} ms after the process started`);
      const fim = resolveFimFamily(inspected.facts);
      if (fim === undefined) {
        throw new ModelLoadError(
          "noFimSupport",
          `${inspected.name} has no fill-in-the-middle (FIM) tokens, so it cannot do inline completion. ` +
            "Use a FIM-capable base code model, such as Qwen2.5-Coder (base, not Instruct), DeepSeek-Coder base or StarCoder2.",
        );
      }
      const opened = await openModel(acquired, inspected, {
        threads, log: (message) => this.log.info(message), debug: (message) => this.log.debug(message),
      });
      this.log.debug(`startup: model ready ${performance.now().toFixed(0)} ms after the process started`);
      const lowered = lowerWorkerThreadPriority();
      if (lowered > 0) this.log.debug(`${lowered} worker threads (llama.cpp's evaluations start on them) run at niceness ${BACKGROUND_NICENESS}.`);
      this.active = { generator: opened.loaded, explainer: opened.explainer, fim, status: { ...opened.status, fimFamily: fim.label } };
      this.modelNotices = opened.notice === undefined ? [] : [opened.notice];
      if (opened.notice !== undefined) this.log.warn(opened.notice);
      this.log.info(
        `Loaded ${inspected.name} (${fim.label} FIM) on ${opened.status.backend}: ${opened.status.gpuLayers}/` +
          `${opened.status.totalLayers} layers offloaded, context ${opened.status.contextSize}, ${threads} threads.`,
      );
      this.publishSteadyState();
    } catch (error) {
      const problem = error instanceof ModelLoadError
        ? { kind: error.kind, message: error.message }
        : { kind: "internal" as const, message: `Unexpected error while loading the model: ${errorText(error)}` };
      this.log.error(problem.message);
      this.setStatus({ state: "error", message: problem.message, problem });
    }
    await this.loadExplainModel(settings);
  }

  private async loadExplainModel(settings: PocketCoderSettings): Promise<void> {
    const threads = resolveThreadCount(settings.threads, this.availableCores());
    await this.explainSlot.apply(settings.explain.modelPath, threads, () => this.acquireLlama(settings, threads));
  }

  private async acquireLlama(settings: PocketCoderSettings, threads: number): Promise<AcquiredLlama> {
    const key = `${settings.gpu}/${threads}`;
    if (this.acquired?.key === key) return this.acquired.llama;
    await this.explainSlot.unload(); // its model lives on the runtime about to go
    await this.acquired?.llama.llama.dispose();
    this.acquired = undefined;
    const llama = await acquireLlama({ gpu: settings.gpu, threads, log: (message) => this.log.info(message) });
    if (llama.fallbackNotice !== undefined) this.log.warn(llama.fallbackNotice);
    this.acquired = { key, llama };
    return llama;
  }

  private async unload(): Promise<void> {
    const previous = this.active;
    this.active = undefined;
    this.modelNotices = [];
    await previous?.explainer.dispose();
    await previous?.generator.dispose();
  }

  private publishSteadyState(): void {
    if (this.settings?.completion.enabled === false) {
      this.setStatus({ state: "disabled", message: "Inline completion is disabled (pocketCoder.completion.enabled).", ...this.modelPart() });
    } else if (this.active !== undefined) {
      const model = this.active.status;
      const where = model.backend === "cpu" ? "CPU" : `${BACKEND_NAMES[model.backend]}, ${model.gpuLayers}/${model.totalLayers} layers on GPU`;
      this.setStatus({ state: "ready", message: `${model.name} ready (${where}).`, model });
    } else if (this.current.state !== "error") {
      this.setStatus({ state: "starting", message: "Waiting for settings…" });
    }
  }

  private modelPart(): { model?: ModelStatus } {
    return this.active === undefined ? {} : { model: this.active.status };
  }

  private setStatus(status: ServerStatus): void {
    const candidates = [this.acquired?.llama.fallbackNotice, ...this.modelNotices];
    const fresh = status.state === "ready"
      ? candidates.filter((notice): notice is string => notice !== undefined && !this.announcedNotices.has(notice))
      : [];
    for (const notice of fresh) this.announcedNotices.add(notice);
    this.current = fresh.length > 0 ? { ...status, notices: fresh } : status;
    this.publish(this.current);
  }
}

/** Only the explain model's path changed: the completion model can stay loaded. */
function onlyExplainModelChanged(before: PocketCoderSettings, after: PocketCoderSettings): boolean {
  return before.explain.modelPath !== after.explain.modelPath && !needsModelReload(before, { ...after, explain: before.explain });
}
