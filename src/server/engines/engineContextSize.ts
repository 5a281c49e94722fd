/**
 * Automatic num_ctx for Ollama: the model's own context up to this. Ollama allocates the whole context on the team's
 * server and reloads the model when num_ctx changes; completion windows gain little beyond it.
 */
export const OLLAMA_AUTO_CONTEXT_LIMIT = 8192;
/** Assumed when neither the server nor pocketCoder.engine.contextSize says. */
export const ASSUMED_CONTEXT_SIZE = 4096;

/**
 * The context to budget (and, for Ollama, to ask for): `pocketCoder.engine.contextSize` when set, never more than the
 * server states; else what the server states, up to `automaticLimit`; else ASSUMED_CONTEXT_SIZE.
 */
export function chooseContextSize(stated: number | undefined, setting: number, automaticLimit = Number.POSITIVE_INFINITY): number {
  const known = typeof stated === "number" && Number.isFinite(stated) && stated > 0 ? Math.floor(stated) : undefined;
  if (setting > 0) return known === undefined ? setting : Math.min(setting, known);
  return known === undefined ? Math.min(ASSUMED_CONTEXT_SIZE, automaticLimit) : Math.min(known, automaticLimit);
}
