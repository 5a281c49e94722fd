/**
 * Inline completion wants only the newest request answered: starting one aborts the one before.
 * Each request gets a signal that fires when it is superseded or when its caller cancels it.
 */
export class LatestRequestGate {
  private current: AbortController | undefined;

  /** Aborts the running request (if any) and returns the signal for the new one. */
  begin(callerSignal?: AbortSignal): { signal: AbortSignal; end: () => void } {
    this.current?.abort(new SupersededError());
    const controller = new AbortController();
    this.current = controller;
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
    if (callerSignal?.aborted === true) onCallerAbort();
    return {
      signal: controller.signal,
      end: () => {
        callerSignal?.removeEventListener("abort", onCallerAbort);
        if (this.current === controller) this.current = undefined;
      },
    };
  }

  abortAll(): void {
    this.current?.abort(new SupersededError());
  }
}

export class SupersededError extends Error {
  constructor() {
    super("Superseded by a newer request.");
    this.name = "SupersededError";
  }
}
