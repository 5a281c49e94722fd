import * as path from "node:path";
import type { PromptPiece } from "../completion/fim/fimTypes";
import { abortError, EngineError, isAbortError, type EngineHttp } from "./http/EngineHttp";
import { streamChat, sseData } from "./openAiChat";
import { chooseContextSize } from "./engineContextSize";
import { LearntTokenCount } from "./learntTokenCount";
import type { RemoteApi, RemoteModelFacts, RemoteStop } from "./RemoteEngine";
import { fimFamilyByTokens } from "./remoteFim";

interface Props {
  readonly default_generation_settings?: { readonly n_ctx?: number };
  readonly total_slots?: number;
  readonly model_alias?: string;
  readonly model_path?: string;
}

interface CompletionChunk {
  readonly content?: string;
  readonly stop?: boolean;
  readonly stop_type?: string;
  readonly tokens_evaluated?: number;
  readonly tokens_cached?: number;
  readonly timings?: CompletionTimings;
}

interface CompletionTimings {
  readonly prompt_n?: number;
  readonly predicted_n?: number;
  readonly cache_n?: number;
  readonly prompt_ms?: number;
  readonly predicted_ms?: number;
}

/** Prompt pieces whose tokens are remembered: the stable head of the prompt repeats on every keystroke. */
const TOKEN_CACHE_ENTRIES = 256;
/** Tokenized once at open, so window budgets use the server's own tokenizer from the first completion on. */
const CALIBRATION_TEXT = `import { readFile } from "node:fs/promises";

export interface Settings {
  readonly path: string;
  readonly retries: number;
}

/** Reads the settings file, trying again when it is locked. */
export async function loadSettings(path: string, retries = 3): Promise<Settings> {
  for (let attempt = 0; ; attempt++) {
    try {
      const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<Settings>;
      return { path, retries: parsed.retries ?? retries };
    } catch (error) {
      if (attempt >= retries) throw new Error(\`Cannot read \${path}: \${String(error)}\`);
    }
  }
}
`;

/**
 * llama.cpp's own server. Prompts go token-exact to `/completion` as token ids (each piece tokenized by the server's
 * `/tokenize`, control tokens parsed only in our special pieces, so a document cannot inject one), with
 * `cache_prompt` so the server keeps the KV cache of the prompt's unchanged head between keystrokes.
 * Explanations stream from `/v1/chat/completions` through the model's chat template.
 */
export class LlamaServerApi implements RemoteApi {
  /** Tokens by piece, also while the /tokenize request is in flight, so a prepared piece is never asked for twice. */
  private readonly tokenCache = new Map<string, Promise<readonly number[]>>();
  readonly tokenCount = new LearntTokenCount();

  private constructor(private readonly http: EngineHttp, private readonly leadingTokens: readonly number[]) {}

  static async open(http: EngineHttp, contextSetting: number, signal: AbortSignal): Promise<{ api: LlamaServerApi; facts: RemoteModelFacts }> {
    await health(http, signal);
    const props = await http.json<Props>("GET", "props", undefined, signal);
    const modelId = props.model_alias || (props.model_path ? path.basename(props.model_path) : "") || "llama-server model";
    // What the server puts in front of a tokenized text (BOS for models that add one): token-id prompts get it from us.
    const leading = await tokenize(http, "", true, false, signal);
    const api = new LlamaServerApi(http, leading);
    api.tokenCount.observe(CALIBRATION_TEXT.length, (await tokenize(http, CALIBRATION_TEXT, false, false, signal)).length);
    const fim = await fimFamilyByTokens(modelId, (text) => api.isSingleToken(text, signal));
    if (fim === undefined) {
      throw new EngineError("badRequest",
        `${modelId} on ${http.describe("")} has no fill-in-the-middle (FIM) tokens, so it cannot do inline completion. ` +
          "Serve a FIM-capable base code model (Qwen2.5-Coder base, DeepSeek-Coder base, StarCoder2…).");
    }
    const contextSize = props.default_generation_settings?.n_ctx;
    return {
      api,
      facts: {
        kind: "llama-server", modelId, fim, contextSize: chooseContextSize(contextSize, contextSetting),
        ...(typeof props.total_slots === "number" ? { slots: props.total_slots } : {}),
      },
    };
  }

  async complete(
    prompt: readonly PromptPiece[], options: { readonly maxTokens: number; readonly stopTexts: readonly string[] },
    signal: AbortSignal, onText: (text: string) => void,
  ): Promise<RemoteStop> {
    const pieces = await untilAborted(Promise.all(prompt.map((piece) => this.tokensOf(piece))), signal);
    const tokens = [...this.leadingTokens, ...pieces.flat()];
    const where = this.http.describe("completion");
    let last: CompletionChunk | undefined;
    // Every chunk carries the server's counts so far (timings_per_token), so a request we close early still knows them.
    let timings: CompletionTimings | undefined;
    try {
      await this.http.lines("completion", {
        prompt: tokens, n_predict: options.maxTokens, stop: options.stopTexts, stream: true, cache_prompt: true,
        temperature: 0, top_k: 1, samplers: ["top_k"], timings_per_token: true,
      }, signal, (line) => {
        const chunk = sseData<CompletionChunk>(line, where);
        if (chunk === undefined) return;
        if (typeof chunk.content === "string" && chunk.content !== "") onText(chunk.content);
        if (chunk.timings !== undefined) timings = chunk.timings;
        if (chunk.stop === true) last = chunk;
      });
    } catch (error) {
      if (!isAbortError(error) || timings === undefined) throw error;
      return { reason: "aborted", ...counts(timings, tokens.length) };
    }
    return {
      reason: last?.stop_type === "limit" ? "maxTokens" : last?.stop_type === "word" ? "stopText" : "endOfGeneration",
      ...counts(timings, tokens.length),
    };
  }

  prepare(prompt: readonly PromptPiece[]): void {
    // A failure (the server down) surfaces in complete(), which asks again.
    for (const piece of prompt) this.tokensOf(piece).catch(() => undefined);
  }

  chat(conversation: Parameters<RemoteApi["chat"]>[0], maxTokens: number, signal: AbortSignal, onText: (text: string) => void): Promise<RemoteStop> {
    return streamChat(this.http, undefined, conversation, maxTokens, signal, onText);
  }

  health(signal: AbortSignal): Promise<void> {
    return health(this.http, signal);
  }

  private async isSingleToken(text: string, signal: AbortSignal): Promise<boolean> {
    return (await tokenize(this.http, text, false, true, signal)).length === 1;
  }

  /**
   * A piece's tokens, shared by every request that needs them: the /tokenize request is not tied to one caller's abort
   * signal (a keystroke that supersedes the request that started it must not fail the next one waiting for it).
   */
  private tokensOf(piece: PromptPiece): Promise<readonly number[]> {
    const key = `${piece.kind}:${piece.text}`;
    const cached = this.tokenCache.get(key);
    if (cached !== undefined) {
      this.tokenCache.delete(key);
      this.tokenCache.set(key, cached);
      return cached;
    }
    const tokens = tokenize(this.http, piece.text, false, piece.kind === "special").then((ids) => {
      // Exact counts for real prompt text keep the budgets' ratio true to this model's tokenizer and this code.
      if (piece.kind === "text") this.tokenCount.observe(piece.text.length, ids.length);
      return ids;
    });
    this.tokenCache.set(key, tokens);
    // A failed request is forgotten, so the next one asks again instead of sharing the failure.
    tokens.catch(() => {
      if (this.tokenCache.get(key) === tokens) this.tokenCache.delete(key);
    });
    if (this.tokenCache.size > TOKEN_CACHE_ENTRIES) this.tokenCache.delete(this.tokenCache.keys().next().value as string);
    return tokens;
  }
}

/** What the server counted for a request: prompt tokens (those it took from its cache), generated tokens, its own time. */
function counts(timings: CompletionTimings | undefined, promptLength: number): Omit<RemoteStop, "reason"> {
  return {
    promptTokens: timings?.prompt_n !== undefined && timings.cache_n !== undefined ? timings.prompt_n + timings.cache_n : promptLength,
    ...(timings?.cache_n === undefined ? {} : { cachedTokens: timings.cache_n }),
    ...(timings?.predicted_n === undefined ? {} : { generatedTokens: timings.predicted_n }),
    ...(timings?.prompt_ms === undefined ? {} : { serverMs: timings.prompt_ms + (timings.predicted_ms ?? 0) }),
  };
}

async function health(http: EngineHttp, signal: AbortSignal): Promise<void> {
  try {
    await http.json("GET", "health", undefined, signal);
  } catch (error) {
    // 503 while the server is still loading its model: down for now, back by itself.
    if (error instanceof EngineError && error.status === 503) throw new EngineError("server", `${http.describe("health")}: the server is still loading its model.`, 503);
    throw error;
  }
}

/** `work`'s result, or an AbortError as soon as `signal` aborts (the work itself goes on for whoever else awaits it). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError());
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function tokenize(http: EngineHttp, content: string, addSpecial: boolean, parseSpecial: boolean, signal?: AbortSignal): Promise<number[]> {
  if (content === "" && !addSpecial) return [];
  const answer = await http.json<{ tokens?: unknown[] }>("POST", "tokenize", { content, add_special: addSpecial, parse_special: parseSpecial }, signal);
  if (!Array.isArray(answer.tokens)) throw new EngineError("protocol", `${http.describe("tokenize")} answered no tokens.`);
  return answer.tokens.map((token) => (typeof token === "number" ? token : (token as { id: number }).id));
}
