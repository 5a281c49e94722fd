/**
 * Completions first on a model shared with explanations. A completion claims priority from the moment it is queued
 * until it settles; an explanation waits for `whenIdle()` before each model step (a prompt chunk or one generated
 * token), so it pauses while a completion runs and resumes where it was once none is queued. Both would otherwise
 * share every batch, and on a CPU each step's cost grows with every sequence in it.
 */
export class CompletionPriority {
  private claims = 0;
  private waiters: Array<() => void> = [];

  /** True while a completion is queued or running. */
  get busy(): boolean {
    return this.claims > 0;
  }

  /** Marks one completion as queued or running; the returned function ends the claim (calling it again does nothing). */
  claim(): () => void {
    this.claims++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.claims--;
      if (this.claims > 0) return;
      const waiters = this.waiters;
      this.waiters = [];
      for (const wake of waiters) wake();
    };
  }

  /** Resolves once no completion is queued or running: at once when none is, or as soon as `signal` aborts. */
  whenIdle(signal?: AbortSignal): Promise<void> {
    if (this.claims === 0 || signal?.aborted === true) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((waiter) => waiter !== wake);
        resolve();
      };
      this.waiters.push(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
