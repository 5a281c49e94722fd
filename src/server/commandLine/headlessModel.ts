import * as os from "node:os";
import * as path from "node:path";
import { GPU_MODES, normalizeSettings, type PocketCoderSettings } from "../../shared/settings";
import type { Logger } from "../logger";
import { ModelService } from "../model/ModelService";
import { MODEL_PATH_ENV } from "../lsp/SettingsSync";
import { integerOption, UsageError, type ParsedArgs } from "./args";
import { forCommandLine } from "./commandLineWording";

/** The options every model-using subcommand takes. */
export const MODEL_OPTIONS = ["model", "gpu", "threads", "max-tokens", "engine", "engine-url", "engine-model", "engine-proxy"] as const;
/** The flags every model-using subcommand takes. */
export const MODEL_FLAGS = ["verbose"] as const;

/** The remote engine's API key for the command line (never an argument: those show in process lists). */
export const ENGINE_API_KEY_ENV = "POCKET_CODER_ENGINE_API_KEY";

export const MODEL_OPTIONS_USAGE = `  --model FILE     the GGUF model (default: $${MODEL_PATH_ENV})
  --gpu MODE       auto | cpu | cuda | vulkan | metal (default: auto)
  --threads N      CPU threads, 0 = all cores but one (default: 0)
  --engine KIND    local | llama-server | openai | ollama (default: local)
  --engine-url URL the inference server, e.g. http://gpu-box:8080 (implies --engine llama-server)
  --engine-model ID  the model id on a server that serves several; API key: $${ENGINE_API_KEY_ENV}
  --engine-proxy URL an HTTP proxy to the server, http://[user:password@]host:port
                   (default: $HTTPS_PROXY / $HTTP_PROXY / $ALL_PROXY; $NO_PROXY hosts go direct)
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
    engine: {
      kind: args.options.get("engine") ?? (args.options.has("engine-url") ? "llama-server" : "local"),
      url: args.options.get("engine-url") ?? "",
      model: args.options.get("engine-model") ?? "",
      proxy: { url: args.options.get("engine-proxy") ?? "" },
    },
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
  const apiKey = process.env[ENGINE_API_KEY_ENV];
  if (apiKey !== undefined && apiKey !== "") await models.setApiKey(apiKey);
  await models.applySettings(settings);
  return models;
}
