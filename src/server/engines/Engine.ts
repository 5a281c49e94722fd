import type { ModelStatus, ServerProblem } from "../../shared/protocol";
import type { FimFamily } from "../completion/fim/fimTypes";
import type { TextGenerator } from "../completion/textGenerator";
import type { ExplainGenerator } from "../explain/explainGenerator";

/**
 * Where completions and explanations are computed: the in-process llama.cpp model, or a team's inference server.
 * All completion intelligence (windowing, FIM prompts, post-processing, caches, scheduling) stays on our side of
 * this seam; an engine only generates from a prompt, streams an explanation, counts tokens and states its facts.
 */
export interface Engine {
  /** FIM completion: our prompt pieces in, raw text out, with stop texts, a token budget and an abort signal. */
  readonly generator: TextGenerator;
  /** The FIM prompt family the model was trained on. */
  readonly fim: FimFamily;
  readonly explainer: ExplainGenerator;
  readonly status: ModelStatus;
  /** Something the user should know once (e.g. fewer GPU layers than planned). */
  readonly notice?: string;
  /** Set while a remote engine cannot be reached or refuses us: requests then answer nothing at once. */
  readonly healthProblem?: ServerProblem;
  /** Aborts whatever runs on the engine (callers get an aborted result, within the abort latency) and frees it. */
  dispose(): Promise<void>;
}

/** A generation that never ran because its engine is gone. */
export const NOT_RUN = {
  text: "", stopReason: "aborted", promptTokens: 0, reusedTokens: 0, generatedTokens: 0, promptMs: 0, generateMs: 0,
} as const;
