import type { PromptPiece } from "../completion/fim/fimTypes";
import { EngineError, type EngineHttp } from "./http/EngineHttp";
import { streamChat, sseData } from "./openAiChat";
import type { RemoteApi, RemoteModelFacts, RemoteStop } from "./RemoteEngine";
import { fimFamilyByName, type NamedFimFamily } from "./remoteFim";

interface ModelList {
  readonly data?: ReadonlyArray<{ readonly id?: string; readonly max_model_len?: number }>;
}

interface CompletionChunk {
  readonly choices?: ReadonlyArray<{ readonly text?: string; readonly finish_reason?: string | null }>;
  readonly usage?: { readonly prompt_tokens?: number; readonly completion_tokens?: number } | null;
  readonly error?: { readonly message?: string };
}

/** A context size to assume when the server does not state one (vLLM does, as `max_model_len`). */
const ASSUMED_CONTEXT_SIZE = 4096;
/** The OpenAI API takes at most four stop sequences; our own check applies the rest as the text streams. */
const MAX_STOP_SEQUENCES = 4;

/**
 * Any OpenAI-compatible server (vLLM, TGI, LM Studio, llama-server): our FIM prompt goes as raw text to
 * `/v1/completions` (the server's tokenizer reads the control tokens in it), explanations to `/v1/chat/completions`.
 * The model comes from `/v1/models`; its FIM family from the model id or `pocketCoder.engine.fimFamily`.
 */
export class OpenAiApi implements RemoteApi {
  private constructor(private readonly http: EngineHttp, private readonly model: string) {}

  static async open(
    http: EngineHttp, wanted: string, fimSetting: NamedFimFamily | "auto", signal: AbortSignal,
  ): Promise<{ api: OpenAiApi; facts: RemoteModelFacts }> {
    const list = await http.json<ModelList>("GET", "v1/models", undefined, signal);
    const models = (list.data ?? []).filter((entry): entry is { id: string; max_model_len?: number } => typeof entry.id === "string");
    const entry = wanted === "" ? models[0] : models.find((model) => model.id === wanted);
    if (entry === undefined) {
      const served = models.map((model) => model.id).join(", ") || "none";
      throw new EngineError("notFound", wanted === ""
        ? `${http.describe("v1/models")} lists no model.`
        : `${http.describe("")} does not serve the model "${wanted}" (pocketCoder.engine.model); it serves: ${served}.`);
    }
    const fim = fimFamilyByName(entry.id, fimSetting);
    if (fim === undefined) {
      throw new EngineError("badRequest",
        `Cannot tell the FIM prompt format of "${entry.id}" from its name. Set pocketCoder.engine.fimFamily (e.g. "qwen2.5-coder").`);
    }
    return {
      api: new OpenAiApi(http, entry.id),
      facts: { kind: "openai", modelId: entry.id, fim, contextSize: entry.max_model_len ?? ASSUMED_CONTEXT_SIZE },
    };
  }

  async complete(
    prompt: readonly PromptPiece[], options: { readonly maxTokens: number; readonly stopTexts: readonly string[] },
    signal: AbortSignal, onText: (text: string) => void,
  ): Promise<RemoteStop> {
    const where = this.http.describe("v1/completions");
    let finish: string | undefined;
    let usage: CompletionChunk["usage"];
    await this.http.lines("v1/completions", {
      model: this.model, prompt: prompt.map((piece) => piece.text).join(""), max_tokens: options.maxTokens, temperature: 0,
      stream: true, stream_options: { include_usage: true },
      ...(options.stopTexts.length === 0 ? {} : { stop: options.stopTexts.slice(0, MAX_STOP_SEQUENCES) }),
    }, signal, (line) => {
      const chunk = sseData<CompletionChunk>(line, where);
      if (chunk === undefined) return;
      if (chunk.error !== undefined) throw new EngineError("server", `${where} failed mid-answer: ${chunk.error.message ?? "unknown error"}`);
      const choice = chunk.choices?.[0];
      if (typeof choice?.text === "string" && choice.text !== "") onText(choice.text);
      if (typeof choice?.finish_reason === "string") finish = choice.finish_reason;
      if (chunk.usage) usage = chunk.usage;
    });
    return {
      reason: finish === "length" ? "maxTokens" : "endOfGeneration",
      ...(usage?.prompt_tokens === undefined ? {} : { promptTokens: usage.prompt_tokens }),
      ...(usage?.completion_tokens === undefined ? {} : { generatedTokens: usage.completion_tokens }),
    };
  }

  chat(conversation: Parameters<RemoteApi["chat"]>[0], maxTokens: number, signal: AbortSignal, onText: (text: string) => void): Promise<RemoteStop> {
    return streamChat(this.http, this.model, conversation, maxTokens, signal, onText);
  }

  async health(signal: AbortSignal): Promise<void> {
    const list = await this.http.json<ModelList>("GET", "v1/models", undefined, signal);
    if (!(list.data ?? []).some((entry) => entry.id === this.model)) {
      throw new EngineError("notFound", `${this.http.describe("")} no longer serves the model "${this.model}".`);
    }
  }
}
