import * as http from "node:http";
import * as https from "node:https";
import type { Duplex } from "node:stream";
import * as tls from "node:tls";
import { EngineError } from "./EngineHttp";
import { proxyAuthorization, proxyEndpoint, proxyLabel, type ProxyRoute } from "./proxyRoute";

/**
 * An https agent whose connections are tunnels through an HTTP proxy: `CONNECT host:port` to the proxy, then TLS to
 * the engine inside the tunnel, so the engine's certificate (and the CA file) is checked end to end and the proxy
 * sees only the host name. Kept-alive tunnels are reused like any other socket.
 */
export class ProxyTunnelAgent extends https.Agent {
  constructor(options: https.AgentOptions, private readonly proxy: ProxyRoute, private readonly timeoutMs: number) {
    super(options);
  }

  override createConnection(options: https.RequestOptions, callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
    const target = `${formatHost(String(options.host ?? "localhost"))}:${String(options.port ?? 443)}`;
    let called = false;
    const done = (error: Error | null, socket?: Duplex) => {
      if (called) return;
      called = true;
      callback?.(error, socket as Duplex);
    };
    const connect = http.request({
      ...proxyEndpoint(this.proxy),
      method: "CONNECT", path: target, headers: { host: target, ...proxyAuthorization(this.proxy) }, agent: false, timeout: this.timeoutMs,
    });
    connect.once("connect", (response, socket) => {
      connect.setTimeout(0);
      const status = response.statusCode ?? 0;
      if (status < 200 || status >= 300) {
        socket.destroy();
        done(proxyStatusError(this.proxy, status, response.statusMessage ?? "", target));
        return;
      }
      done(null, tls.connect({ ...(options as tls.ConnectionOptions), socket }));
    });
    connect.once("timeout", () => {
      connect.destroy();
      done(new EngineError("timeout", `the proxy ${proxyLabel(this.proxy)} did not answer within ${(this.timeoutMs / 1000).toFixed(0)} s.`));
    });
    connect.once("error", (error: Error & { code?: string }) => done(proxyNetworkError(this.proxy, error)));
    connect.end();
    return undefined;
  }
}

/** A connection to the proxy itself failed: the message names the proxy and where it was set, never its credentials. */
export function proxyNetworkError(proxy: ProxyRoute, error: Error & { code?: string }, where?: string): EngineError {
  const code = error.code ?? "";
  const reason = code === "ECONNREFUSED" ? "connection refused"
    : code === "ENOTFOUND" || code === "EAI_AGAIN" ? "host not found"
      : code === "ECONNRESET" ? "connection reset"
        : code === "EHOSTUNREACH" || code === "ENETUNREACH" ? "host unreachable"
          : code || "connection failed";
  return new EngineError("unreachable", `${where === undefined ? "" : `${where}: `}cannot reach the proxy ${proxyLabel(proxy)}: ${reason}. ` +
    `Check ${proxy.source}, or add the engine's host to http.noProxy (NO_PROXY).`);
}

/** The proxy answered, but not with a way through. */
export function proxyStatusError(proxy: ProxyRoute, status: number, statusText: string, target: string): EngineError {
  if (status === 407) {
    return new EngineError("unreachable", `the proxy ${proxyLabel(proxy)} asks for credentials (HTTP 407): ` +
      `set ${proxy.source} to http://user:password@host:port.`, status);
  }
  return new EngineError("unreachable", `the proxy ${proxyLabel(proxy)} would not open a tunnel to ${target} (HTTP ${status}${statusText === "" ? "" : ` ${statusText}`}).`, status);
}

function formatHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
