import type { ModelStatus, RemoteEngineKind, ServerProblem } from "../../shared/protocol";
import type { FimFamily, PromptPiece } from "../completion/fim/fimTypes";
import type { GenerateOptions, GenerationResult, StopReason, TextGenerator } from "../completion/textGenerator";
import {
  ExplainModelError, type ExplainConversation, type ExplainGenerateOptions, type ExplainGeneration, type ExplainGenerator,
} from "../explain/explainGenerator";
import { firstStopIndex } from "../completion/stopTexts";
import { NOT_RUN, type Engine } from "./Engine";
import { EngineError, isAbortError, type EngineHttp } from "./http/EngineHttp";
import { proxyLabel } from "./http/proxyRoute";
import type { LearntTokenCount } from "./learntTokenCount";

/** How a generation on the server ended, in its own words mapped to ours. */
export interface RemoteStop {
  /** "aborted": we closed the request first; the counts are the server's up to then (an API may throw instead). */
  readonly reason: "endOfGeneration" | "stopText" | "maxTokens" | "aborted";
  readonly promptTokens?: number;
  readonly cachedTokens?: number;
  readonly generatedTokens?: number;
  /** The server's own time for the request (reading the prompt and generating), when it reports it. */
  readonly serverMs?: number;
}

/** One inference server's API, as the engine needs it. Each method streams and honours `signal` by closing its request. */
export interface RemoteApi {
  /** Streams the completion of our FIM prompt; `onText` gets each new piece of text. */
  complete(
    prompt: readonly PromptPiece[], options: { readonly maxTokens: number; readonly stopTexts: readonly string[] },
    signal: AbortSignal, onText: (text: string) => void,
  ): Promise<RemoteStop>;
  /** Streams a chat answer (the server applies the model's chat template). */
  chat(conversation: ExplainConversation, maxTokens: number, signal: AbortSignal, onText: (text: string) => void): Promise<RemoteStop>;
  /** Resolves when the server answers and serves the model; rejects with an EngineError otherwise. */
  health(signal: AbortSignal): Promise<void>;
  /** Token counts for window budgets, without a request: learnt from what the server counted, where it says. */
  readonly tokenCount: LearntTokenCount;
  /** Starts what `complete` will need for this prompt besides generating (llama-server: tokenizing its pieces). */
  prepare?(prompt: readonly PromptPiece[]): void;
}

/** What opening the engine learnt about the server and its model. */
export interface RemoteModelFacts {
  readonly kind: RemoteEngineKind;
  readonly modelId: string;
  readonly contextSize: number;
  readonly fim: FimFamily;
  /** Parallel sequences the server runs (llama-server's slots), when it says. */
  readonly slots?: number;
}

/** Health changes: a problem while the server is down or refuses us, undefined once it answers again. */
export type HealthListener = (problem: ServerProblem | undefined) => void;

const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
/**
 * A completion still unfinished after this long is given up: the suggestion would come too late to be wanted, and a
 * shared server that busy (its slots full, the request queued) is better left to the requests that can still finish.
 * Giving up answers empty and frees the request's place; it is no outage, so completions go on at once.
 */
export const COMPLETION_DEADLINE_MS = 30_000;
/** Tokens a chat template adds around an empty system and user message, estimated. */
const CHAT_TEMPLATE_OVERHEAD_TOKENS = 24;

/**
 * A model served by a team's inference server. Generation streams over HTTP; aborting (a newer request, a settled
 * completion, a reload) closes the request, which the server takes as a cancellation. When the server cannot be
 * reached or refuses us, the engine says so once (naming the URL and the reason), answers every request at once with
 * nothing instead of piling them up, and probes the server with growing pauses (1 s, 2 s, 4 s … 30 s) until it is back.
 */
export class RemoteEngine implements Engine {
  readonly generator: TextGenerator;
  readonly explainer: ExplainGenerator;
  readonly fim: FimFamily;
  readonly status: ModelStatus;
  private readonly lifetime = new AbortController();
  private down: { error: EngineError; retries: number; timer: ReturnType<typeof setTimeout> | undefined } | undefined;

  constructor(
    private readonly api: RemoteApi,
    private readonly http: EngineHttp,
    readonly facts: RemoteModelFacts,
    private readonly onHealth: HealthListener,
    private readonly log: (message: string) => void,
    private readonly completionDeadlineMs = COMPLETION_DEADLINE_MS,
  ) {
    this.fim = facts.fim;
    this.status = {
      name: facts.modelId, path: http.describe(""), fimFamily: facts.fim.label,
      backend: "cpu", gpuDevices: [], gpuLayers: 0, totalLayers: 0, contextSize: facts.contextSize, threads: 0,
      engine: {
        kind: facts.kind, url: http.describe(""), host: http.hostLabel, model: facts.modelId,
        ...(facts.slots === undefined ? {} : { slots: facts.slots }),
      },
    };
    const countTokens = (text: string) => api.tokenCount.count(text);
    this.generator = {
      contextSize: facts.contextSize, countTokens, generate: (prompt, options) => this.generate(prompt, options),
      prepare: (prompt) => {
        if (this.down === undefined && !this.lifetime.signal.aborted) api.prepare?.(prompt);
      },
    };
    this.explainer = {
      modelName: facts.modelId, promptStyle: "chat", contextSize: facts.contextSize, templateOverheadTokens: CHAT_TEMPLATE_OVERHEAD_TOKENS,
      countTokens, explain: (conversation, options) => this.explain(conversation, options),
    };
  }

  /** The proxy the engine is reached through (without its credentials), for logs and Doctor. */
  get viaProxy(): string | undefined {
    return this.http.proxy === undefined ? undefined : proxyLabel(this.http.proxy);
  }

  /** How window budgets count tokens on this engine now, for Doctor. */
  get tokenCounting(): { charsPerToken: number; learnt: boolean } {
    return { charsPerToken: this.api.tokenCount.charsPerToken, learnt: this.api.tokenCount.isLearnt };
  }

  /** The reason requests fail now, while the server is down or refuses us. */
  get healthProblem(): ServerProblem | undefined {
    return this.down === undefined ? undefined : problemOf(this.down.error);
  }

  /** One health request now, for Doctor: its round trip, or why it failed. */
  async checkHealth(): Promise<{ ok: true; latencyMs: number } | { ok: false; reason: string }> {
    const startedAt = performance.now();
    try {
      await this.api.health(AbortSignal.any([this.lifetime.signal, AbortSignal.timeout(10_000)]));
      return { ok: true, latencyMs: performance.now() - startedAt };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  async dispose(): Promise<void> {
    this.lifetime.abort();
    clearTimeout(this.down?.timer);
    this.http.dispose();
  }

  private async generate(prompt: readonly PromptPiece[], options: GenerateOptions): Promise<GenerationResult> {
    if (this.lifetime.signal.aborted || this.down !== undefined || options.signal.aborted) return NOT_RUN;
    const startedAt = performance.now();
    let firstTextAt: number | undefined;
    let text = "";
    let ourStop: StopReason | undefined;
    const request = new AbortController();
    const deadline = AbortSignal.timeout(this.completionDeadlineMs);
    const signal = AbortSignal.any([options.signal, this.lifetime.signal, request.signal, deadline]);
    const onText = (piece: string) => {
      if (ourStop !== undefined || piece === "") return;
      firstTextAt ??= performance.now();
      text += piece;
      const stopAt = firstStopIndex(text, options.stopTexts);
      if (stopAt >= 0) {
        text = text.slice(0, stopAt);
        ourStop = "stopText";
      } else if (options.isSettled?.(text) === true) {
        ourStop = "settled";
      }
      if (ourStop !== undefined) request.abort();
    };
    let stop: RemoteStop | undefined;
    try {
      stop = await this.api.complete(prompt, { maxTokens: options.maxTokens, stopTexts: options.stopTexts }, signal, onText);
    } catch (error) {
      if (!isAbortError(error)) {
        this.fail(error);
        return { ...NOT_RUN, promptMs: performance.now() - startedAt };
      }
    }
    const endedAt = performance.now();
    if (deadline.aborted && ourStop === undefined && !options.signal.aborted) {
      this.log(`${this.http.describe("")} did not finish a completion within ${this.completionDeadlineMs / 1000} s ` +
        "(busy: all its slots in use, or a long prompt on a slow machine); it was given up.");
    }
    const stopReason: StopReason = ourStop ?? (stop === undefined ? "aborted" : stop.reason);
    const promptEndedAt = firstTextAt ?? endedAt;
    return {
      text: stopReason === "aborted" ? "" : text, stopReason,
      promptTokens: stop?.promptTokens ?? 0, reusedTokens: stop?.cachedTokens ?? 0, generatedTokens: stop?.generatedTokens ?? 0,
      promptMs: promptEndedAt - startedAt, generateMs: endedAt - promptEndedAt,
      ...(stop?.serverMs === undefined ? {} : { engineMs: stop.serverMs }),
    };
  }

  private async explain(conversation: ExplainConversation, options: ExplainGenerateOptions): Promise<ExplainGeneration> {
    if (this.down !== undefined) throw new ExplainModelError(this.down.error.message);
    if (this.lifetime.signal.aborted) throw new ExplainModelError("The engine was closed (its settings changed). Run Explain again.");
    const startedAt = performance.now();
    let firstTextAt: number | undefined;
    let text = "";
    const signal = AbortSignal.any([options.signal, this.lifetime.signal]);
    const result = (stopReason: ExplainGeneration["stopReason"], stop?: RemoteStop): ExplainGeneration => ({
      text, stopReason, promptTokens: stop?.promptTokens ?? 0, reusedTokens: stop?.cachedTokens ?? 0, generatedTokens: stop?.generatedTokens ?? 0,
      promptMs: (firstTextAt ?? performance.now()) - startedAt, firstTextMs: firstTextAt === undefined ? undefined : firstTextAt - startedAt,
      totalMs: performance.now() - startedAt,
    });
    try {
      const stop = await this.api.chat(conversation, options.maxTokens, signal, (piece) => {
        if (piece === "") return;
        firstTextAt ??= performance.now();
        text += piece;
        options.onText(piece);
      });
      return result(stop.reason === "maxTokens" ? "maxTokens" : "done", stop);
    } catch (error) {
      if (isAbortError(error)) {
        if (this.lifetime.signal.aborted && !options.signal.aborted) {
          throw new ExplainModelError("The engine was closed while explaining (its settings changed). Run Explain again.");
        }
        return result("aborted");
      }
      this.fail(error);
      throw new ExplainModelError(error instanceof Error ? error.message : String(error));
    }
  }

  /** A request failed: unless only this request was wrong, the server is down (or refuses us) until a probe says otherwise. */
  private fail(error: unknown): void {
    const engineError = error instanceof EngineError ? error : new EngineError("protocol", `${this.http.describe("")}: ${String(error)}`);
    if (engineError.kind === "badRequest" || engineError.kind === "protocol") {
      this.log(`The engine rejected a request: ${engineError.message}`);
      return;
    }
    if (this.down !== undefined || this.lifetime.signal.aborted) return;
    this.down = { error: engineError, retries: 0, timer: undefined };
    this.log(`${engineError.message} Completions pause until it answers again.`);
    this.onHealth(problemOf(engineError));
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    const down = this.down;
    if (down === undefined || this.lifetime.signal.aborted) return;
    const delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** down.retries);
    down.timer = setTimeout(() => void this.probe(), delay);
  }

  private async probe(): Promise<void> {
    const down = this.down;
    if (down === undefined) return;
    try {
      await this.api.health(this.lifetime.signal);
      if (this.lifetime.signal.aborted) return;
      this.down = undefined;
      this.log(`${this.http.describe("")} answers again after ${down.retries + 1} probe(s); completions resume.`);
      this.onHealth(undefined);
    } catch (error) {
      if (this.lifetime.signal.aborted) return;
      down.retries++;
      if (error instanceof EngineError && error.message !== down.error.message) {
        down.error = error;
        this.onHealth(problemOf(error));
      }
      this.scheduleProbe();
    }
  }
}

/** What the status bar and Doctor say about an engine failure. */
export function problemOf(error: EngineError): ServerProblem {
  const kind = error.kind === "auth" ? "engineAuth" : error.kind === "notFound" ? "engineModelNotFound" : error.isTransient ? "engineUnreachable" : "engineFailed";
  return { kind, message: error.message };
}
