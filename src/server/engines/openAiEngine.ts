import type { PromptPiece } from "../completion/fim/fimTypes";
import { EngineError, type EngineHttp } from "./http/EngineHttp";
import { streamChat, streamOpenAi } from "./openAiChat";
import type { RemoteApi, RemoteModelFacts, RemoteStop } from "./RemoteEngine";
import { fimFamilyByName, type NamedFimFamily } from "./remoteFim";

interface ModelList {
  readonly data?: ReadonlyArray<{ readonly id?: string; readonly max_model_len?: number }>;
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

  complete(
    prompt: readonly PromptPiece[], options: { readonly maxTokens: number; readonly stopTexts: readonly string[] },
    signal: AbortSignal, onText: (text: string) => void,
  ): Promise<RemoteStop> {
    return streamOpenAi(this.http, "v1/completions", {
      model: this.model, prompt: prompt.map((piece) => piece.text).join(""), max_tokens: options.maxTokens, temperature: 0,
      ...(options.stopTexts.length === 0 ? {} : { stop: options.stopTexts.slice(0, MAX_STOP_SEQUENCES) }),
    }, signal, onText);
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
