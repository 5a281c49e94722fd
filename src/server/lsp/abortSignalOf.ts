import type { CancellationToken } from "vscode-languageserver/node";

/**
 * An AbortSignal that follows an LSP cancellation token. A token cancelled before the handler ran
 * (the `$/cancelRequest` arrived first) never fires its event, so its current state is read too.
 */
export function abortSignalOf(token: CancellationToken): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  if (token.isCancellationRequested) {
    controller.abort();
    return { signal: controller.signal, dispose: () => undefined };
  }
  const subscription = token.onCancellationRequested(() => controller.abort());
  return { signal: controller.signal, dispose: () => subscription.dispose() };
}
