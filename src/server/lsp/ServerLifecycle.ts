import { ErrorCodes, ResponseError } from "vscode-languageserver/node";

type Phase = "awaitingInitialize" | "running" | "shutDown";

/**
 * The LSP lifecycle as the spec states it: requests before `initialize` fail with ServerNotInitialized
 * (-32002), requests after `shutdown` with InvalidRequest (-32600), and the shutdown work runs once however
 * many `shutdown` requests arrive.
 */
export class ServerLifecycle {
  private phase: Phase = "awaitingInitialize";
  private shutdownWork: Promise<void> | undefined;

  /** Call when the `initialize` request arrives. */
  initialize(): void {
    if (this.phase === "awaitingInitialize") this.phase = "running";
  }

  /** Wraps a request handler so that it only runs while the server is running. */
  guard<P, R, T extends unknown[]>(handler: (params: P, ...rest: T) => R): (params: P, ...rest: T) => R {
    return (params, ...rest) => {
      this.check();
      return handler(params, ...rest);
    };
  }

  /** The `shutdown` request: runs `work` the first time; a later `shutdown` is a request after shutdown. */
  shutdown(work: () => Promise<void>): Promise<void> {
    if (this.shutdownWork !== undefined) return Promise.reject(afterShutdownError());
    this.phase = "shutDown";
    this.shutdownWork = work();
    return this.shutdownWork;
  }

  private check(): void {
    if (this.phase === "awaitingInitialize") {
      throw new ResponseError(ErrorCodes.ServerNotInitialized, "The server has not been initialized: send `initialize` first.");
    }
    if (this.phase === "shutDown") throw afterShutdownError();
  }
}

function afterShutdownError(): ResponseError<void> {
  return new ResponseError(ErrorCodes.InvalidRequest, "The server is shutting down: no requests are served after `shutdown`.");
}
