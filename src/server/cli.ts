/**
 * `pocket-coder`: the language server for any LSP editor (Neovim, Helix, …), on the same engine as
 * the VS Code extension.
 */
// First: it sizes libuv's thread pool, which must happen before anything starts the pool.
import "./libuvThreadPool";
import { createServerConnection } from "./lsp/transportErrors";
import { SERVER_VERSION, startServer } from "./PocketCoderServer";
import { UsageError, writeStdout } from "./commandLine/args";
import { COMPLETE_USAGE, InputFileError, runComplete } from "./commandLine/completeCommand";
import { DOCTOR_USAGE, runDoctor } from "./commandLine/doctorCommand";

/** A one-shot subcommand: resolves with the exit code. */
interface CliCommand {
  readonly usage: string;
  run(argv: readonly string[]): Promise<number>;
}

/**
 * The one-shot subcommands, on the same engine as the server. `explain` joins here when the explain
 * engine lands: `explain: { usage: EXPLAIN_USAGE, run: runExplain }` (src/server/commandLine/).
 */
const COMMANDS: Record<string, CliCommand> = {
  doctor: { usage: DOCTOR_USAGE, run: runDoctor },
  complete: { usage: COMPLETE_USAGE, run: runComplete },
};

const USAGE = `Usage: pocket-coder serve --stdio
       pocket-coder doctor [options]
       pocket-coder complete [options] FILE LINE:COL
       pocket-coder --version

Commands:
  serve --stdio    Run the Pocket Coder language server on stdin/stdout.
                   Settings come from initializationOptions ({ model: { path }, gpu, threads, completion })
                   and workspace/configuration (section "pocketCoder"); POCKET_CODER_MODEL sets the model path.

${Object.values(COMMANDS).map((command) => command.usage).join("\n\n")}
`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === "serve" && (rest.includes("--stdio") || rest.some((arg) => arg.startsWith("--socket=") || arg === "--node-ipc"))) {
    startServer(createServerConnection());
    return -1;
  }
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    await writeStdout(USAGE);
    return 0;
  }
  if (command === "--version" || command === "-V") {
    await writeStdout(`pocket-coder ${SERVER_VERSION}\n`);
    return 0;
  }
  if (command === "serve") {
    process.stderr.write(`serve needs a transport: add --stdio (pocket-coder serve --stdio) to talk LSP on stdin/stdout.\n\n${USAGE}`);
    return 2;
  }
  const subcommand = Object.prototype.hasOwnProperty.call(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (subcommand !== undefined) {
    if (rest.includes("--help") || rest.includes("-h")) {
      await writeStdout(`${subcommand.usage}\n`);
      return 0;
    }
    try {
      return await subcommand.run(rest);
    } catch (error) {
      if (error instanceof InputFileError) {
        process.stderr.write(`pocket-coder: ${error.message}\n`);
        return 1;
      }
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`${error.message}\n\n${subcommand.usage}\n`);
      return 2;
    }
  }
  process.stderr.write(`${command.startsWith("-") ? "Unknown option" : "Unknown command"}: ${command}\n\n${USAGE}`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    // One-shot commands exit as soon as their output is written: llama.cpp's worker threads must not keep the process alive.
    if (code >= 0) process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`pocket-coder: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
