/**
 * Language server entry. The transport comes from the command line as vscode-languageserver reads it:
 * `--node-ipc` (VS Code), `--stdio` (other editors), `--socket=N`.
 */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "./PocketCoderServer";

startServer(createConnection(ProposedFeatures.all));
