import { spawn, type ChildProcess } from "node:child_process";

/** Wall-clock milliseconds with sub-millisecond resolution, comparable across processes on one machine. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface Reply {
  readonly result?: unknown;
  readonly error?: { code: number; message: string };
  /** nowMs() when the response was read from the server's stdout. */
  readonly receivedAt: number;
}

export interface SentRequest {
  readonly id: number;
  readonly sentAt: number;
  readonly reply: Promise<Reply>;
}

/** `receivedAt`: nowMs() when the message was read from the server's stdout. */
type Handler = (params: unknown, receivedAt: number) => unknown;

/**
 * A deliberately small JSON-RPC/LSP client over a child's stdio. Written by hand (not vscode-jsonrpc)
 * so that the benchmark controls exactly when a request, a cancellation and a response are stamped.
 */
export class LspConnection {
  readonly stderrLines: string[] = [];
  private closing = false;
  private nextId = 1;
  private buffer: Buffer = Buffer.alloc(0);
  private readonly pending = new Map<number, (reply: Reply) => void>();
  private readonly requestHandlers = new Map<string, Handler>();
  private readonly notificationHandlers = new Map<string, Handler>();
  private readonly stderrListeners = new Set<(line: string) => void>();
  private stderrRest = "";
  readonly exited: Promise<number | null>;

  private constructor(readonly child: ChildProcess) {
    child.stdout!.on("data", (chunk: Buffer) => this.onData(chunk));
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      const lines = (this.stderrRest + chunk).split("\n");
      this.stderrRest = lines.pop() ?? "";
      for (const line of lines) {
        this.stderrLines.push(line);
        for (const listener of this.stderrListeners) listener(line);
      }
    });
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => {
      // An unexpected exit leaves every pending request unanswered; say so rather than let the benchmark stall or end quietly.
      if (!this.closing) console.error(`The server exited unexpectedly (code ${code}, signal ${signal}). Its last stderr lines:\n${this.stderrLines.slice(-20).join("\n")}`);
      resolve(code);
    }));
  }

  static spawn(args: readonly string[], env: NodeJS.ProcessEnv = process.env): LspConnection {
    return new LspConnection(spawn(process.execPath, args, { stdio: ["pipe", "pipe", "pipe"], env }));
  }

  onRequest(method: string, handler: Handler): void { this.requestHandlers.set(method, handler); }
  onNotification(method: string, handler: Handler): void { this.notificationHandlers.set(method, handler); }
  onStderrLine(listener: (line: string) => void): void { this.stderrListeners.add(listener); }

  request(method: string, params: unknown): SentRequest {
    const id = this.nextId++;
    const reply = new Promise<Reply>((resolve) => this.pending.set(id, resolve));
    const sentAt = nowMs();
    this.write({ jsonrpc: "2.0", id, method, params });
    return { id, sentAt, reply };
  }

  notify(method: string, params: unknown): void {
    this.write({ jsonrpc: "2.0", method, params });
  }

  cancel(id: number): void {
    this.notify("$/cancelRequest", { id });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.child.exitCode === null) {
      const timer = setTimeout(() => this.child.kill(), 10_000);
      try {
        await this.request("shutdown", null).reply;
        this.notify("exit", null);
        await this.exited;
      } finally {
        clearTimeout(timer);
      }
    }
  }

  private write(message: unknown): void {
    const body = Buffer.from(JSON.stringify(message), "utf8");
    this.child.stdin!.write(Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, "ascii"), body]));
  }

  private onData(chunk: Buffer): void {
    const receivedAt = nowMs();
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf("\r\n\r\n");
      if (headerEnd < 0) return;
      const length = /Content-Length: *(\d+)/i.exec(this.buffer.subarray(0, headerEnd).toString("ascii"))?.[1];
      if (length === undefined) throw new Error("LSP message without Content-Length");
      const end = headerEnd + 4 + Number(length);
      if (this.buffer.length < end) return;
      const message = JSON.parse(this.buffer.subarray(headerEnd + 4, end).toString("utf8")) as {
        id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string };
      };
      this.buffer = this.buffer.subarray(end);
      this.dispatch(message, receivedAt);
    }
  }

  private dispatch(
    message: { id?: number | string; method?: string; params?: unknown; result?: unknown; error?: { code: number; message: string } },
    receivedAt: number,
  ): void {
    if (message.method !== undefined && message.id !== undefined) {
      const handler = this.requestHandlers.get(message.method);
      const result = handler === undefined ? null : handler(message.params, receivedAt);
      this.write({ jsonrpc: "2.0", id: message.id, result: result ?? null });
    } else if (message.method !== undefined) {
      this.notificationHandlers.get(message.method)?.(message.params, receivedAt);
    } else if (typeof message.id === "number") {
      const resolve = this.pending.get(message.id);
      this.pending.delete(message.id);
      resolve?.({
        receivedAt,
        ...(message.error === undefined ? { result: message.result } : { error: message.error }),
      });
    }
  }
}
