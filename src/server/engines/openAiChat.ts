import type { ExplainConversation } from "../explain/explainGenerator";
import { EngineError, type EngineHttp } from "./http/EngineHttp";
import type { RemoteStop } from "./RemoteEngine";

/** One `data:` line of an OpenAI-style server-sent event stream; undefined for comments, keep-alives and `[DONE]`. */
export function sseData<T>(line: string, where: string): T | undefined {
  if (line.startsWith("error:")) throw new EngineError("server", `${where} failed mid-answer: ${line.slice(6).trim()}`);
  if (!line.startsWith("data:")) return undefined;
  const data = line.slice(5).trim();
  if (data === "" || data === "[DONE]") return undefined;
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new EngineError("protocol", `${where} sent an event that is not JSON: ${data.slice(0, 80)}`);
  }
}

interface OpenAiChunk {
  readonly choices?: ReadonlyArray<{
    readonly text?: string; readonly delta?: { readonly content?: string | null }; readonly finish_reason?: string | null;
  }>;
  readonly usage?: { readonly prompt_tokens?: number; readonly completion_tokens?: number } | null;
  readonly error?: { readonly message?: string };
}

/**
 * An OpenAI-style streamed answer (`/v1/completions` or `/v1/chat/completions`, as vLLM, TGI, LM Studio and
 * llama-server serve them): each choice's new text to `onText`, and how it ended.
 */
export async function streamOpenAi(
  http: EngineHttp, path: "v1/completions" | "v1/chat/completions", body: Record<string, unknown>, signal: AbortSignal,
  onText: (text: string) => void,
): Promise<RemoteStop> {
  const where = http.describe(path);
  let finish: string | undefined;
  let usage: OpenAiChunk["usage"];
  await http.lines(path, { ...body, stream: true, stream_options: { include_usage: true } }, signal, (line) => {
    const chunk = sseData<OpenAiChunk>(line, where);
    if (chunk === undefined) return;
    if (chunk.error !== undefined) throw new EngineError("server", `${where} failed mid-answer: ${chunk.error.message ?? "unknown error"}`);
    const choice = chunk.choices?.[0];
    const text = path === "v1/completions" ? choice?.text : choice?.delta?.content;
    if (typeof text === "string" && text !== "") onText(text);
    if (typeof choice?.finish_reason === "string") finish = choice.finish_reason;
    if (chunk.usage) usage = chunk.usage;
  });
  return {
    reason: finish === "length" ? "maxTokens" : "endOfGeneration",
    ...(usage?.prompt_tokens === undefined ? {} : { promptTokens: usage.prompt_tokens }),
    ...(usage?.completion_tokens === undefined ? {} : { generatedTokens: usage.completion_tokens }),
  };
}

/** `/v1/chat/completions`, streamed: explanations on llama-server and any OpenAI-compatible server. */
export function streamChat(
  http: EngineHttp, model: string | undefined, conversation: ExplainConversation, maxTokens: number, signal: AbortSignal,
  onText: (text: string) => void,
): Promise<RemoteStop> {
  return streamOpenAi(http, "v1/chat/completions", {
    ...(model === undefined ? {} : { model }),
    messages: [{ role: "system", content: conversation.system }, { role: "user", content: conversation.user }],
    max_tokens: maxTokens, temperature: 0,
  }, signal, onText);
}
