import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  CancellationTokenSource,
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  InlineCompletionRequest,
  InlineCompletionTriggerKind,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type InlineCompletionItem,
  type InlineCompletionList,
  type Position,
  type ProtocolConnection,
} from "vscode-languageserver-protocol/node";
import {
  DoctorRequest,
  ExplainRequest,
  isSettledState,
  ServerStatusNotification,
  type ExplainChunk,
  type ExplainParams,
  type ExplainResult,
  type ServerStatus,
} from "../../src/shared/protocol";

/** What an explain request streamed and how it ended. */
export interface ExplainExchange {
  /** Every `$/progress` batch of chunks, in arrival order. */
  readonly batches: ExplainChunk[][];
  /** The chunks flattened, in order. */
  readonly chunks: ExplainChunk[];
  /** Set when the request answered a result; `error` when it answered an error. */
  readonly result?: ExplainResult;
  readonly error?: { readonly code: number; readonly message: string; readonly data?: unknown };
  /** Milliseconds from sending to the first chunk with text, and to the answer. */
  readonly firstTextMs?: number;
  readonly totalMs: number;
}

export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
export const SERVER_MAIN = path.join(REPO_ROOT, "dist", "server.js");
export const CLI_MAIN = path.join(REPO_ROOT, "dist", "cli.js");

export interface StartOptions {
  /** The `pocketCoder` settings object sent as initializationOptions and returned to configuration pulls. */
  readonly settings: Record<string, unknown>;
  /** Start through the `pocket-coder serve --stdio` CLI instead of the server module. */
  readonly viaCli?: boolean;
  /** Another build's server module, e.g. the one inside an extracted VSIX (default: dist/server.js). */
  readonly serverMain?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly workspaceFolder?: string;
  /** Runs the server under these commands, e.g. ["unshare", "-n", "strace", "-f", …]; the node command line is appended. */
  readonly wrapper?: readonly string[];
  /** `ClientCapabilities.experimental`, e.g. to announce that this client answers `pocketCoder/definitions`. */
  readonly experimental?: Record<string, unknown>;
  /** Say, as the VS Code extension does, that this client shows the server status itself (no window/showMessage then). */
  readonly serverStatusUi?: boolean;
}

/** A minimal LSP client for tests: the real built server in a child process, spoken to over stdio. */
export class LspTestClient {
  readonly statuses: ServerStatus[] = [];
  readonly stderr: string[] = [];
  /** The server's log lines (window/logMessage), for failure messages. */
  readonly logs: string[] = [];
  /** window/showMessage notifications, in order. */
  readonly shownMessages: Array<{ type: number; message: string }> = [];
  private readonly statusWaiters = new Set<() => void>();
  private version = 1;
  private explainTokens = 0;

  private constructor(
    readonly process: ChildProcess,
    readonly connection: ProtocolConnection,
    public settings: Record<string, unknown>,
  ) {}

  static async start(options: StartOptions): Promise<LspTestClient> {
    const args = options.viaCli === true ? [CLI_MAIN, "serve", "--stdio"] : [options.serverMain ?? SERVER_MAIN, "--stdio"];
    const [command, ...commandArgs] = [...(options.wrapper ?? []), process.execPath, ...args];
    const child = spawn(command!, commandArgs, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...options.env } });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspTestClient(child, connection, options.settings);
    child.stderr!.on("data", (chunk: Buffer) => client.stderr.push(chunk.toString()));
    connection.onNotification(ServerStatusNotification, (status) => {
      client.statuses.push(status);
      for (const wake of [...client.statusWaiters]) wake();
    });
    connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => client.settings));
    connection.onRequest(RegistrationRequest.type, () => undefined);
    connection.onNotification("window/logMessage", (params: { message: string }) => {
      client.logs.push(params.message);
    });
    connection.onNotification("window/showMessage", (params: { type: number; message: string }) => {
      client.shownMessages.push(params);
    });
    connection.listen();

    const folder = options.workspaceFolder ?? REPO_ROOT;
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(folder).toString(),
      workspaceFolders: [{ uri: pathToFileURL(folder).toString(), name: path.basename(folder) }],
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: { inlineCompletion: { dynamicRegistration: false } },
        ...(options.experimental === undefined && options.serverStatusUi !== true ? {} : {
          experimental: { ...options.experimental, ...(options.serverStatusUi === true ? { pocketCoder: { serverStatusUi: true } } : {}) },
        }),
      },
      initializationOptions: options.settings,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  get lastStatus(): ServerStatus | undefined {
    return this.statuses.at(-1);
  }

  /** Resolves with the first status from index `from` on that satisfies `predicate`. */
  waitForStatus(predicate: (status: ServerStatus) => boolean, from = 0, timeoutMs = 60_000): Promise<ServerStatus> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.statuses.slice(from).find(predicate);
        if (found === undefined) return false;
        cleanup();
        resolve(found);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`No matching status within ${timeoutMs} ms; got ${JSON.stringify(this.statuses.slice(from))}\n${this.stderr.join("")}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.statusWaiters.delete(wake);
      };
      const wake = () => void check();
      if (!check()) this.statusWaiters.add(wake);
    });
  }

  /** Replaces the settings the client reports and tells the server they changed; resolves on the next settled status. */
  async changeSettings(settings: Record<string, unknown>): Promise<ServerStatus> {
    const from = this.statuses.length;
    this.settings = settings;
    await this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
    return this.waitForStatus((status) => isSettledState(status.state), from);
  }

  /**
   * The first settled status from `from` on; when the model waits for its first use ("unloaded"), loads it with the
   * Doctor's speed check (a first need, like a completion, that opens no document) and resolves with what follows.
   */
  async waitForModel(from = 0, timeoutMs = 60_000): Promise<ServerStatus> {
    const settled = await this.waitForStatus((status) => isSettledState(status.state), from, timeoutMs);
    if (settled.state !== "unloaded") return settled;
    const mark = this.statuses.length;
    await this.connection.sendRequest(DoctorRequest, { measureSpeed: true });
    return this.waitForStatus((status) => isSettledState(status.state) && status.state !== "unloaded", mark, timeoutMs);
  }

  async open(uri: string, text: string, languageId = "typescript"): Promise<void> {
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId, version: this.version++, text } });
  }

  async replaceText(uri: string, text: string): Promise<void> {
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri, version: this.version++ },
      contentChanges: [{ text }],
    });
  }

  async complete(uri: string, position: Position, cancel?: CancellationTokenSource): Promise<InlineCompletionItem[]> {
    const result: InlineCompletionList | InlineCompletionItem[] | null = await this.connection.sendRequest(
      InlineCompletionRequest.type,
      { textDocument: { uri }, position, context: { triggerKind: InlineCompletionTriggerKind.Automatic } },
      cancel?.token,
    );
    if (result === null) return [];
    return Array.isArray(result) ? result : result.items;
  }

  /**
   * Sends `pocketCoder/explain` with a fresh partialResultToken and collects the `$/progress` chunks that arrive
   * for it. `onChunk` sees each chunk as it arrives (e.g. to cancel mid-stream). Never rejects on a ResponseError.
   */
  async explain(
    params: Omit<ExplainParams, "partialResultToken">,
    options: { cancel?: CancellationTokenSource; onChunk?: (chunk: ExplainChunk) => void } = {},
  ): Promise<ExplainExchange> {
    const token = `explain-${++this.explainTokens}`;
    const batches: ExplainChunk[][] = [];
    const startedAt = performance.now();
    let firstTextMs: number | undefined;
    const subscription = this.connection.onProgress(ExplainRequest, token, (batch) => {
      batches.push(batch);
      for (const chunk of batch) {
        if (chunk.text !== "") firstTextMs ??= performance.now() - startedAt;
        options.onChunk?.(chunk);
      }
    });
    try {
      const result = await this.connection.sendRequest(ExplainRequest, { ...params, partialResultToken: token }, options.cancel?.token);
      return { batches, chunks: batches.flat(), result, ...(firstTextMs === undefined ? {} : { firstTextMs }), totalMs: performance.now() - startedAt };
    } catch (error) {
      const { code, message, data } = error as { code: number; message: string; data?: unknown };
      return {
        batches, chunks: batches.flat(), error: { code, message, ...(data === undefined ? {} : { data }) },
        ...(firstTextMs === undefined ? {} : { firstTextMs }), totalMs: performance.now() - startedAt,
      };
    } finally {
      subscription.dispose();
    }
  }

  /** Shuts down politely; resolves with the exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => {
      if (this.process.exitCode !== null) resolve(this.process.exitCode);
      else this.process.once("exit", (code) => resolve(code));
    });
    try {
      await this.connection.sendRequest(ShutdownRequest.type);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      this.process.kill();
    }
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}

export function fileUri(name: string): string {
  return pathToFileURL(path.join(REPO_ROOT, name)).toString();
}
