import type { PromptPiece } from "../completion/fim/fimTypes";
import { EngineError, type EngineHttp } from "./http/EngineHttp";
import { streamChat, streamOpenAi } from "./openAiChat";
import { chooseContextSize } from "./engineContextSize";
import { LearntTokenCount } from "./learntTokenCount";
import type { RemoteApi, RemoteModelFacts, RemoteStop } from "./RemoteEngine";
import { fimFamilyByName, type NamedFimFamily } from "./remoteFim";

interface ModelList {
  readonly data?: ReadonlyArray<{ readonly id?: string; readonly max_model_len?: number }>;
}

/** The OpenAI API takes at most four stop sequences; our own check applies the rest as the text streams. */
const MAX_STOP_SEQUENCES = 4;

/**
 * Any OpenAI-compatible server (vLLM, TGI, LM Studio, llama-server): our FIM prompt goes as raw text to
 * `/v1/completions` (the server's tokenizer reads the control tokens in it), explanations to `/v1/chat/completions`.
 * The model comes from `/v1/models`; its FIM family from the model id or `pocketCoder.engine.fimFamily`.
 */
export class OpenAiApi implements RemoteApi {
  readonly tokenCount = new LearntTokenCount();

  private constructor(private readonly http: EngineHttp, private readonly model: string) {}

  static async open(
    http: EngineHttp, wanted: string, fimSetting: NamedFimFamily | "auto", contextSetting: number, signal: AbortSignal,
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
      // vLLM states max_model_len; TGI and LM Studio do not (then the setting, or an assumption).
      facts: { kind: "openai", modelId: entry.id, fim, contextSize: chooseContextSize(entry.max_model_len, contextSetting) },
    };
  }

  async complete(
    prompt: readonly PromptPiece[], options: { readonly maxTokens: number; readonly stopTexts: readonly string[] },
    signal: AbortSignal, onText: (text: string) => void,
  ): Promise<RemoteStop> {
    const stop = await streamOpenAi(this.http, "v1/completions", {
      model: this.model, prompt: prompt.map((piece) => piece.text).join(""), max_tokens: options.maxTokens, temperature: 0,
      ...(options.stopTexts.length === 0 ? {} : { stop: options.stopTexts.slice(0, MAX_STOP_SEQUENCES) }),
    }, signal, onText);
    // usage.prompt_tokens counts the whole prompt: less one token per control token, the rest is the text's.
    if (stop.promptTokens !== undefined) {
      const text = prompt.filter((piece) => piece.kind === "text");
      this.tokenCount.observe(text.reduce((sum, piece) => sum + piece.text.length, 0), stop.promptTokens - (prompt.length - text.length));
    }
    return stop;
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
