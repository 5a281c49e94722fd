/**
 * `pocket-coder`: the language server for any LSP editor (Neovim, Helix, …), on the same engine as
 * the VS Code extension.
 */
import { createConnection, ProposedFeatures } from "vscode-languageserver/node";
import { startServer } from "./PocketCoderServer";

const USAGE = `Usage: pocket-coder serve --stdio

Commands:
  serve --stdio    Run the Pocket Coder language server on stdin/stdout.
                   Settings come from initializationOptions ({ model: { path }, gpu, threads, completion })
                   and workspace/configuration (section "pocketCoder"); POCKET_CODER_MODEL sets the model path.
`;

function main(argv: readonly string[]): number {
  const [command, ...rest] = argv;
  if (command === "serve" && (rest.includes("--stdio") || rest.some((arg) => arg.startsWith("--socket=") || arg === "--node-ipc"))) {
    startServer(createConnection(ProposedFeatures.all));
    return -1;
  }
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    process.stdout.write(USAGE);
    return 0;
  }
  process.stderr.write(`Unknown command: ${argv.join(" ")}\n\n${USAGE}`);
  return 2;
}

const code = main(process.argv.slice(2));
if (code >= 0) process.exitCode = code;
