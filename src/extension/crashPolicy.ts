/**
 * Whether to restart the language server after it stopped unexpectedly. Pure, so it is unit-tested.
 * A crash during model loading is most likely the model file itself (corrupt, or too big for memory):
 * restarting would load it again and crash again, so it is never restarted automatically.
 */
import type { ServerState } from "../shared/protocol";

export const MAX_RESTARTS = 4;
export const RESTART_WINDOW_MS = 3 * 60 * 1000;

export type CrashDecision =
  | { readonly restart: true }
  | { readonly restart: false; readonly reason: string };

export function decideAfterCrash(stateAtCrash: ServerState, modelPath: string | undefined, recentCrashTimes: readonly number[], now: number): CrashDecision {
  if (stateAtCrash === "loadingModel") {
    return {
      restart: false,
      reason: `The Pocket Coder server stopped while loading the model${modelPath ? ` ${modelPath}` : ""}. ` +
        "The file may be damaged, or the model may need more memory than is free. Choose another model or restart the server.",
    };
  }
  const inWindow = recentCrashTimes.filter((time) => now - time <= RESTART_WINDOW_MS);
  if (inWindow.length > MAX_RESTARTS) {
    return {
      restart: false,
      reason: `The Pocket Coder server stopped ${inWindow.length} times in the last 3 minutes, so it was not restarted again. ` +
        "See the logs, then restart it with \"Pocket Coder: Restart Server\".",
    };
  }
  return { restart: true };
}
