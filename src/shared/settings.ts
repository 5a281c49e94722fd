/**
 * The `pocketCoder.*` settings as the server sees them. Pure: shared by the extension, the server
 * and other editors that send the same shape as `initializationOptions`.
 */

import { ENGINE_KINDS, type EngineKind } from "./protocol";

export const SETTINGS_SECTION = "pocketCoder";

export const GPU_MODES = ["auto", "cpu", "cuda", "vulkan", "metal"] as const;
export type GpuMode = (typeof GPU_MODES)[number];

export interface PocketCoderSettings {
  /** `directory`: a folder of GGUF files offered by "Select Model…". */
  readonly model: {
    readonly path: string;
    readonly directory: string;
    /** Unload the local model after this many minutes unused (it loads again on next use); 0 = never. */
    readonly unloadAfterMinutes: number;
    /** Sooner in a window in the background: this many minutes after it lost focus; 0 = only `unloadAfterMinutes`. */
    readonly unloadInBackgroundAfterMinutes: number;
  };
  readonly gpu: GpuMode;
  /** 0 = automatic: all cores but one (at least one). */
  readonly threads: number;
  readonly completion: {
    readonly enabled: boolean;
    readonly maxTokens: number;
  };
  readonly explain: {
    /** A separate (instruct) model for explanations; empty = the completion model. */
    readonly modelPath: string;
    readonly maxTokens: number;
  };
  readonly network: {
    /** Off by default: nothing is ever downloaded unless the user turns this on. */
    readonly allowModelDownload: boolean;
  };
  /** Globs of files that get no completion and never enter a prompt (see DEFAULT_EXCLUDE). */
  readonly exclude: readonly string[];
  readonly context: {
    /** Let git-ignored files into completion context and explanations (off: they stay out). */
    readonly includeGitIgnored: boolean;
  };
  /** Where completions are computed: this process (`local`), or a team's inference server. */
  readonly engine: EngineSettings;
}

/** FIM prompt formats a user can name for a remote model whose id does not say. */
export const ENGINE_FIM_FAMILIES = ["auto", "qwen2.5-coder", "deepseek-coder", "starcoder", "codellama", "codegemma", "codestral"] as const;
export type EngineFimFamily = (typeof ENGINE_FIM_FAMILIES)[number];

export interface EngineSettings {
  readonly kind: EngineKind;
  /** The server's base URL, e.g. http://gpu-box:8080 (remote kinds only). */
  readonly url: string;
  /** The model id, where the server serves several (openai, ollama); empty = the server's first. */
  readonly model: string;
  readonly fimFamily: EngineFimFamily;
  /** A PEM file of extra certificate authorities to trust for an https URL. */
  readonly caFile: string;
  /** The context (tokens) to use on the server; 0 = what it states (Ollama: the model's own, up to 8192). */
  readonly contextSize: number;
  /** How to reach the server through an HTTP proxy (VS Code's http.proxy, http.noProxy, http.proxySupport). */
  readonly proxy: EngineProxySettings;
}

/**
 * The proxy in front of a remote engine. VS Code's client fills it from `http.proxy`, `http.noProxy` and
 * `http.proxySupport`; other editors may send `engine.proxy` themselves; the command line leaves the URL empty.
 */
export interface EngineProxySettings {
  /** `http://[user:password@]host:port`; empty = the environment's HTTPS_PROXY / HTTP_PROXY / ALL_PROXY, if set. */
  readonly url: string;
  /** Hosts reached directly (NO_PROXY syntax: `host`, `.domain`, `host:port`, `10.0.0.0/8`, `*`, `<-loopback>`). */
  readonly noProxy: readonly string[];
  /** false: always connect directly, whatever the environment says (VS Code's `http.proxySupport: "off"`). */
  readonly enabled: boolean;
  /** Sent as `Proxy-Authorization` to the proxy, instead of credentials in the URL (VS Code's `http.proxyAuthorization`). */
  readonly authorization: string;
}

/**
 * Files that hold secrets more often than code: environment files, keys, certificates, credential stores.
 * Gitignore-style globs: a pattern without a slash matches the file name in any folder.
 */
export const DEFAULT_EXCLUDE: readonly string[] = [
  ".env", ".env.*", "*.env", ".envrc",
  "*.pem", "*.key", "*.p12", "*.pfx", "*.jks", "*.keystore", "*.crt", "*.cer", "*.der", "*.asc", "*.gpg",
  "id_rsa*", "id_dsa*", "id_ecdsa*", "id_ed25519*", "*.ppk",
  ".npmrc", ".yarnrc.yml", ".pypirc", ".netrc", "_netrc", ".git-credentials", ".pgpass", ".htpasswd",
  "credentials", "credentials.json", "*credentials*.json", "client_secret*.json", "service-account*.json",
  "secrets.json", "secrets.yaml", "secrets.yml", "secrets.toml", "*.secret", "*.secrets", "*.tfvars", "*.tfstate", "*.kdbx", "*.keychain", ".aws/", ".ssh/", "**/.docker/config.json",
];

export const DEFAULT_SETTINGS: PocketCoderSettings = {
  model: { path: "", directory: "", unloadAfterMinutes: 15, unloadInBackgroundAfterMinutes: 5 },
  gpu: "auto",
  threads: 0,
  completion: { enabled: true, maxTokens: 128 },
  explain: { modelPath: "", maxTokens: 512 },
  network: { allowModelDownload: false },
  exclude: DEFAULT_EXCLUDE,
  context: { includeGitIgnored: false },
  engine: { kind: "local", url: "", model: "", fimFamily: "auto", caFile: "", contextSize: 0, proxy: { url: "", noProxy: [], enabled: true, authorization: "" } },
};

export const MAX_THREADS_SETTING = 256;
export const MAX_COMPLETION_TOKENS = 1024;
export const MAX_EXPLAIN_TOKENS = 4096;
export const MAX_ENGINE_CONTEXT_SIZE = 1_048_576;
/** A day: longer is "never", which 0 says. */
export const MAX_UNLOAD_MINUTES = 1440;

export interface NormalizedSettings {
  readonly settings: PocketCoderSettings;
  /** Human-readable notes on values that were out of range or of the wrong type. */
  readonly problems: readonly string[];
}

/** Turns whatever a client sent into valid settings; bad values fall back to defaults and are reported. */
export function normalizeSettings(raw: unknown): NormalizedSettings {
  const problems: string[] = [];
  const root = asRecord(raw);
  const model = asRecord(root["model"]);
  const completion = asRecord(root["completion"]);
  const explain = asRecord(root["explain"]);
  const explainModel = asRecord(explain["model"]);
  const network = asRecord(root["network"]);
  const context = asRecord(root["context"]);
  const engine = asRecord(root["engine"]);

  const path = pickString(model["path"], DEFAULT_SETTINGS.model.path, "model.path", problems).trim();
  const directory = pickString(model["directory"], DEFAULT_SETTINGS.model.directory, "model.directory", problems).trim();
  const unloadAfterMinutes = pickNumber(
    model["unloadAfterMinutes"], DEFAULT_SETTINGS.model.unloadAfterMinutes, 0, MAX_UNLOAD_MINUTES, "model.unloadAfterMinutes", problems,
  );
  const unloadInBackgroundAfterMinutes = pickNumber(
    model["unloadInBackgroundAfterMinutes"], DEFAULT_SETTINGS.model.unloadInBackgroundAfterMinutes, 0, MAX_UNLOAD_MINUTES,
    "model.unloadInBackgroundAfterMinutes", problems,
  );
  const gpu = pickEnum(root["gpu"], GPU_MODES, DEFAULT_SETTINGS.gpu, "gpu", problems);
  const threads = pickInteger(root["threads"], DEFAULT_SETTINGS.threads, 0, MAX_THREADS_SETTING, "threads", problems);
  const enabled = pickBoolean(completion["enabled"], DEFAULT_SETTINGS.completion.enabled, "completion.enabled", problems);
  const maxTokens = pickInteger(
    completion["maxTokens"], DEFAULT_SETTINGS.completion.maxTokens, 1, MAX_COMPLETION_TOKENS, "completion.maxTokens", problems,
  );
  const explainModelPath = pickString(explainModel["path"], DEFAULT_SETTINGS.explain.modelPath, "explain.model.path", problems).trim();
  const explainMaxTokens = pickInteger(
    explain["maxTokens"], DEFAULT_SETTINGS.explain.maxTokens, 16, MAX_EXPLAIN_TOKENS, "explain.maxTokens", problems,
  );
  const allowModelDownload = pickBoolean(
    network["allowModelDownload"], DEFAULT_SETTINGS.network.allowModelDownload, "network.allowModelDownload", problems,
  );
  const exclude = pickStringArray(root["exclude"], DEFAULT_SETTINGS.exclude, "exclude", problems);
  const includeGitIgnored = pickBoolean(
    context["includeGitIgnored"], DEFAULT_SETTINGS.context.includeGitIgnored, "context.includeGitIgnored", problems,
  );

  const engineSettings = normalizeEngine(engine, problems);

  return {
    settings: {
      engine: engineSettings,
      model: { path, directory, unloadAfterMinutes, unloadInBackgroundAfterMinutes },
      gpu,
      threads,
      completion: { enabled, maxTokens },
      explain: { modelPath: explainModelPath, maxTokens: explainMaxTokens },
      network: { allowModelDownload },
      exclude,
      context: { includeGitIgnored },
    },
    problems,
  };
}

/** Settings whose change needs the model(s) (and contexts) loaded again; the rest apply live. */
export function needsModelReload(before: PocketCoderSettings, after: PocketCoderSettings): boolean {
  return before.model.path !== after.model.path || before.explain.modelPath !== after.explain.modelPath ||
    before.gpu !== after.gpu || before.threads !== after.threads || engineChanged(before.engine, after.engine);
}

function engineChanged(before: EngineSettings, after: EngineSettings): boolean {
  return before.kind !== after.kind || before.url !== after.url || before.model !== after.model ||
    before.fimFamily !== after.fimFamily || before.caFile !== after.caFile || before.contextSize !== after.contextSize || proxyChanged(before.proxy, after.proxy);
}

function proxyChanged(before: EngineProxySettings, after: EngineProxySettings): boolean {
  return before.url !== after.url || before.enabled !== after.enabled || before.noProxy.join(",") !== after.noProxy.join(",") ||
    before.authorization !== after.authorization;
}

function normalizeEngine(engine: Record<string, unknown>, problems: string[]): EngineSettings {
  const defaults = DEFAULT_SETTINGS.engine;
  const kind = pickEnum(engine["kind"], ENGINE_KINDS, defaults.kind, "engine.kind", problems);
  let url = pickString(engine["url"], defaults.url, "engine.url", problems).trim();
  if (url !== "") {
    const parsed = parseUrl(url);
    if (parsed === undefined || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.username !== "" || parsed.password !== "") {
      const got = parsed !== undefined && (parsed.username !== "" || parsed.password !== "") ? "a URL with credentials (use the API key command)" : `"${url}"`;
      problems.push(`pocketCoder.engine.url must be an http:// or https:// URL without credentials, e.g. http://gpu-box:8080; got ${got}.`);
      url = "";
    }
  }
  if (kind !== "local" && url === "") problems.push(`pocketCoder.engine.kind is "${kind}": set pocketCoder.engine.url to the server's URL.`);
  return {
    kind,
    url,
    model: pickString(engine["model"], defaults.model, "engine.model", problems).trim(),
    fimFamily: pickEnum(engine["fimFamily"], ENGINE_FIM_FAMILIES, defaults.fimFamily, "engine.fimFamily", problems),
    caFile: pickString(engine["caFile"], defaults.caFile, "engine.caFile", problems).trim(),
    contextSize: pickInteger(engine["contextSize"], defaults.contextSize, 0, MAX_ENGINE_CONTEXT_SIZE, "engine.contextSize", problems),
    proxy: normalizeProxy(asRecord(engine["proxy"]), problems),
  };
}

function normalizeProxy(proxy: Record<string, unknown>, problems: string[]): EngineProxySettings {
  const defaults = DEFAULT_SETTINGS.engine.proxy;
  let url = pickString(proxy["url"], defaults.url, "engine.proxy.url", problems).trim();
  if (url !== "") {
    const parsed = parseUrl(url);
    if (parsed?.protocol !== "http:" || parsed.hostname === "") {
      // Never the URL itself: it may carry the proxy's password.
      const scheme = parsed === undefined ? "not a URL" : `a ${parsed.protocol.replace(/:$/, "")}:// URL`;
      problems.push(`The proxy (http.proxy) must be an http://host:port URL, optionally http://user:password@host:port; got ${scheme}. Connecting to the engine directly.`);
      url = "";
    }
  }
  // VS Code's http.noProxy is a list; NO_PROXY is one comma-separated string: both are taken.
  const rawNoProxy = proxy["noProxy"];
  const noProxy = typeof rawNoProxy === "string"
    ? rawNoProxy.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "")
    : pickStringArray(rawNoProxy, defaults.noProxy, "engine.proxy.noProxy", problems);
  return {
    url, noProxy, enabled: pickBoolean(proxy["enabled"], defaults.enabled, "engine.proxy.enabled", problems),
    authorization: pickString(proxy["authorization"], defaults.authorization, "engine.proxy.authorization", problems).trim(),
  };
}

/**
 * The thread count to use: the setting (never more than the cores), or automatically all cores but
 * one. llama.cpp's threads wait for each other at every layer, so when the editor, a language server
 * or a build takes a core from one of them, all stall: a free core keeps the model and the editor fast.
 */
export function resolveThreadCount(setting: number, availableCores: number): number {
  const cores = Math.max(1, Math.floor(availableCores));
  return setting > 0 ? Math.min(setting, cores) : Math.max(1, cores - 1);
}

function parseUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function pickString(value: unknown, fallback: string, name: string, problems: string[]): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string") return value;
  problems.push(`pocketCoder.${name} must be a string; using "${fallback}".`);
  return fallback;
}

function pickStringArray(value: unknown, fallback: readonly string[], name: string, problems: string[]): readonly string[] {
  if (value === undefined || value === null) return fallback;
  if (Array.isArray(value)) {
    const strings = value.filter((item): item is string => typeof item === "string").map((item) => item.trim()).filter((item) => item !== "");
    if (strings.length !== value.length) problems.push(`pocketCoder.${name} must list strings only; ignoring the entries that are not.`);
    return strings;
  }
  problems.push(`pocketCoder.${name} must be a list of globs; using the defaults.`);
  return fallback;
}

function pickBoolean(value: unknown, fallback: boolean, name: string, problems: string[]): boolean {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  problems.push(`pocketCoder.${name} must be true or false; using ${fallback}.`);
  return fallback;
}

function pickInteger(value: unknown, fallback: number, min: number, max: number, name: string, problems: string[]): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  problems.push(`pocketCoder.${name} must be a whole number from ${min} to ${max}; using ${fallback}.`);
  return fallback;
}

/** Any number in range, fractions included (a test sets an idle time of seconds). */
function pickNumber(value: unknown, fallback: number, min: number, max: number, name: string, problems: string[]): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "number" && Number.isFinite(value) && value >= min && value <= max) return value;
  problems.push(`pocketCoder.${name} must be a number from ${min} to ${max}; using ${fallback}.`);
  return fallback;
}

function pickEnum<T extends string>(value: unknown, allowed: readonly T[], fallback: T, name: string, problems: string[]): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push(`pocketCoder.${name} must be one of ${allowed.join(", ")}; using "${fallback}".`);
  return fallback;
}
