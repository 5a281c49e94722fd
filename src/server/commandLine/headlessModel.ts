import * as os from "node:os";
import * as path from "node:path";
import { GPU_MODES, normalizeSettings, type PocketCoderSettings } from "../../shared/settings";
import type { Logger } from "../logger";
import { ModelService } from "../model/ModelService";
import { MODEL_PATH_ENV } from "../lsp/SettingsSync";
import { integerOption, UsageError, type ParsedArgs } from "./args";
import { forCommandLine } from "./commandLineWording";

/** The options every model-using subcommand takes. */
export const MODEL_OPTIONS = ["model", "gpu", "threads", "max-tokens"] as const;
/** The flags every model-using subcommand takes. */
export const MODEL_FLAGS = ["verbose"] as const;

export const MODEL_OPTIONS_USAGE = `  --model FILE     the GGUF model (default: $${MODEL_PATH_ENV})
  --gpu MODE       auto | cpu | cuda | vulkan | metal (default: auto)
  --threads N      CPU threads, 0 = all cores but one (default: 0)
  --verbose        log what the runtime does, on stderr`;

/** Settings from the command line, validated exactly as the server validates the client's. */
export function settingsFromArgs(args: ParsedArgs): PocketCoderSettings {
  const modelPath = args.options.get("model") ?? process.env[MODEL_PATH_ENV] ?? "";
  const gpu = args.options.get("gpu") ?? "auto";
  // The editor falls back to "auto" on a bad value; a command line says so and stops.
  if (!(GPU_MODES as readonly string[]).includes(gpu)) throw new UsageError(`--gpu must be one of ${GPU_MODES.join(", ")}; got "${gpu}".`);
  const raw = {
    model: { path: modelPath === "" ? "" : path.resolve(modelPath) },
    gpu,
    threads: integerOption(args, "threads") ?? 0,
    completion: { enabled: true, maxTokens: integerOption(args, "max-tokens") ?? 128 },
  };
  const { settings, problems } = normalizeSettings(raw);
  // "pocketCoder.threads must be … ; using 0." → "--threads must be …".
  if (problems.length > 0) throw new UsageError(problems.map((problem) => forCommandLine(problem.replace(/; using .*$/, "."))).join(" "));
  return settings;
}

export function stderrLogger(verbose: boolean): Logger {
  return {
    debug: (message) => {
      if (verbose) process.stderr.write(`${message}\n`);
    },
    info: (message) => {
      if (verbose) process.stderr.write(`${message}\n`);
    },
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
    error: (message) => {
      if (verbose) process.stderr.write(`error: ${message}\n`);
    },
  };
}

/** The server's own model service, outside any LSP connection: the same load path, the same engine. */
export async function startHeadlessModel(settings: PocketCoderSettings, log: Logger): Promise<ModelService> {
  const models = new ModelService(() => undefined, log, () => os.availableParallelism());
  await models.applySettings(settings);
  return models;
}
