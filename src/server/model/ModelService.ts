import type { HardwareInfo, ModelStatus, RemoteEngineKind, ServerProblem, ServerStatus } from "../../shared/protocol";
import { DEFAULT_SETTINGS, needsModelReload, resolveThreadCount, type PocketCoderSettings } from "../../shared/settings";
import { acquireLlama, BACKEND_NAMES, type AcquiredLlama } from "../runtime/acquireLlama";
import { errorText } from "../runtime/inspectModelFile";
import { ModelLoadError } from "../runtime/ModelLoadError";
import { BACKGROUND_NICENESS, lowerWorkerThreadPriority } from "../backgroundThreads";
import { describeHardware } from "../runtime/runtimeInfo";
import type { Logger } from "../logger";
import type { ExplainGenerator } from "../explain/explainGenerator";
import type { Engine } from "../engines/Engine";
import { EngineError } from "../engines/http/EngineHttp";
import { checkLocalModel, openLocalEngine } from "../engines/localEngine";
import { openRemoteEngine } from "../engines/openRemoteEngine";
import { problemOf } from "../engines/RemoteEngine";
import { ExplainModelSlot } from "./ExplainModelSlot";
import { IdleUnloadTimer, type IdleUnloadLimits } from "./idleUnload";
import { ServedModel } from "./ServedModel";

/** How long a shutdown waits for the models and the runtime to be freed. */
const DISPOSE_BOUND_MS = 5000;
/** How long a remote engine waits for the API key a client announced: secret storage may first unlock a keychain. */
const API_KEY_WAIT_MS = 10_000;

/**
 * Owns the one loaded model: checks it when the settings name it, loads it on first need (a completion, an
 * explanation, the doctor's speed check), unloads it when idle (sooner in a background window, at once when
 * completion is turned off), and publishes every state change. Loads run one after another; a settings change
 * during a load is applied when that load ends, so the last settings always win.
 */
export class ModelService {
  private settings: PocketCoderSettings | undefined;
  private active: ServedModel | undefined;
  private acquired: { key: string; llama: AcquiredLlama } | undefined;
  private loads: Promise<void> = Promise.resolve();
  private requestedLoad = 0;
  private current: ServerStatus = { state: "starting", message: "Starting Pocket Coder…" };
  private announcedNotices = new Set<string>();
  /** Notices about the current model (e.g. it did not fit in VRAM), announced once with the next ready status. */
  private modelNotices: readonly string[] = [];
  /** The separate explain model, when `explain.modelPath` is set. */
  private readonly explainSlot: ExplainModelSlot;
  private disposal: Promise<void> | undefined;
  /** Whether the models were loaded (or their load failed) for the current settings since the last unload. */
  private resident = false;
  private pendingLoad: Promise<void> | undefined;
  private readonly idle: IdleUnloadTimer;
  private windowFocused = true;
  /** The model the settings name, once its file was checked: for the status while it is not loaded. */
  private checkedModelName: string | undefined;
  /** Why the model was last unloaded while its settings stayed, for the status. */
  private unloadedBecause: string | undefined;
  /** The remote engine's API key (pocketCoder/setEngineApiKey); only ever sent to that engine. */
  private apiKey: string | undefined;
  /** Set while the client's stored API key is on its way (see expectApiKey): resolves when it came or the wait ended. */
  private awaitedApiKey: { arrived: Promise<void>; resolve: () => void } | undefined;
  /** Reopening a remote engine that could not be opened: the next try and how many came before. */
  private reopen: { timer: ReturnType<typeof setTimeout>; attempts: number } | undefined;
  private reopenAttempts = 0;

  constructor(
    private readonly publish: (status: ServerStatus) => void,
    private readonly log: Logger,
    private readonly availableCores: () => number,
  ) {
    this.explainSlot = new ExplainModelSlot(log);
    this.idle = new IdleUnloadTimer(idleLimits(DEFAULT_IDLE), () => this.unloadWhenIdle());
  }

  get status(): ServerStatus {
    return this.current;
  }

  /** The model to complete with, or undefined while loading, disabled or in error. */
  get completionModel(): ServedModel | undefined {
    return this.settings?.completion.enabled === false ? undefined : this.active;
  }

  /** Applies new settings; resolves when any reload they cause has finished. */
  applySettings(settings: PocketCoderSettings): Promise<void> {
    if (this.disposal !== undefined) return this.disposal;
    const previous = this.settings;
    this.settings = settings;
    this.idle.setLimits(idleLimits(settings.model));
    if (previous !== undefined && onlyExplainModelChanged(previous, settings)) {
      // The completion model stays; only the explain model is loaded, unloaded or replaced.
      this.loads = this.loads.then(async () => {
        // Not loaded: the explain model loads with the completion model, on first need.
        if (this.resident) await this.loadExplainModel(this.settings ?? settings);
        // The state is unchanged, but clients waiting for the change to settle see that it did.
        if (this.current.state === "error") this.publish(this.current);
        else this.publishSteadyState();
      });
      return this.loads;
    }
    if (previous === undefined || needsModelReload(previous, settings)) {
      const load = ++this.requestedLoad;
      this.loads = this.loads.then(() => (load === this.requestedLoad ? this.prepare(settings) : undefined));
      return this.loads;
    }
    if (previous.completion.enabled && !settings.completion.enabled) {
      // Completion off: nothing needs the model all the time any more; an explanation loads it on demand.
      this.loads = this.loads.then(async () => {
        const local = this.settings?.engine.kind === "local";
        if (this.resident && local && this.settings?.completion.enabled === false) await this.unloadAll("completion was turned off");
        this.publishSteadyState();
      });
      return this.loads;
    }
    this.loads = this.loads.then(() => this.publishSteadyState());
    return this.loads;
  }

  /**
   * Loads the model(s) for the current settings unless they are loaded; resolves once they are, or once the load
   * failed (the status says why). Counts as a use, so an idle unload does not come right after.
   */
  ensureLoaded(): Promise<void> {
    this.idle.touch();
    if (this.resident || this.disposal !== undefined) return Promise.resolve();
    this.pendingLoad ??= this.enqueue(async () => {
      const settings = this.settings;
      if (!this.resident && settings !== undefined && this.disposal === undefined) await this.load(settings);
    }).finally(() => {
      this.pendingLoad = undefined;
    });
    return this.pendingLoad;
  }

  /**
   * The model to complete with, loading it first if it is not loaded; undefined when completion is off, the model
   * cannot load, or `signal` aborts first (the load goes on for the next request).
   */
  async completionModelOnDemand(signal: AbortSignal): Promise<ServedModel | undefined> {
    if (this.settings?.completion.enabled === false) return undefined;
    if (this.active !== undefined) {
      this.idle.touch();
      return this.active;
    }
    if (this.current.state === "error" || signal.aborted) return undefined;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      signal.addEventListener("abort", onAbort, { once: true });
    });
    try {
      await Promise.race([this.ensureLoaded(), aborted]);
    } finally {
      if (onAbort !== undefined) signal.removeEventListener("abort", onAbort);
    }
    return signal.aborted ? undefined : this.completionModel;
  }

  /** The editor window gained or lost focus: a background window gives its model back sooner. */
  setWindowFocused(focused: boolean): void {
    if (focused === this.windowFocused) return;
    this.windowFocused = focused;
    this.idle.setFocused(focused);
    this.log.debug(`The window is ${focused ? "in the foreground" : "in the background"}.`);
  }

  /**
   * The client says its stored API key follows (pocketCoder/setEngineApiKey): the remote engine opens once it is here,
   * or after API_KEY_WAIT_MS without it, so that a user with a stored key never sees it refused at startup.
   */
  expectApiKey(): void {
    if (this.awaitedApiKey !== undefined) return;
    let resolve = () => undefined as void;
    const arrived = new Promise<void>((done) => (resolve = done));
    const awaited = { arrived, resolve };
    const timer = setTimeout(() => {
      if (this.awaitedApiKey !== awaited) return;
      this.awaitedApiKey = undefined;
      if (this.settings?.engine.kind !== "local") {
        this.log.warn(`The engine API key the client announced did not come within ${API_KEY_WAIT_MS / 1000} s; connecting without it.`);
      }
      resolve();
    }, API_KEY_WAIT_MS);
    timer.unref();
    void arrived.then(() => clearTimeout(timer));
    this.awaitedApiKey = awaited;
  }

  /** A new API key for the remote engine: reopens it when one is in use. */
  setApiKey(apiKey: string | undefined): Promise<void> {
    const awaited = this.awaitedApiKey;
    if (awaited !== undefined) {
      // The first open waits for this key (or has not started yet): it uses the key, no reopen needed.
      this.awaitedApiKey = undefined;
      this.apiKey = apiKey;
      awaited.resolve();
      return Promise.resolve();
    }
    if (apiKey === this.apiKey || this.disposal !== undefined) return this.loads;
    this.apiKey = apiKey;
    const settings = this.settings;
    if (settings === undefined || settings.engine.kind === "local") return this.loads;
    const load = ++this.requestedLoad;
    this.loads = this.loads.then(() => (load === this.requestedLoad ? this.load(settings) : undefined));
    return this.loads;
  }

  /** The settings in effect, once the client sent them. */
  get currentSettings(): PocketCoderSettings | undefined {
    return this.settings;
  }

  /** The loaded model whatever the `completion.enabled` setting (the doctor measures it even when completion is off). */
  get loadedModel(): ServedModel | undefined {
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
    await this.ensureLoaded();
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
        : `No model is loaded to explain with: ${why} To explain with another model, set pocketCoder.explain.model.path ` +
          "to an instruct (chat) model.",
    };
  }

  /** Marks the model busy for the duration of `work`, without flicker for fast requests. */
  async whileBusy<T>(work: () => Promise<T>, showAfterMs = 250): Promise<T> {
    const used = this.idle.begin();
    const timer = setTimeout(() => {
      // Not the ready status's notices: they were announced with it.
      if (this.current.state === "ready") this.setStatus({ state: "busy", message: "Generating…", ...this.modelPart() });
    }, showAfterMs);
    try {
      return await work();
    } finally {
      used();
      clearTimeout(timer);
      if (this.current.state === "busy") this.publishSteadyState();
    }
  }

  /**
   * Aborts what runs on the models (without waiting for a generation to finish) and frees them and the runtime.
   * Safe to call more than once (e.g. two `shutdown` requests): later calls wait for the first.
   */
  dispose(): Promise<void> {
    this.disposal ??= (async () => {
      this.idle.dispose();
      // First abort what runs, so that a load or a generation in progress ends at its next check.
      this.cancelReopen();
      this.awaitedApiKey?.resolve();
      this.awaitedApiKey = undefined;
      const running = this.unload();
      const freed = (async () => {
        await this.loads;
        await running;
        await this.explainSlot.unload();
        await this.unload();
        const acquired = this.acquired;
        this.acquired = undefined;
        await acquired?.llama.llama.dispose();
      })();
      // Shutdown answers in bounded time: the process exits next and the system frees what llama.cpp still holds
      // (freeing the runtime after a series of failed loads was seen to hang).
      let timer: NodeJS.Timeout | undefined;
      const bound = new Promise<"timedOut">((resolve) => (timer = setTimeout(() => resolve("timedOut"), DISPOSE_BOUND_MS)));
      if (await Promise.race([freed, bound]) === "timedOut") {
        this.log.warn(`Freeing the models took over ${DISPOSE_BOUND_MS / 1000} s; shutting down without waiting.`);
      }
      clearTimeout(timer);
    })();
    return this.disposal;
  }

  /** New model settings: frees what was loaded and checks the file (header only), so a bad one is reported now. */
  private async prepare(settings: PocketCoderSettings): Promise<void> {
    if (settings.engine.kind !== "local") {
      // A remote engine holds no memory on this machine: it is opened at once and never unloaded when idle.
      this.checkedModelName = undefined;
      this.unloadedBecause = undefined;
      await this.unloadAll();
      await this.load(settings);
      return;
    }
    // The status first: a generation that the unload ends must not publish the old model as the steady state.
    this.checkedModelName = undefined;
    this.unloadedBecause = undefined;
    this.setStatus({ state: "starting", message: `Checking ${settings.model.path || "the model"}…` });
    await this.unloadAll();
    try {
      this.checkedModelName = (await checkLocalModel(settings.model.path)).inspected.name;
      this.publishSteadyState();
    } catch (error) {
      this.setStatus(problemStatus(error));
      this.log.error(this.current.message);
    }
  }

  private async load(settings: PocketCoderSettings): Promise<void> {
    const unloadStartedAt = performance.now();
    const hadModel = this.active !== undefined;
    await this.unload();
    if (hadModel) this.log.debug(`Unloaded the previous model in ${(performance.now() - unloadStartedAt).toFixed(0)} ms.`);
    clearTimeout(this.reopen?.timer);
    if (settings.engine.kind !== "local") {
      await this.openRemote(settings, settings.engine.kind);
      await this.loadExplainModel(settings);
      this.resident = true;
      return;
    }
    this.cancelReopen();
    const loadStartedAt = performance.now();
    const threads = resolveThreadCount(settings.threads, this.availableCores());
    this.setStatus({ state: "loadingModel", message: `Loading ${settings.model.path || "model"}…` });
    try {
      const engine = await openLocalEngine(settings.model.path, {
        threads, acquire: () => this.acquireLlama(settings, threads), log: (message) => this.log.info(message),
        debug: (message) => this.log.debug(message),
      });
      const lowered = lowerWorkerThreadPriority();
      if (lowered > 0) this.log.debug(`${lowered} worker threads (llama.cpp's evaluations start on them) run at niceness ${BACKGROUND_NICENESS}.`);
      this.active = new ServedModel(engine);
      this.modelNotices = engine.notice === undefined ? [] : [engine.notice];
      this.unloadedBecause = undefined;
      if (engine.notice !== undefined) this.log.warn(engine.notice);
      const status = engine.status;
      this.log.info(
        `Loaded ${status.name} (${engine.fim.label} FIM) on ${status.backend}: ${status.gpuLayers}/` +
          `${status.totalLayers} layers offloaded, context ${status.contextSize}, ${threads} threads, in ${(performance.now() - loadStartedAt).toFixed(0)} ms` +
          ` (process RSS ${mebibytes(process.memoryUsage.rss())}).`,
      );
      this.publishSteadyState();
    } catch (error) {
      this.setStatus(problemStatus(error));
      this.log.error(this.current.message);
    }
    await this.loadExplainModel(settings);
    this.resident = true;
    this.idle.setLoaded(true);
  }

  /** Runs `work` after the loads queued before it; a failure does not stop the queue. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    const run = this.loads.then(work);
    this.loads = run.then(() => undefined, () => undefined);
    return run;
  }

  private unloadWhenIdle(): void {
    void this.enqueue(async () => {
      if (!this.resident || this.disposal !== undefined) return;
      const minutes = this.windowFocused
        ? this.settings?.model.unloadAfterMinutes ?? DEFAULT_IDLE.unloadAfterMinutes
        : Math.min(...[this.settings?.model.unloadAfterMinutes ?? DEFAULT_IDLE.unloadAfterMinutes,
          this.settings?.model.unloadInBackgroundAfterMinutes ?? DEFAULT_IDLE.unloadInBackgroundAfterMinutes].filter((value) => value > 0));
      await this.unloadAll(`it was unused for ${formatMinutes(minutes)}${this.windowFocused ? "" : " in a background window"}`);
      this.publishSteadyState();
    });
  }

  /** Frees the completion and explain models (not the llama.cpp runtime: it is reused by the next load). */
  private async unloadAll(why?: string): Promise<void> {
    const wasResident = this.resident;
    this.resident = false;
    this.idle.setLoaded(false);
    const before = process.memoryUsage.rss();
    await this.unload();
    await this.explainSlot.unload();
    if (wasResident && why !== undefined) {
      this.unloadedBecause = why;
      this.log.info(`Unloaded the model because ${why}: process RSS ${mebibytes(before)} -> ${mebibytes(process.memoryUsage.rss())}.`);
    }
  }

  /** Connects to the team's inference server; if it cannot, says why and tries again with growing pauses. */
  private async openRemote(settings: PocketCoderSettings, kind: RemoteEngineKind): Promise<void> {
    const url = settings.engine.url;
    if (this.awaitedApiKey !== undefined) {
      this.setStatus({ state: "loadingModel", message: `Connecting to ${url || "the engine"} (${kind}): waiting for the API key from the editor…` });
      await this.awaitedApiKey.arrived;
      if (this.disposal !== undefined) return;
    }
    this.setStatus({ state: "loadingModel", message: `Connecting to ${url || "the engine"} (${kind})…` });
    try {
      const opened: { engine?: Engine } = {};
      const engine = await openRemoteEngine({ ...settings.engine, kind }, {
        ...(this.apiKey === undefined ? {} : { apiKey: this.apiKey }),
        onHealth: (problem) => {
          if (opened.engine !== undefined && this.active?.engine === opened.engine) this.engineHealthChanged(problem);
        },
        log: (message) => this.log.info(message),
      });
      opened.engine = engine;
      this.active = new ServedModel(engine);
      this.cancelReopen();
      const facts = engine.facts;
      this.log.info(
        `Connected to ${kind} at ${url}${engine.viaProxy === undefined ? "" : ` through the proxy ${engine.viaProxy}`}: ` +
          `${facts.modelId} (${facts.fim.label} FIM), context ${facts.contextSize}` +
          `${facts.slots === undefined ? "" : `, ${facts.slots} slots`}.`,
      );
      this.publishSteadyState();
    } catch (error) {
      const engineError = error instanceof EngineError ? error : new EngineError("protocol", errorText(error));
      const problem = problemOf(engineError);
      this.log.error(problem.message);
      this.setStatus({ state: "error", message: problem.message, problem });
      // A wrong setting stays wrong until the user changes it; a server that is down or refuses us may change by itself.
      if (engineError.kind !== "badRequest") this.scheduleReopen(settings);
    }
  }

  private scheduleReopen(settings: PocketCoderSettings): void {
    const attempts = this.reopenAttempts++;
    const delay = Math.min(30_000, 1000 * 2 ** attempts);
    const timer = setTimeout(() => {
      if (this.settings !== settings || this.disposal !== undefined) return;
      const load = ++this.requestedLoad;
      this.loads = this.loads.then(() => (load === this.requestedLoad ? this.load(settings) : undefined));
    }, delay);
    this.reopen = { timer, attempts };
  }

  private cancelReopen(): void {
    clearTimeout(this.reopen?.timer);
    this.reopen = undefined;
    this.reopenAttempts = 0;
  }

  /** The remote engine went down (problem) or came back (undefined). */
  private engineHealthChanged(problem: ServerProblem | undefined): void {
    if (problem !== undefined && this.active !== undefined) {
      this.setStatus({ state: "error", message: problem.message, problem, model: this.active.status });
    } else {
      this.publishSteadyState();
    }
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
    await previous?.dispose();
  }

  private publishSteadyState(): void {
    if (this.settings?.completion.enabled === false) {
      this.setStatus({ state: "disabled", message: "Inline completion is disabled (pocketCoder.completion.enabled).", ...this.modelPart() });
    } else if (this.active?.engine.healthProblem !== undefined) {
      const problem = this.active.engine.healthProblem;
      this.setStatus({ state: "error", message: problem.message, problem, model: this.active.status });
    } else if (this.active?.status.engine !== undefined) {
      const model = this.active.status;
      const engine = this.active.status.engine;
      this.setStatus({ state: "ready", message: `${engine.model} ready on ${engine.host} (${engine.kind}).`, model });
    } else if (this.active !== undefined) {
      const model = this.active.status;
      const where = model.backend === "cpu" ? "CPU" : `${BACKEND_NAMES[model.backend]}, ${model.gpuLayers}/${model.totalLayers} layers on GPU`;
      this.setStatus({ state: "ready", message: `${model.name} ready (${where}).`, model });
    } else if (this.current.state !== "error") {
      if (this.checkedModelName === undefined) {
        this.setStatus({ state: "starting", message: "Waiting for settings…" });
      } else {
        const why = this.unloadedBecause === undefined ? "" : ` Unloaded because ${this.unloadedBecause}.`;
        this.setStatus({ state: "unloaded", message: `${this.checkedModelName} loads on first use.${why}` });
      }
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

const DEFAULT_IDLE = DEFAULT_SETTINGS.model;

function idleLimits(model: { readonly unloadAfterMinutes: number; readonly unloadInBackgroundAfterMinutes: number }): IdleUnloadLimits {
  return { idleMs: model.unloadAfterMinutes * 60_000, backgroundMs: model.unloadInBackgroundAfterMinutes * 60_000 };
}

function formatMinutes(minutes: number): string {
  if (minutes < 1) return `${Math.round(minutes * 60)} s`;
  return minutes === 1 ? "1 minute" : `${Number(minutes.toFixed(1))} minutes`;
}

function mebibytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(0)} MiB`;
}

function problemStatus(error: unknown): ServerStatus {
  const problem = error instanceof ModelLoadError
    ? { kind: error.kind, message: error.message }
    : { kind: "internal" as const, message: `Unexpected error while loading the model: ${errorText(error)}` };
  return { state: "error", message: problem.message, problem };
}

/** Only the explain model's path changed: the completion model can stay loaded. */
function onlyExplainModelChanged(before: PocketCoderSettings, after: PocketCoderSettings): boolean {
  return before.explain.modelPath !== after.explain.modelPath && !needsModelReload(before, { ...after, explain: before.explain });
}
