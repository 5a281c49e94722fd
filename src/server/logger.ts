/** Where the server's log lines go: the LSP connection's console (the client's output channel) or stderr. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
