/**
 * Which model file is loaded, on which hardware, and whether anything may be downloaded is decided
 * by the user alone: these settings have machine scope, and the client sends the server only their
 * user (global) values, never a workspace's, even if a workspace writes them. Pure (no `vscode`).
 */

/** Keys under `pocketCoder` that a workspace must never set (they are `"scope": "machine"` in package.json). */
export const MACHINE_SCOPED_KEYS = [
  "model.path",
  "model.directory",
  "explain.model.path",
  "gpu",
  "threads",
  "network.allowModelDownload",
  "model.unloadAfterMinutes",
  "model.unloadInBackgroundAfterMinutes",
  // A workspace must not point Pocket Coder at a server (nor make it trust a certificate authority).
  "engine.kind",
  "engine.url",
  "engine.model",
  "engine.fimFamily",
  "engine.caFile",
  "engine.contextSize",
] as const;

export type MachineScopedKey = (typeof MACHINE_SCOPED_KEYS)[number];

/**
 * A copy of the merged `pocketCoder` section whose machine-scoped keys carry `userValue(key)` instead
 * (the user's value, or the default); keys whose user value is undefined are removed, so the server's
 * defaults apply.
 */
export function withUserValuesOnly(section: unknown, userValue: (key: MachineScopedKey) => unknown): Record<string, unknown> {
  const copy = deepCopy(section);
  for (const key of MACHINE_SCOPED_KEYS) setPath(copy, key.split("."), userValue(key));
  return copy;
}

/** VS Code's own proxy settings (`http.*`), as the user set them. */
export interface VsCodeProxySettings {
  readonly proxy: unknown;
  readonly noProxy: unknown;
  readonly proxySupport: unknown;
  readonly proxyAuthorization: unknown;
}

/** VS Code's `http.*` settings that the engine's connection follows. */
export const PROXY_SETTING_KEYS = ["http.proxy", "http.noProxy", "http.proxySupport", "http.proxyAuthorization"] as const;

/**
 * The section with `engine.proxy` taken from VS Code's proxy settings, replacing whatever the section said: a
 * workspace cannot route the engine's traffic (the `http.*` values come from user settings only).
 */
export function withEngineProxy(section: Record<string, unknown>, http: VsCodeProxySettings): Record<string, unknown> {
  const engine = typeof section["engine"] === "object" && section["engine"] !== null && !Array.isArray(section["engine"])
    ? { ...(section["engine"] as Record<string, unknown>) }
    : {};
  engine["proxy"] = {
    url: typeof http.proxy === "string" ? http.proxy.trim() : "",
    noProxy: Array.isArray(http.noProxy) ? http.noProxy.filter((entry): entry is string => typeof entry === "string") : [],
    enabled: http.proxySupport !== "off",
    authorization: typeof http.proxyAuthorization === "string" ? http.proxyAuthorization.trim() : "",
  };
  return { ...section, engine };
}

function deepCopy(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return {};
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

function setPath(target: Record<string, unknown>, parts: readonly string[], value: unknown): void {
  const [head, ...rest] = parts;
  if (head === undefined) return;
  if (rest.length === 0) {
    if (value === undefined) delete target[head];
    else target[head] = value;
    return;
  }
  const child = target[head];
  const next = typeof child === "object" && child !== null && !Array.isArray(child) ? (child as Record<string, unknown>) : {};
  target[head] = next;
  setPath(next, rest, value);
}
