import type { PromptPiece } from "../completion/fim/fimTypes";
import { EngineError, type EngineHttp } from "./http/EngineHttp";
import { chooseContextSize, OLLAMA_AUTO_CONTEXT_LIMIT } from "./engineContextSize";
import { LearntTokenCount } from "./learntTokenCount";
import type { RemoteApi, RemoteModelFacts, RemoteStop } from "./RemoteEngine";
import { fimFamilyByName, type NamedFimFamily } from "./remoteFim";

export interface ShowResponse {
  readonly model_info?: Record<string, unknown>;
  readonly details?: { readonly family?: string };
}

interface StreamLine {
  readonly response?: string;
  readonly message?: { readonly content?: string };
  readonly done?: boolean;
  readonly done_reason?: string;
  readonly prompt_eval_count?: number;
  readonly eval_count?: number;
  readonly error?: string;
}


/**
 * Ollama: our FIM prompt as-is to `/api/generate` with `raw: true` (no template, the model's tokenizer reads our
 * control tokens), explanations from `/api/chat`, model facts from `/api/show`. Answers stream as NDJSON.
 */
export class OllamaApi implements RemoteApi {
  /** Stays at the default ratio: Ollama has no tokenize endpoint, and prompt_eval_count leaves out what it had cached. */
  readonly tokenCount = new LearntTokenCount();

  private constructor(private readonly http: EngineHttp, private readonly model: string, private readonly contextSize: number) {}

  static async open(
    http: EngineHttp, model: string, fimSetting: NamedFimFamily | "auto", contextSetting: number, signal: AbortSignal,
  ): Promise<{ api: OllamaApi; facts: RemoteModelFacts }> {
    if (model === "") throw new EngineError("notFound", `Set pocketCoder.engine.model to the Ollama model to use (e.g. "qwen2.5-coder:1.5b-base").`);
    let shown: ShowResponse;
    try {
      shown = await http.json<ShowResponse>("POST", "api/show", { model }, signal);
    } catch (error) {
      if (error instanceof EngineError && error.kind === "notFound") {
        throw new EngineError("notFound", `${http.describe("")} does not have the model "${model}" (pocketCoder.engine.model). Run \`ollama pull ${model}\` there.`);
      }
      throw error;
    }
    const fim = fimFamilyByName(model, fimSetting);
    if (fim === undefined) {
      throw new EngineError("badRequest",
        `Cannot tell the FIM prompt format of "${model}" from its name. Set pocketCoder.engine.fimFamily (e.g. "qwen2.5-coder").`);
    }
    // The num_ctx we ask for is the same on every request: Ollama reloads a model whose num_ctx changes.
    const contextSize = chooseContextSize(modelContextLength(shown), contextSetting, OLLAMA_AUTO_CONTEXT_LIMIT);
    return { api: new OllamaApi(http, model, contextSize), facts: { kind: "ollama", modelId: model, fim, contextSize } };
  }

  complete(
    prompt: readonly PromptPiece[], options: { readonly maxTokens: number; readonly stopTexts: readonly string[] },
    signal: AbortSignal, onText: (text: string) => void,
  ): Promise<RemoteStop> {
    return this.stream("api/generate", {
      model: this.model, prompt: prompt.map((piece) => piece.text).join(""), raw: true, stream: true,
      options: { temperature: 0, top_k: 1, num_predict: options.maxTokens, num_ctx: this.contextSize, ...(options.stopTexts.length === 0 ? {} : { stop: options.stopTexts }) },
    }, signal, onText);
  }

  chat(conversation: Parameters<RemoteApi["chat"]>[0], maxTokens: number, signal: AbortSignal, onText: (text: string) => void): Promise<RemoteStop> {
    return this.stream("api/chat", {
      model: this.model, stream: true,
      messages: [{ role: "system", content: conversation.system }, { role: "user", content: conversation.user }],
      options: { temperature: 0, num_predict: maxTokens, num_ctx: this.contextSize },
    }, signal, onText);
  }

  async health(signal: AbortSignal): Promise<void> {
    await this.http.json("GET", "api/version", undefined, signal);
  }

  private async stream(path: string, body: unknown, signal: AbortSignal, onText: (text: string) => void): Promise<RemoteStop> {
    const where = this.http.describe(path);
    let last: StreamLine | undefined;
    await this.http.lines(path, body, signal, (line) => {
      let parsed: StreamLine;
      try {
        parsed = JSON.parse(line) as StreamLine;
      } catch {
        throw new EngineError("protocol", `${where} sent a line that is not JSON: ${line.slice(0, 80)}`);
      }
      if (parsed.error !== undefined) throw new EngineError("server", `${where} failed mid-answer: ${parsed.error}`);
      const text = parsed.response ?? parsed.message?.content;
      if (typeof text === "string" && text !== "") onText(text);
      if (parsed.done === true) last = parsed;
    });
    return {
      reason: last?.done_reason === "length" ? "maxTokens" : "endOfGeneration",
      ...(last?.prompt_eval_count === undefined ? {} : { promptTokens: last.prompt_eval_count }),
      ...(last?.eval_count === undefined ? {} : { generatedTokens: last.eval_count }),
    };
  }
}

/** The model's trained context from /api/show: `model_info["<architecture>.context_length"]`. */
export function modelContextLength(shown: ShowResponse): number | undefined {
  const info = shown.model_info ?? {};
  const architecture = info["general.architecture"];
  const own = typeof architecture === "string" ? info[`${architecture}.context_length`] : undefined;
  if (typeof own === "number") return own;
  const any = Object.entries(info).find(([key, value]) => key.endsWith(".context_length") && typeof value === "number");
  return any?.[1] as number | undefined;
}
