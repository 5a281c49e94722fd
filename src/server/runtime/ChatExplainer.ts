import type {
  ChatHistoryItem,
  ChatWrapper,
  ChatWrapperGenerateContextStateOptions,
  ChatWrapperGeneratedContextState,
  LlamaChat,
} from "node-llama-cpp" with { "resolution-mode": "import" };
import {
  ExplainModelError,
  type ExplainConversation,
  type ExplainGenerateOptions,
  type ExplainGeneration,
  type ExplainGenerator,
} from "../explain/explainGenerator";
import type { CompletionPriority } from "./CompletionPriority";
import { errorText } from "./inspectModelFile";
import type { LlamaContext, LlamaContextSequence, LlamaModel, NodeLlamaCppModule, Token } from "./nodeLlamaCpp";

/**
 * Prompt tokens evaluated per step before generation starts. llama.cpp ignores an abort while it evaluates one
 * batch, so the prompt is fed in chunks and the signal is checked between them (as in LoadedModel).
 */
const PREFILL_CHUNK_TOKENS = 256;
/**
 * Completions run at node-llama-cpp's default priority (5). When both sequences queue more tokens than one
 * batch holds, completions get the larger share; each sequence always gets some of every batch.
 */
const EXPLAIN_EVALUATION_PRIORITY = 3;

/** The plain prompt's last line: a base model continues after it with the explanation. */
export const PLAIN_PROMPT_ANSWER_HEADING = "### Explanation\n";

/**
 * Explanations on one context sequence of a loaded model, one at a time. Chat models are prompted through
 * their GGUF chat template (`tokenizer.chat_template`, resolved by node-llama-cpp to a specialised chat wrapper
 * or its Jinja wrapper); base models without a template get a plain-text prompt that ends with
 * "### Explanation". Generation is greedy, streamed as it decodes, and abortable during prompt evaluation too.
 *
 * The sequence is its own: when the explainer shares the completion model's context, it uses that context's
 * second sequence, so an explanation never touches the completion sequence's KV cache and llama.cpp batches the
 * two together.
 */
export class ChatExplainer implements ExplainGenerator {
  readonly promptStyle: "chat" | "plain";
  readonly templateOverheadTokens: number;
  private readonly chat: LlamaChat;
  private readonly lifetime = new AbortController();
  private tail: Promise<unknown> = Promise.resolve();
  /** The running explanation's abort signal (its caller's and the explainer's lifetime), which also ends a wait for completions. */
  private runningSignal: AbortSignal = this.lifetime.signal;

  constructor(
    private readonly lib: NodeLlamaCppModule,
    readonly model: LlamaModel,
    private readonly sequence: LlamaContextSequence,
    readonly modelName: string,
    /** What dispose() releases besides the sequence's use: a context and model loaded only for explanations. */
    private readonly owned: { readonly context?: LlamaContext; readonly model?: LlamaModel } = {},
    /** Shared with the completion model on the same context: each step here waits while a completion is queued or running. */
    private readonly priority?: CompletionPriority,
  ) {
    if (priority !== undefined) yieldToCompletions(sequence, priority, () => this.runningSignal);
    const template = model.fileInfo.metadata.tokenizer?.chat_template;
    const hasTemplate = typeof template === "string" && template.trim() !== "";
    this.promptStyle = hasTemplate ? "chat" : "plain";
    const addsBos = model.tokens.shouldPrependBosToken && model.tokens.bos !== null;
    const wrapper = hasTemplate
      ? withBos(lib, lib.resolveChatWrapper(model, { warningLogs: false }), addsBos ? model.tokens.bosString : null)
      : createPlainPromptWrapper(lib, addsBos);
    this.chat = new lib.LlamaChat({ contextSequence: sequence, chatWrapper: wrapper, autoDisposeSequence: false });
    const probe = this.promptTokens({ system: "x", user: "y" }).length;
    this.templateOverheadTokens = Math.max(0, probe - this.countTokens("x") - this.countTokens("y"));
  }

  get contextSize(): number {
    return this.sequence.contextSize;
  }

  /** The chat wrapper in use, e.g. "ChatML", "JinjaTemplate", or the plain prompt. */
  get chatWrapperName(): string {
    return this.chat.chatWrapper.wrapperName;
  }

  countTokens(text: string): number {
    return this.model.tokenize(text, false).length;
  }

  /** The exact prompt tokens for a conversation, as LlamaChat will evaluate them (BOS included when the model adds one). */
  promptTokens(conversation: ExplainConversation): Token[] {
    const state = this.chat.chatWrapper.generateContextState({ chatHistory: historyOf(conversation) });
    return state.contextText.tokenize(this.model.tokenizer);
  }

  /** The prompt as text (special tokens spelled out), for logs and tests. */
  promptText(conversation: ExplainConversation): string {
    return this.model.detokenize(this.promptTokens(conversation), true);
  }

  explain(conversation: ExplainConversation, options: ExplainGenerateOptions): Promise<ExplainGeneration> {
    const run = this.tail.then(() => this.explainExclusively(conversation, options));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Ends a running explanation (its caller gets an ExplainModelError saying the model was unloaded) and releases what it owns. */
  async dispose(): Promise<void> {
    this.lifetime.abort();
    await this.tail;
    this.chat.dispose({ disposeSequence: false });
    await this.owned.context?.dispose();
    await this.owned.model?.dispose();
  }

  private async explainExclusively(conversation: ExplainConversation, options: ExplainGenerateOptions): Promise<ExplainGeneration> {
    const startedAt = performance.now();
    const signal = AbortSignal.any([options.signal, this.lifetime.signal]);
    this.runningSignal = signal;
    const history = historyOf(conversation);
    const tokens = this.promptTokens(conversation);
    const contextSize = this.contextSize;
    // LlamaChat needs one free cell beyond prompt + answer, or it shifts the context.
    const maxTokens = Math.min(options.maxTokens, contextSize - tokens.length - 1);
    if (maxTokens < 1) {
      throw new ExplainModelError(
        `The explain prompt (${tokens.length} tokens) does not fit the model's context (${contextSize} tokens). Select less code.`,
      );
    }

    let text = "";
    let firstTextAt: number | undefined;
    let generatedTokens = 0;
    let reusedTokens = 0;
    let promptEndedAt = startedAt;
    const aborted = (): ExplainGeneration => {
      if (this.lifetime.signal.aborted && !options.signal.aborted) {
        throw new ExplainModelError("The model was unloaded while explaining (its settings changed). Run Explain again.");
      }
      const now = performance.now();
      return {
        text, stopReason: "aborted", promptTokens: tokens.length, reusedTokens, generatedTokens,
        promptMs: promptEndedAt - startedAt, firstTextMs: firstTextAt === undefined ? undefined : firstTextAt - startedAt,
        totalMs: now - startedAt,
      };
    };

    try {
      // Keep the cached prefix but never the last prompt token: LlamaChat evaluates it to get the first logits,
      // and finds everything before it already in the sequence.
      await this.sequence.adaptStateToTokens(tokens.slice(0, -1), false);
      reusedTokens = this.sequence.nextTokenIndex;
      const pending = tokens.slice(reusedTokens, -1);
      for (let start = 0; start < pending.length; start += PREFILL_CHUNK_TOKENS) {
        await this.priority?.whenIdle(signal);
        if (signal.aborted) return aborted();
        await this.sequence.evaluateWithoutGeneratingNewTokens(pending.slice(start, start + PREFILL_CHUNK_TOKENS), {
          evaluationPriority: EXPLAIN_EVALUATION_PRIORITY,
        });
      }
      promptEndedAt = performance.now();
      if (signal.aborted) return aborted();

      const response = await this.chat.generateResponse(history, {
        maxTokens,
        temperature: 0,
        signal,
        stopOnAbortSignal: true,
        evaluationPriority: EXPLAIN_EVALUATION_PRIORITY,
        onToken: (generated) => {
          generatedTokens += generated.length;
        },
        onTextChunk: (chunk) => {
          if (chunk === "") return;
          firstTextAt ??= performance.now();
          text += chunk;
          options.onText(chunk);
        },
      });
      if (response.metadata.stopReason === "abort") return aborted();
      const stopReason = response.metadata.stopReason === "maxTokens" ? "maxTokens" : "done";
      const now = performance.now();
      return {
        text, stopReason, promptTokens: tokens.length, reusedTokens, generatedTokens,
        promptMs: promptEndedAt - startedAt, firstTextMs: firstTextAt === undefined ? undefined : firstTextAt - startedAt,
        totalMs: now - startedAt,
      };
    } catch (error) {
      if (error instanceof ExplainModelError) throw error;
      if (signal.aborted) return aborted();
      throw new ExplainModelError(`The model failed while explaining (${errorText(error)}). Try again, or choose another model.`);
    }
  }
}

/**
 * Makes every token LlamaChat generates on `sequence` wait until no completion is queued or running. LlamaChat's token
 * loop has no hook between steps, so the sequence's `evaluate` is wrapped on this instance (the explainer's own
 * sequence): the wrapped iterator waits before it asks for the next token, which is when the step would be decoded.
 */
function yieldToCompletions(sequence: LlamaContextSequence, priority: CompletionPriority, signal: () => AbortSignal): void {
  const evaluate = sequence.evaluate.bind(sequence);
  sequence.evaluate = (tokens, options) => waitingBetweenSteps(evaluate(tokens, options), priority, signal());
}

async function* waitingBetweenSteps(
  steps: AsyncGenerator<Token, void, Token | Token[] | void>, priority: CompletionPriority, signal: AbortSignal,
): AsyncGenerator<Token, void, Token | Token[] | void> {
  try {
    let input: Token | Token[] | void = undefined;
    for (;;) {
      await priority.whenIdle(signal);
      const step = await steps.next(input);
      if (step.done === true) return;
      input = yield step.value;
    }
  } finally {
    await steps.return(undefined);
  }
}

/**
 * A model that adds BOS gets it at the start of its chat prompt, as llama.cpp does when it tokenizes a rendered
 * template: node-llama-cpp's Jinja wrapper only adds one when the template writes `bos_token` itself. Patched on
 * the instance, so LlamaChat and the prefill see the same tokens.
 */
function withBos(lib: NodeLlamaCppModule, wrapper: ChatWrapper, bosString: string | null): ChatWrapper {
  if (bosString === null) return wrapper;
  const render = wrapper.generateContextState.bind(wrapper);
  wrapper.generateContextState = (options) => {
    const state = render(options);
    const first = state.contextText.values.find((value) => value !== "");
    const hasBos = first instanceof lib.SpecialToken
      ? first.value === "BOS"
      : first instanceof lib.SpecialTokensText && first.value.startsWith(bosString);
    return hasBos ? state : { ...state, contextText: lib.LlamaText([new lib.SpecialToken("BOS"), state.contextText]) };
  };
  return wrapper;
}

function historyOf(conversation: ExplainConversation): ChatHistoryItem[] {
  return [
    { type: "system", text: conversation.system },
    { type: "user", text: conversation.user },
    { type: "model", response: [] },
  ];
}

/**
 * For base models without a chat template: the system prompt and the user message as plain text, then
 * "### Explanation" for the model to continue. Stops at EOS or when the model starts another of the prompt's
 * sections. User text is never parsed for special tokens.
 */
function createPlainPromptWrapper(lib: NodeLlamaCppModule, addBos: boolean): ChatWrapper {
  const { ChatWrapper: BaseWrapper, LlamaText, SpecialToken } = lib;
  class PlainPromptChatWrapper extends BaseWrapper {
    readonly wrapperName = "Pocket Coder plain prompt";

    override generateContextState({ chatHistory }: ChatWrapperGenerateContextStateOptions): ChatWrapperGeneratedContextState {
      const system: string[] = [];
      const user: string[] = [];
      const response: string[] = [];
      for (const item of chatHistory) {
        if (item.type === "system") system.push(LlamaText.fromJSON(item.text).toString());
        else if (item.type === "user") user.push(item.text);
        else for (const part of item.response) if (typeof part === "string") response.push(part);
      }
      return {
        contextText: LlamaText([
          addBos ? new SpecialToken("BOS") : "",
          system.join("\n\n"),
          "\n\n",
          user.join("\n\n"),
          `\n\n${PLAIN_PROMPT_ANSWER_HEADING}`,
          response.join(""),
        ]),
        stopGenerationTriggers: [
          LlamaText(new SpecialToken("EOS")),
          LlamaText("\n### Code\n"),
          LlamaText("\n### Context\n"),
          LlamaText("\n### Task\n"),
          LlamaText("\n### Explanation\n"),
        ],
      };
    }
  }
  return new PlainPromptChatWrapper();
}
