import { createConnection, ProposedFeatures, type Connection, type ConsoleFeature, type RemoteConsole } from "vscode-languageserver/node";
import type { MessageConnection } from "vscode-languageserver-protocol/node";

/**
 * What the server does when the message stream breaks. vscode-languageserver fires a broken message header
 * (bad or missing Content-Length, garbage bytes) on the connection's error event and nobody listens, so the
 * server went silently deaf. A body that is not JSON leaves the framing intact: it is logged and skipped.
 * Anything else means the stream can no longer be trusted: the server says why on stderr and exits with
 * code 1, so that the client restarts it (VS Code's client does, within its crash limits).
 */
export function onTransportError(error: Error, log: (message: string) => void, exit: (code: number) => void): void {
  if (error instanceof SyntaxError) {
    log(`Ignored a message whose body is not JSON: ${error.message}`);
    return;
  }
  log(`The LSP message stream is broken (${error.message.split("\n")[0]}); exiting so that the client restarts the server.`);
  exit(1);
}

/**
 * A console feature that subscribes to the raw message connection's errors: the console is the one part of
 * vscode-languageserver's connection that is handed the raw connection (`rawAttach`), before it listens.
 */
export const transportErrorsFeature: ConsoleFeature<object> = (Base) =>
  class extends Base {
    rawAttach(connection: MessageConnection): void {
      (Base.prototype as unknown as { rawAttach(connection: MessageConnection): void }).rawAttach.call(this, connection);
      connection.onError(([error]) => onTransportError(error, (message) => process.stderr.write(`${message}\n`), (code) => process.exit(code)));
    }
  } as new () => RemoteConsole;

/** The server's connection over the transport the command line names, with transport errors handled as above. */
export function createServerConnection(): Connection {
  return createConnection({ ...ProposedFeatures.all, console: transportErrorsFeature });
}
