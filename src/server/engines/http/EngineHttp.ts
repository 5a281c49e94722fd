import * as http from "node:http";
import * as https from "node:https";
import { proxyAuthorization, proxyEndpoint, type ProxyRoute } from "./proxyRoute";
import { ProxyTunnelAgent, proxyNetworkError, proxyStatusError } from "./proxyTunnel";

/** Why a request to the engine failed, so the status can say what to do. */
export type EngineErrorKind = "unreachable" | "timeout" | "auth" | "notFound" | "server" | "badRequest" | "protocol";

export class EngineError extends Error {
  constructor(readonly kind: EngineErrorKind, message: string, readonly status?: number) {
    super(message);
    this.name = "EngineError";
  }

  /** The server may come back by itself (restart, network): retry with backoff and fail fast meanwhile. */
  get isTransient(): boolean {
    return this.kind === "unreachable" || this.kind === "timeout" || this.kind === "server";
  }
}

export interface EngineHttpOptions {
  /** The server's base URL, e.g. http://gpu-box:8080 (a path prefix is kept). */
  readonly baseUrl: string;
  /** Sent as `Authorization: Bearer …`; never logged. */
  readonly apiKey?: string;
  /** PEM certificates to trust besides the system's (a team's own CA). */
  readonly ca?: string | Buffer;
  /** No answer (headers, or the next piece of a stream) within this long fails the request. */
  readonly timeoutMs?: number;
  /**
   * The same for a streamed generation (`lines`): a server says nothing while it reads a long prompt, which on a
   * CPU server can take far longer than a health check may. A request nobody waits for any more is aborted anyway.
   */
  readonly generationTimeoutMs?: number;
  /** The HTTP proxy to go through (see proxyRouteFor); absent: connect directly. */
  readonly proxy?: ProxyRoute;
}

const DEFAULT_TIMEOUT_MS = 15_000;
const DEFAULT_GENERATION_TIMEOUT_MS = 120_000;

/**
 * HTTP to one inference server, on Node's own http/https: JSON requests and line-streamed answers (SSE or NDJSON),
 * each abortable (aborting closes the connection, which llama-server, vLLM and Ollama take as a cancellation).
 * Connections go to the configured host only, or only to the configured proxy: an http:// engine through it by
 * absolute-URI requests, an https:// one through a CONNECT tunnel (TLS end to end with the engine).
 */
export class EngineHttp {
  readonly base: URL;
  private readonly agent: http.Agent;

  constructor(private readonly options: EngineHttpOptions) {
    const base = new URL(options.baseUrl);
    if (base.protocol !== "http:" && base.protocol !== "https:") throw new EngineError("badRequest", `${options.baseUrl} is not an http(s) URL.`);
    if (!base.pathname.endsWith("/")) base.pathname += "/";
    this.base = base;
    const ca = options.ca === undefined ? {} : { ca: options.ca };
    this.agent = base.protocol === "http:" ? new http.Agent({ keepAlive: true })
      : options.proxy !== undefined ? new ProxyTunnelAgent({ keepAlive: true, ...ca }, options.proxy, options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
        : new https.Agent({ keepAlive: true, ...ca });
  }

  /** The proxy requests go through, if any. */
  get proxy(): ProxyRoute | undefined {
    return this.options.proxy;
  }

  /** host:port, for the status bar. */
  get hostLabel(): string {
    return this.base.host;
  }

  /** The URL of `path` (relative to the base URL), without credentials, for messages. */
  describe(path: string): string {
    return new URL(path.replace(/^\//, ""), this.base).toString();
  }

  /** A request whose answer is one JSON document. */
  async json<T>(method: "GET" | "POST", path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let text = "";
    await this.request(method, path, body, signal, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, (chunk) => {
      text += chunk;
    });
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new EngineError("protocol", `${this.describe(path)} did not answer JSON (${text.slice(0, 80)}).`);
    }
  }

  /** A streamed answer, one line at a time (SSE `data:` lines or NDJSON); resolves when the stream ends. */
  async lines(path: string, body: unknown, signal: AbortSignal, onLine: (line: string) => void): Promise<void> {
    let pending = "";
    const timeoutMs = this.options.generationTimeoutMs ?? DEFAULT_GENERATION_TIMEOUT_MS;
    await this.request("POST", path, body, signal, timeoutMs, (chunk) => {
      pending += chunk;
      let newline = pending.indexOf("\n");
      while (newline >= 0) {
        const line = pending.slice(0, newline).replace(/\r$/, "");
        pending = pending.slice(newline + 1);
        if (line !== "") onLine(line);
        newline = pending.indexOf("\n");
      }
    });
    if (pending.trim() !== "") onLine(pending.trim());
  }

  dispose(): void {
    this.agent.destroy();
  }

  private async request(
    method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal | undefined, timeoutMs: number, onChunk: (text: string) => void,
  ): Promise<void> {
    try {
      await this.attempt(method, path, body, signal, timeoutMs, onChunk);
    } catch (error) {
      // A kept-alive socket the server closed meanwhile (llama-server closes idle ones) fails at once: that is no
      // outage, so the request goes once more on a fresh connection (Node's documented reusedSocket pattern).
      if (!(error instanceof StaleSocketError)) throw error;
      await this.attempt(method, path, body, signal, timeoutMs, onChunk, false);
    }
  }

  private attempt(
    method: "GET" | "POST", path: string, body: unknown, signal: AbortSignal | undefined, timeoutMs: number, onChunk: (text: string) => void,
    mayRetry = true,
  ): Promise<void> {
    const url = new URL(path.replace(/^\//, ""), this.base);
    const where = this.describe(path);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: "application/json, text/event-stream, application/x-ndjson" };
    if (payload !== undefined) headers["content-type"] = "application/json";
    if (this.options.apiKey !== undefined && this.options.apiKey !== "") headers["authorization"] = `Bearer ${this.options.apiKey}`;
    const transport = url.protocol === "https:" ? https : http;
    // An http:// engine behind a proxy: the request goes to the proxy, naming the engine's URL in full.
    const forward = url.protocol === "http:" ? this.options.proxy : undefined;

    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(abortError());
        return;
      }
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        if (error === undefined) resolve();
        else reject(error);
      };
      let answered = false;
      const onResponse = (response: http.IncomingMessage) => {
        answered = true;
        const status = response.statusCode ?? 0;
        response.setEncoding("utf8");
        if (forward !== undefined && status === 407) {
          response.resume();
          finish(new EngineError("unreachable", `${where}: ${proxyStatusError(forward, status, "", url.host).message}`, status));
          return;
        }
        if (status < 200 || status >= 300) {
          let text = "";
          response.on("data", (chunk: string) => {
            if (text.length < 2000) text += chunk;
          });
          response.on("end", () => finish(statusError(status, where, text)));
          response.on("error", () => finish(statusError(status, where, text)));
          return;
        }
        response.on("data", (chunk: string) => {
          try {
            onChunk(chunk);
          } catch (error) {
            request.destroy();
            finish(error instanceof Error ? error : new Error(String(error)));
          }
        });
        response.on("end", () => finish());
        response.on("error", (error) => finish(signal?.aborted === true ? abortError() : networkError(error, where)));
        response.on("aborted", () => finish(signal?.aborted === true ? abortError() : new EngineError("unreachable", `${where}: the connection closed mid-answer.`)));
      };
      const request = forward === undefined
        ? transport.request(url, { method, headers, agent: this.agent, timeout: timeoutMs }, onResponse)
        : http.request({
          ...proxyEndpoint(forward), path: url.href, method,
          headers: { ...headers, host: url.host, ...proxyAuthorization(forward) }, agent: this.agent, timeout: timeoutMs,
        }, onResponse);
      const onAbort = () => {
        request.destroy();
        finish(abortError());
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      // The socket timeout covers connecting, waiting for headers and every gap in a stream: a hung server fails the request.
      request.on("timeout", () => {
        request.destroy();
        finish(new EngineError("timeout", `${where} did not answer within ${(timeoutMs / 1000).toFixed(0)} s.`));
      });
      request.on("error", (error: Error & { code?: string }) => {
        if (signal?.aborted === true) finish(abortError());
        else if (mayRetry && request.reusedSocket && !answered && (error.code === "ECONNRESET" || error.code === "EPIPE")) finish(new StaleSocketError());
        // The tunnel agent's own failures (the proxy down, refusing the tunnel) already say what went wrong.
        else if (error instanceof EngineError) finish(new EngineError(error.kind, `${where}: ${error.message}`, error.status));
        else if (forward !== undefined) finish(proxyNetworkError(forward, error, where));
        else finish(networkError(error, where));
      });
      request.end(payload);
    });
  }
}

/** A request on a kept-alive socket that the server had closed: retried on a new connection. */
class StaleSocketError extends Error {}

/** The error an aborted request rejects with. */
export function abortError(): Error {
  const error = new Error("The request was aborted.");
  error.name = "AbortError";
  return error;
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}

function statusError(status: number, where: string, body: string): EngineError {
  const detail = serverMessage(body);
  const said = detail === "" ? "" : `: ${detail}`;
  if (status === 401 || status === 403) {
    return new EngineError("auth", `${where} refused the API key (HTTP ${status}${said}). Set it with "Pocket Coder: Set Engine API Key…".`, status);
  }
  if (status === 404) return new EngineError("notFound", `${where} answered 404 Not Found${said}.`, status);
  if (status >= 500) return new EngineError("server", `${where} failed with HTTP ${status}${said}.`, status);
  return new EngineError("badRequest", `${where} rejected the request (HTTP ${status}${said}).`, status);
}

/** The message an OpenAI-style, llama-server or Ollama error body carries, else its first characters. */
function serverMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: string | { message?: string } };
    const error = parsed.error;
    if (typeof error === "string") return error;
    if (typeof error?.message === "string") return error.message;
  } catch {
    // not JSON
  }
  return body.trim().slice(0, 200);
}

function networkError(error: Error & { code?: string }, where: string): EngineError {
  const code = error.code ?? "";
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code)) {
    return new EngineError("unreachable", `${where}: the server's TLS certificate is not trusted (${code}). Set pocketCoder.engine.caFile to your CA's PEM file.`);
  }
  const reason = code === "ECONNREFUSED" ? "connection refused (is the server running?)"
    : code === "ENOTFOUND" || code === "EAI_AGAIN" ? "host not found"
      : code === "ECONNRESET" ? "connection reset"
        : code === "EHOSTUNREACH" || code === "ENETUNREACH" ? "host unreachable"
          : error.message;
  return new EngineError("unreachable", `${where}: ${reason}.`);
}
