import { readFile } from "node:fs/promises";
import type { RemoteEngineKind } from "../../shared/protocol";
import type { EngineSettings } from "../../shared/settings";
import { EngineError, EngineHttp } from "./http/EngineHttp";
import { proxyRouteFor, ProxySettingError, type ProxyRoute } from "./http/proxyRoute";
import { LlamaServerApi } from "./llamaServerEngine";
import { OllamaApi } from "./ollamaEngine";
import { OpenAiApi } from "./openAiEngine";
import { RemoteEngine, type HealthListener, type RemoteApi, type RemoteModelFacts } from "./RemoteEngine";

export interface RemoteEngineOptions {
  /** From SecretStorage through `pocketCoder/setEngineApiKey`; never logged. */
  readonly apiKey?: string;
  readonly onHealth: HealthListener;
  readonly log: (message: string) => void;
  /** Per-request inactivity limit (default 15 s). */
  readonly timeoutMs?: number;
  /** How long a completion may take before it is given up (default COMPLETION_DEADLINE_MS). */
  readonly completionDeadlineMs?: number;
  /** Where HTTPS_PROXY, NO_PROXY and the like are read (default: this process's environment). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Opening a server gives up after this long: a status that names the problem beats a spinner. */
const OPEN_TIMEOUT_MS = 20_000;

/** The resolver: opens the engine `settings.kind` names on `settings.url`, learning its model's facts. */
export async function openRemoteEngine(settings: EngineSettings & { kind: RemoteEngineKind }, options: RemoteEngineOptions): Promise<RemoteEngine> {
  if (settings.url === "") throw new EngineError("badRequest", `pocketCoder.engine.kind is "${settings.kind}": set pocketCoder.engine.url to the server's URL.`);
  let ca: Buffer | undefined;
  if (settings.caFile !== "") {
    try {
      ca = await readFile(settings.caFile);
    } catch (error) {
      throw new EngineError("badRequest", `Cannot read the CA file ${settings.caFile} (pocketCoder.engine.caFile): ${(error as Error).message}`);
    }
  }
  let proxy: ProxyRoute | undefined;
  try {
    if (URL.canParse(settings.url)) proxy = proxyRouteFor(new URL(settings.url), settings.proxy, options.env ?? process.env);
  } catch (error) {
    if (error instanceof ProxySettingError) throw new EngineError("badRequest", error.message);
    throw error;
  }
  const http = new EngineHttp({
    baseUrl: settings.url,
    ...(proxy === undefined ? {} : { proxy }),
    ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
    ...(ca === undefined ? {} : { ca }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const signal = AbortSignal.timeout(OPEN_TIMEOUT_MS);
  let opened: { api: RemoteApi; facts: RemoteModelFacts };
  try {
    opened = settings.kind === "llama-server" ? await LlamaServerApi.open(http, settings.contextSize, signal)
      : settings.kind === "openai" ? await OpenAiApi.open(http, settings.model, settings.fimFamily, settings.contextSize, signal)
        : await OllamaApi.open(http, settings.model, settings.fimFamily, settings.contextSize, signal);
  } catch (error) {
    http.dispose();
    if (signal.aborted && !(error instanceof EngineError)) {
      throw new EngineError("timeout", `${http.describe("")} did not answer within ${OPEN_TIMEOUT_MS / 1000} s.`);
    }
    throw error;
  }
  return new RemoteEngine(opened.api, http, opened.facts, options.onHealth, options.log, options.completionDeadlineMs);
}
