import { BlockList, isIP } from "node:net";
import type { EngineProxySettings } from "../../../shared/settings";

/** The proxy a request to the engine goes through. */
export interface ProxyRoute {
  /** The proxy's URL, credentials included: they become `Proxy-Authorization` and are never shown. */
  readonly url: URL;
  /** Where the proxy was set, for messages: `http.proxy`, `HTTPS_PROXY`, … */
  readonly source: string;
  /** A `Proxy-Authorization` value given as such (http.proxyAuthorization); it wins over credentials in the URL. */
  readonly authorization?: string;
}

/** A proxy the environment names that cannot be used: said once, rather than connecting around it. */
export class ProxySettingError extends Error {}

/**
 * The proxy for requests to `target`, or undefined to connect directly, with the semantics users know from VS Code
 * (Chromium) and curl: `http.proxy` first, else the environment (`https_proxy`/`HTTPS_PROXY` for https, `http_proxy`/
 * `HTTP_PROXY` for http, then `ALL_PROXY`); `http.noProxy` and `NO_PROXY` both exempt hosts; loopback is always
 * reached directly unless the list says `<-loopback>` (as in Chromium).
 */
export function proxyRouteFor(target: URL, settings: EngineProxySettings, env: Readonly<Record<string, string | undefined>>): ProxyRoute | undefined {
  if (!settings.enabled) return undefined;
  const named = settings.url !== "" ? { value: settings.url, source: "http.proxy" } : proxyFromEnvironment(target, env);
  if (named === undefined) return undefined;
  const noProxy = [...settings.noProxy, ...splitList(env["no_proxy"] ?? env["NO_PROXY"] ?? "")];
  if (bypassesProxy(target, noProxy)) return undefined;
  // curl reads a proxy without a scheme ("proxy:3128") as http://.
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(named.value) ? named.value : `http://${named.value}`;
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== "http:" || url.hostname === "") {
    throw new ProxySettingError(
      `${named.source} is not an http:// proxy URL (${url === undefined ? "not a URL" : `${url.protocol}// is not supported`}): ` +
        `set http.proxy to http://host:port, or unset ${named.source}.`);
  }
  return { url, source: named.source, ...(settings.authorization === "" ? {} : { authorization: settings.authorization }) };
}

/** The proxy for messages: scheme, host and port, never the credentials. */
export function proxyLabel(route: ProxyRoute): string {
  return `http://${route.url.host} (${route.source})`;
}

/** Where a connection to the proxy goes: its host (without IPv6 brackets) and port (80 when the URL has none). */
export function proxyEndpoint(route: ProxyRoute): { host: string; port: number } {
  return { host: route.url.hostname.replace(/^\[|\]$/g, ""), port: route.url.port === "" ? 80 : Number(route.url.port) };
}

/** The `Proxy-Authorization` header: http.proxyAuthorization, else the credentials in the proxy URL, if any. */
export function proxyAuthorization(route: ProxyRoute): Record<string, string> {
  if (route.authorization !== undefined) return { "proxy-authorization": route.authorization };
  if (route.url.username === "" && route.url.password === "") return {};
  const credentials = `${decodeURIComponent(route.url.username)}:${decodeURIComponent(route.url.password)}`;
  return { "proxy-authorization": `Basic ${Buffer.from(credentials).toString("base64")}` };
}

/** Whether `target` is reached directly: a loopback host (unless `<-loopback>`), or one a NO_PROXY entry names. */
export function bypassesProxy(target: URL, noProxy: readonly string[]): boolean {
  const host = target.hostname.toLowerCase().replace(/^\[|\]$/g, "").replace(/\.$/, "");
  const port = target.port !== "" ? target.port : target.protocol === "https:" ? "443" : "80";
  const entries = noProxy.map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== "");
  if (!entries.includes("<-loopback>") && isLoopback(host)) return true;
  return entries.some((entry) => entryMatches(entry, host, port));
}

function proxyFromEnvironment(target: URL, env: Readonly<Record<string, string | undefined>>): { value: string; source: string } | undefined {
  const names = target.protocol === "https:" ? ["https_proxy", "HTTPS_PROXY"] : ["http_proxy", "HTTP_PROXY"];
  for (const name of [...names, "all_proxy", "ALL_PROXY"]) {
    const value = env[name]?.trim();
    if (value !== undefined && value !== "") return { value, source: name };
  }
  return undefined;
}

function splitList(list: string): string[] {
  return list.split(/[,\s]+/).filter((entry) => entry !== "");
}

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost") || host === "::1") return true;
  const v4 = host.startsWith("::ffff:") ? host.slice("::ffff:".length) : host;
  return isIP(v4) === 4 && v4.startsWith("127.");
}

/** One NO_PROXY entry: `*`, `<local>`, `host`, `.domain` / `*.domain` (and subdomains), `host:port`, an IP, a CIDR range. */
function entryMatches(entry: string, host: string, port: string): boolean {
  if (entry === "*") return true;
  if (entry === "<-loopback>") return false;
  if (entry === "<local>") return !host.includes(".") && isIP(host) === 0;
  let name = entry.replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  let entryPort: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(name);
  if (bracketed !== null) {
    name = bracketed[1]!;
    entryPort = bracketed[2];
  } else {
    const hostPort = /^([^:]+):(\d+)$/.exec(name);
    if (hostPort !== null) {
      name = hostPort[1]!;
      entryPort = hostPort[2];
    }
  }
  if (entryPort !== undefined && entryPort !== port) return false;
  const slash = name.indexOf("/");
  if (slash >= 0) return inRange(host, name.slice(0, slash), Number(name.slice(slash + 1)));
  if (isIP(name) !== 0) return isIP(host) !== 0 && sameAddress(name, host);
  const domain = name.replace(/^\*?\./, "");
  return domain !== "" && (host === domain || host.endsWith(`.${domain}`));
}

function inRange(host: string, network: string, prefix: number): boolean {
  const family = isIP(network);
  if (family === 0 || isIP(host) !== family || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) return false;
  const range = new BlockList();
  range.addSubnet(network, prefix, family === 4 ? "ipv4" : "ipv6");
  return range.check(host, family === 4 ? "ipv4" : "ipv6");
}

function sameAddress(a: string, b: string): boolean {
  const family = isIP(a);
  if (family !== isIP(b)) return false;
  const list = new BlockList();
  list.addAddress(a, family === 4 ? "ipv4" : "ipv6");
  return list.check(b, family === 4 ? "ipv4" : "ipv6");
}
