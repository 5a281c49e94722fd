/** Where the server's log lines go: the LSP connection's console (the client's output channel) or stderr. */
export interface Logger {
  /** Per-request detail; hidden unless the user raises the log level. */
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
