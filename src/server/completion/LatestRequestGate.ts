/**
 * Inline completion wants only the newest request answered: starting one aborts the one before.
 * Each request gets a signal that fires when it is superseded or when its caller cancels it.
 */
export class LatestRequestGate {
  private current: AbortController | undefined;

  /**
   * Aborts the running request (if any) and returns the new one's turn: its signal, `abort` for its own use,
   * `detachCaller` to stop the caller's cancellation from aborting it, and `end`.
   */
  begin(callerSignal?: AbortSignal): RequestTurn {
    this.current?.abort(new SupersededError());
    const controller = new AbortController();
    this.current = controller;
    const onCallerAbort = () => controller.abort(callerSignal?.reason);
    callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
    if (callerSignal?.aborted === true) onCallerAbort();
    const detachCaller = () => callerSignal?.removeEventListener("abort", onCallerAbort);
    return {
      signal: controller.signal,
      abort: () => controller.abort(new SupersededError()),
      detachCaller,
      end: () => {
        detachCaller();
        if (this.current === controller) this.current = undefined;
      },
    };
  }

  abortAll(): void {
    this.current?.abort(new SupersededError());
  }
}

export interface RequestTurn {
  readonly signal: AbortSignal;
  abort(): void;
  detachCaller(): void;
  end(): void;
}

export class SupersededError extends Error {
  constructor() {
    super("Superseded by a newer request.");
    this.name = "SupersededError";
  }
}
