import { isSettledState, type ServerStatus } from "../shared/protocol";

/** The latest server status and the waiters for a status to come. */
export class StatusHub {
  private current: ServerStatus = { state: "starting", message: "Starting Pocket Coder…" };
  private readonly listeners = new Set<(status: ServerStatus) => void>();

  get status(): ServerStatus {
    return this.current;
  }

  update(status: ServerStatus): void {
    this.current = status;
    for (const listener of [...this.listeners]) listener(status);
  }

  onChange(listener: (status: ServerStatus) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  waitFor(predicate: (status: ServerStatus) => boolean, timeoutMs = 120_000): Promise<ServerStatus> {
    if (predicate(this.current)) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        subscription.dispose();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for a server status; last: ${JSON.stringify(this.current)}`));
      }, timeoutMs);
      const subscription = this.onChange((status) => {
        if (!predicate(status)) return;
        clearTimeout(timer);
        subscription.dispose();
        resolve(status);
      });
    });
  }

  waitForSettled(): Promise<ServerStatus> {
    return this.waitFor((status) => isSettledState(status.state), 24 * 60 * 60 * 1000);
  }
}
