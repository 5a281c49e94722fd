import type { ModelStatus } from "../../shared/protocol";
import type { FimFamily } from "../completion/fim/fimTypes";
import { resolveFimFamily } from "../completion/fim/resolveFimFamily";
import type { GenerateOptions, GenerationResult, TextGenerator } from "../completion/textGenerator";
import type { PromptPiece } from "../completion/fim/fimTypes";
import type { AcquiredLlama } from "../runtime/acquireLlama";
import type { ChatExplainer } from "../runtime/ChatExplainer";
import { inspectModelFile, type InspectedModel } from "../runtime/inspectModelFile";
import type { LoadedModel } from "../runtime/LoadedModel";
import { ModelLoadError } from "../runtime/ModelLoadError";
import { openModel } from "../runtime/openModel";
import { NOT_RUN, type Engine } from "./Engine";

export interface LocalEngineOptions {
  readonly threads: number;
  /** The llama.cpp runtime to load on, started (or reused) by the caller. */
  readonly acquire: () => Promise<AcquiredLlama>;
  readonly log: (message: string) => void;
  /** Where opening spends its time (header, runtime, weights, context), for the debug log. */
  readonly debug?: (message: string) => void;
}

/**
 * Reads the GGUF file's header and vocabulary only (no weights): throws the ModelLoadError that opening it would,
 * so a model that cannot work is reported before it is first needed.
 */
export async function checkLocalModel(path: string): Promise<{ inspected: InspectedModel; fim: FimFamily }> {
  const inspected = await inspectModelFile(path);
  const fim = resolveFimFamily(inspected.facts);
  if (fim === undefined) {
    throw new ModelLoadError(
      "noFimSupport",
      `${inspected.name} has no fill-in-the-middle (FIM) tokens, so it cannot do inline completion. ` +
        "Use a FIM-capable base code model, such as Qwen2.5-Coder (base, not Instruct), DeepSeek-Coder base or StarCoder2.",
    );
  }
  return { inspected, fim };
}

/** Opens the GGUF model at `path` in this process: the default engine, no network at all. */
export async function openLocalEngine(path: string, options: LocalEngineOptions): Promise<LocalEngine> {
  const startedAt = performance.now();
  const since = (): string => (performance.now() - startedAt).toFixed(0);
  options.debug?.(`startup: model load began ${startedAt.toFixed(0)} ms after the process started`);
  // The runtime starts (node-llama-cpp test-loads its binding in a child process) while the file's header is read.
  const [{ inspected, fim }, acquired] = await Promise.all([
    checkLocalModel(path).finally(() => options.debug?.(`startup: model header read in ${since()} ms`)),
    options.acquire().finally(() => options.debug?.(`startup: llama.cpp runtime started in ${since()} ms`)),
  ]);
  const opened = await openModel(acquired, inspected, {
    threads: options.threads, log: options.log, ...(options.debug === undefined ? {} : { debug: options.debug }),
  });
  options.debug?.(`startup: model ready ${performance.now().toFixed(0)} ms after the process started`);
  return new LocalEngine(opened.loaded, opened.explainer, fim, { ...opened.status, fimFamily: fim.label }, opened.notice);
}

/**
 * node-llama-cpp in this process (src/server/runtime). Disposing aborts the running generation instead of waiting
 * for it: LoadedModel checks the signal between prompt chunks and after every token.
 */
export class LocalEngine implements Engine {
  readonly generator: TextGenerator;
  private readonly lifetime = new AbortController();
  private disposal: Promise<void> | undefined;

  constructor(
    private readonly loaded: LoadedModel,
    readonly explainer: ChatExplainer,
    readonly fim: FimFamily,
    readonly status: ModelStatus,
    readonly notice: string | undefined,
  ) {
    const lifetime = this.lifetime.signal;
    this.generator = {
      get contextSize() {
        return loaded.contextSize;
      },
      countTokens: (text) => loaded.countTokens(text),
      generate: (prompt: readonly PromptPiece[], options: GenerateOptions): Promise<GenerationResult> =>
        lifetime.aborted ? Promise.resolve(NOT_RUN) : loaded.generate(prompt, { ...options, signal: AbortSignal.any([options.signal, lifetime]) }),
    };
  }

  dispose(): Promise<void> {
    this.disposal ??= (async () => {
      this.lifetime.abort();
      await this.explainer.dispose();
      await this.loaded.dispose();
    })();
    return this.disposal;
  }
}
