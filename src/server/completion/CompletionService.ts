import { abortableDelay } from "./abortableDelay";
import { AdaptiveDebounce } from "./AdaptiveDebounce";
import { CompletionCache, type CachedCompletion, type CompletionCacheKey } from "./CompletionCache";
import {
  completeAtCursor, generateCompletion, prepareCompletion, type CompletionBudget, type CompletionOutcome, type CompletionRequest,
  type FimModel, type PreparedCompletion, type PromptAnchorSlot,
} from "./CompletionEngine";
import { InFlightGeneration } from "./InFlightGeneration";
import { LatestRequestGate, type RequestTurn } from "./LatestRequestGate";
import type { StopReason } from "./textGenerator";

/** What one request cost, for logs and the benchmark. */
export interface CompletionStats {
  /** inFlight: the request typed along with a running generation and was answered from its result. */
  readonly source: "model" | "cache" | "speculation" | "inFlight";
  readonly debounceMs: number;
  readonly promptTokens: number;
  readonly reusedTokens: number;
  readonly evaluatedTokens: number;
  readonly generatedTokens: number;
  /** Why generation ended ("settled": more tokens could not change the result); absent when the model did not run. */
  readonly stopReason?: StopReason;
  /** Waiting for an older generation to stop. */
  readonly queuedMs: number;
  /** The model's own time: KV-cache alignment, prefill, decoding. */
  readonly modelMs: number;
  /** Windowing and prompt building, tokenizing the prompt, post-processing. */
  readonly prepareMs?: number;
  readonly tokenizeMs?: number;
  readonly postProcessMs?: number;
  /** Parts of modelMs: KV-cache alignment, prompt reading, decoding (first generated token on). */
  readonly alignMs?: number;
  readonly prefillMs?: number;
  readonly decodeMs?: number;
  /** A remote engine's own time (its reported prompt and generation time), part of modelMs. */
  readonly engineMs?: number;
  /** From the request's arrival to its answer; what is not debounce, queue or model time is this server's overhead. */
  readonly totalMs: number;
}

export type ServedOutcome =
  | { readonly kind: "completion"; readonly insertText: string; readonly replaceSuffixChars: number; readonly stats?: CompletionStats }
  | { readonly kind: "empty"; readonly reason: string; readonly stats?: CompletionStats };

/** How long a generation whose request was cancelled waits for the next request to type along (the editor cancels first, then asks again). */
const TYPE_ALONG_GRACE_MS = 150;

const CACHE_PREFIX_CHARS = 2000;
const CACHE_SUFFIX_CHARS = 1000;

/**
 * Serves completions the fast way first: a cached or speculated result (type-through included)
 * costs no model call; otherwise the newest request waits out a typing-speed debounce, then runs
 * on the model while any older one is aborted. After a completion is shown, the completion that
 * would follow its acceptance is computed in the background, so Tab-Tab-Tab needs no wait.
 * One service per loaded model: its cache, prompt anchor and in-flight generation describe that model only.
 */
export class CompletionService {
  private readonly gate = new LatestRequestGate();
  private readonly debounce = new AdaptiveDebounce();
  private readonly cache = new CompletionCache({ prefixKeyChars: CACHE_PREFIX_CHARS, suffixKeyChars: CACHE_SUFFIX_CHARS });
  /** The model runs one generation at a time on one warm sequence: the last prompt's boundaries are what it caches. */
  private readonly anchorSlot: PromptAnchorSlot = { anchor: undefined };
  private inFlight: InFlightGeneration | undefined;
  private disposed = false;

  constructor(private readonly model: FimModel, private readonly now: () => number = () => performance.now()) {}

  async complete(request: CompletionRequest, budget: CompletionBudget, callerSignal: AbortSignal): Promise<ServedOutcome> {
    if (this.disposed) return { kind: "empty", reason: "model unloaded" };
    const startedAt = this.now();
    const key = cacheKey(request.text, request.offset);
    const hit = request.selectedCompletionText === undefined ? this.cache.lookup(key) : undefined;
    const typingDebounceMs = this.debounce.delayFor(startedAt);
    // A key press that asks for a suggestion is no keystroke that more typing may make moot.
    const debounceMs = request.invoked === true ? 0 : typingDebounceMs;
    if (hit !== undefined) {
      this.gate.abortAll();
      return this.answerFromCache(hit, "cache", startedAt);
    }

    const alongside = await this.typeAlong(request, key, callerSignal, startedAt);
    if (alongside !== undefined) return alongside;

    const turn = this.gate.begin(callerSignal);
    try {
      // Cross-file context is gathered here, past the cache, and within the debounce like the windowing below.
      if (request.gatherContext !== undefined) {
        request = { ...request, gatherContext: undefined, extraContext: await request.gatherContext(turn.signal) };
        if (turn.signal.aborted) return { kind: "empty", reason: "aborted" };
      }

      // Windowing and prompt building happen while the debounce runs: the request pays for one, not both.
      const prepared = prepareCompletion(this.model, request, budget, this.anchorSlot.anchor);
      if (prepared.kind === "empty") return prepared;
      this.model.generator.prepare?.(prepared.prompt);
      if (!(await abortableDelay(debounceMs - (this.now() - startedAt), turn.signal))) return { kind: "empty", reason: "aborted" };
      const outcome = await this.generateInFlight(request, budget, prepared, key, turn, callerSignal);
      const generation = outcome.generation;
      const stats: CompletionStats | undefined = generation && {
        source: "model", debounceMs,
        promptTokens: generation.promptTokens, reusedTokens: generation.reusedTokens,
        evaluatedTokens: generation.promptTokens - generation.reusedTokens, generatedTokens: generation.generatedTokens,
        stopReason: generation.stopReason, queuedMs: generation.queuedMs ?? 0,
        modelMs: generation.promptMs - (generation.tokenizeMs ?? 0) + generation.generateMs,
        ...(outcome.timings === undefined ? {} : { prepareMs: outcome.timings.prepareMs, postProcessMs: outcome.timings.postProcessMs }),
        ...(generation.tokenizeMs === undefined ? {} : { tokenizeMs: generation.tokenizeMs }),
        ...(generation.alignMs === undefined ? {} : { alignMs: generation.alignMs }),
        ...(generation.prefillMs === undefined ? {} : { prefillMs: generation.prefillMs }),
        ...(generation.engineMs === undefined ? {} : { engineMs: generation.engineMs }),
        decodeMs: generation.generateMs,
        totalMs: this.now() - startedAt,
      };
      if (outcome.kind === "completion") {
        this.speculateAfterAcceptance(request, budget, outcome.insertText, outcome.replaceSuffixChars);
      }
      const served: ServedOutcome = outcome.kind === "completion"
        ? { kind: "completion", insertText: outcome.insertText, replaceSuffixChars: outcome.replaceSuffixChars }
        : { kind: "empty", reason: outcome.reason };
      return stats === undefined ? served : { ...served, stats };
    } finally {
      turn.end();
    }
  }

  /**
   * Runs the prepared prompt as the in-flight generation: once it runs, the caller's cancellation no longer aborts it
   * directly but releases it, so that a request typing along can take it over (InFlightGeneration). Its result goes
   * into the cache whoever waits for it.
   */
  private async generateInFlight(
    request: CompletionRequest, budget: CompletionBudget, prepared: PreparedCompletion, key: CompletionCacheKey,
    turn: RequestTurn, callerSignal: AbortSignal,
  ): Promise<CompletionOutcome> {
    turn.detachCaller();
    let settle = (): void => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    const flight = new InFlightGeneration(request.text, request.offset, settled, () => turn.abort(), TYPE_ALONG_GRACE_MS);
    this.inFlight = flight;
    const onCallerAbort = () => flight.release();
    callerSignal.addEventListener("abort", onCallerAbort, { once: true });
    if (callerSignal.aborted) onCallerAbort();
    try {
      const outcome = await generateCompletion(this.model, request, budget, prepared, turn.signal, this.anchorSlot, (written) => flight.observe(written));
      if (outcome.kind === "completion") this.cache.set(key, { insertText: outcome.insertText, replaceSuffixChars: outcome.replaceSuffixChars });
      return outcome;
    } finally {
      callerSignal.removeEventListener("abort", onCallerAbort);
      flight.ended();
      if (this.inFlight === flight) this.inFlight = undefined;
      settle();
    }
  }

  /**
   * When the user typed only what the in-flight generation has already written, waits for it instead of aborting it,
   * and answers from its result (the cache's type-through). Undefined: serve the request the usual way.
   */
  private async typeAlong(
    request: CompletionRequest, key: CompletionCacheKey, callerSignal: AbortSignal, startedAt: number,
  ): Promise<ServedOutcome | undefined> {
    const flight = this.inFlight;
    if (flight === undefined || request.selectedCompletionText !== undefined || callerSignal.aborted) return undefined;
    if (flight.typedAlong(request) === undefined) return undefined;
    flight.hold();
    const onCallerAbort = () => flight.release();
    callerSignal.addEventListener("abort", onCallerAbort, { once: true });
    try {
      await flight.settled;
    } finally {
      callerSignal.removeEventListener("abort", onCallerAbort);
    }
    if (callerSignal.aborted) return { kind: "empty", reason: "aborted" };
    const hit = this.cache.lookup(key);
    return hit === undefined ? undefined : this.answerFromCache(hit, "inFlight", startedAt);
  }

  /** A cached result as the answer: no model time of its own. */
  private answerFromCache(hit: CachedCompletion, source: "cache" | "inFlight", startedAt: number): ServedOutcome {
    return {
      kind: "completion", insertText: hit.insertText, replaceSuffixChars: hit.replaceSuffixChars,
      stats: {
        source, debounceMs: 0, promptTokens: 0, reusedTokens: 0, evaluatedTokens: 0, generatedTokens: 0, queuedMs: 0, modelMs: 0,
        totalMs: this.now() - startedAt,
      },
    };
  }

  /** Aborts what runs (a request, a speculation) and answers every later request with nothing: the model is going away. */
  dispose(): void {
    this.disposed = true;
    this.gate.abortAll();
    this.cache.clear();
  }

  /**
   * Computes, in the background, the completion the user will be offered right after accepting
   * `insertText`. It runs as the newest request, so any real request aborts it at once.
   */
  private speculateAfterAcceptance(
    request: CompletionRequest, budget: CompletionBudget, insertText: string, replaceSuffixChars: number,
  ): void {
    const text = request.text.slice(0, request.offset) + insertText + request.text.slice(request.offset + replaceSuffixChars);
    const accepted: CompletionRequest = { ...request, text, offset: request.offset + insertText.length };
    const turn = this.gate.begin();
    // After this request's answer has gone out: preparing a prompt takes milliseconds the user should not wait for.
    setTimeout(() => {
      if (turn.signal.aborted) {
        turn.end();
        return;
      }
      void completeAtCursor(this.model, accepted, budget, turn.signal, this.anchorSlot)
        .then((outcome) => {
          if (outcome.kind === "completion") {
            this.cache.set(cacheKey(accepted.text, accepted.offset), { insertText: outcome.insertText, replaceSuffixChars: outcome.replaceSuffixChars });
          }
        }, () => undefined)
        .finally(() => turn.end());
    }, 0);
  }
}

function cacheKey(text: string, offset: number): CompletionCacheKey {
  return {
    prefix: text.slice(Math.max(0, offset - CACHE_PREFIX_CHARS), offset),
    suffix: text.slice(offset, offset + CACHE_SUFFIX_CHARS),
  };
}
