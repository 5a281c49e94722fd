/**
 * Language server entry. The transport comes from the command line as vscode-languageserver reads it:
 * `--node-ipc` (VS Code), `--stdio` (other editors), `--socket=N`.
 */
// First: it sizes libuv's thread pool, which must happen before anything starts the pool.
import "./libuvThreadPool";
import { createServerConnection } from "./lsp/transportErrors";
import { startServer } from "./PocketCoderServer";

startServer(createServerConnection());
