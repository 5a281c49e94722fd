import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import type { Connection, InitializeParams, TextDocumentContentChangeEvent, TextDocuments, TextDocumentsConfiguration } from "vscode-languageserver/node";
import type { TextDocument } from "vscode-languageserver-textdocument";
import {
  CONTEXT_CLIENT_CAPABILITY, DefinitionsRequest, VisibleRangesNotification, type ContextClientCapabilities,
} from "../../shared/protocol";
import type { PocketCoderSettings } from "../../shared/settings";
import { CompletionContext, type GatheredContext } from "../context/CompletionContext";
import { DefinitionLookup } from "../context/DefinitionLookup";
import { FilePolicy } from "../context/FilePolicy";
import { GitIgnoreIndex } from "../context/gitIgnore";
import { RecentChunks } from "../context/RecentChunks";
import type { Logger } from "../logger";

/** How long a completion waits for the editor's definitions (a late answer still fills the cache). */
export const DEFINITIONS_WAIT_MS = 40;
/** Files read from disk for a definition's text are at most this large. */
const MAX_DEFINITION_FILE_BYTES = 2 * 1024 * 1024;

/** Tells who listens which lines each incremental change touched (in the document after the change). */
export class EditTracker {
  listener: (uri: string, firstLine: number, lastLine: number) => void = () => undefined;

  /** TextDocument's own configuration, reporting every ranged change. */
  configuration(base: TextDocumentsConfiguration<TextDocument>): TextDocumentsConfiguration<TextDocument> {
    return {
      create: base.create,
      update: (document: TextDocument, changes: TextDocumentContentChangeEvent[], version: number) => {
        const updated = base.update(document, changes, version);
        for (const change of changes) {
          if (!("range" in change)) continue;
          const insertedLines = change.text.split("\n").length - 1;
          this.listener(document.uri, change.range.start.line, change.range.start.line + insertedLines);
        }
        return updated;
      },
    };
  }
}

/**
 * Wires the completion context (src/server/context) to the connection: the client's capabilities, edits, views,
 * definitions asked of the editor, closed documents. Holds no logic of its own.
 */
export class ContextFeature {
  readonly policy: FilePolicy;
  private readonly recent: RecentChunks;
  private readonly definitions: DefinitionLookup;
  private readonly context: CompletionContext;
  private capabilities: ContextClientCapabilities = {};

  constructor(
    private readonly connection: Connection,
    private readonly documents: TextDocuments<TextDocument>,
    edits: EditTracker,
    settings: () => PocketCoderSettings,
    private readonly workspacePath: (uri: string) => string,
    private readonly matchPath: (uri: string) => string,
    private readonly log: Logger,
  ) {
    this.policy = new FilePolicy(settings, matchPath, new GitIgnoreIndex());
    this.recent = new RecentChunks((uri) => documents.get(uri)?.getText().split(/\r?\n/));
    this.definitions = new DefinitionLookup({
      request: (params) => connection.sendRequest(DefinitionsRequest, params),
      available: () => this.capabilities.definitions === true,
      readLines: (uri) => this.readLines(uri),
      mayShare: (uri) => this.policy.mayShare(uri),
      waitMs: DEFINITIONS_WAIT_MS,
    });
    this.context = new CompletionContext({
      documents,
      mayShare: (uri) => this.policy.mayShare(uri),
      pathOf: workspacePath,
      definitions: this.definitions,
      recent: this.recent,
    });
    edits.listener = (uri, firstLine, lastLine) => {
      if (this.policy.mayShare(uri)) this.recent.edited(uri, firstLine, lastLine);
    };
  }

  /** Call from onInitialize. */
  initialize(params: InitializeParams): void {
    const experimental = params.capabilities.experimental as Record<string, unknown> | undefined;
    const announced = experimental?.[CONTEXT_CLIENT_CAPABILITY];
    this.capabilities = typeof announced === "object" && announced !== null ? (announced as ContextClientCapabilities) : {};
  }

  /** Call once, before the connection listens. */
  listen(): void {
    this.connection.onNotification(VisibleRangesNotification, (params) => {
      const uri = params.textDocument.uri;
      if (this.documents.get(uri) === undefined || !this.policy.mayShare(uri)) return;
      for (const range of params.ranges) this.recent.viewed(uri, range.start.line, range.end.line);
    });
    this.documents.onDidClose((event) => this.context.forget(event.document.uri));
  }

  /** The cross-file context for a completion at `offset`, logged at debug level. */
  async gather(document: TextDocument, offset: number, maxTokens: number, countTokens: (text: string) => number, signal: AbortSignal): Promise<GatheredContext> {
    const startedAt = performance.now();
    const gathered = await this.context.gather(document, offset, maxTokens, countTokens, signal);
    const chunks = gathered.chosen.map((chunk) => `${chunk.kind} ${chunk.path}:${chunk.startLine + 1}-${chunk.endLine + 1} ${JSON.stringify(firstLine(chunk.text))}`);
    this.log.debug(
      `context for ${this.workspacePath(document.uri)}: ${gathered.chosen.length} chunks, ${gathered.tokens} tokens in ` +
        `${(performance.now() - startedAt).toFixed(1)} ms (editor definitions ${this.capabilities.definitions === true ? "on" : "off"})` +
        (chunks.length === 0 ? "" : `: ${chunks.join("; ")}`),
    );
    return gathered;
  }

  private async readLines(uri: string): Promise<readonly string[] | undefined> {
    const open = this.documents.get(uri);
    if (open !== undefined) return open.getText().split(/\r?\n/);
    if (!uri.startsWith("file:")) return undefined;
    try {
      const filePath = fileURLToPath(uri);
      const stat = await fs.promises.stat(filePath);
      if (!stat.isFile() || stat.size > MAX_DEFINITION_FILE_BYTES) return undefined;
      return (await fs.promises.readFile(filePath, "utf8")).split(/\r?\n/);
    } catch (error) {
      this.log.debug(`Could not read ${uri} for a definition: ${String(error)}`);
      return undefined;
    }
  }
}

function firstLine(text: string): string {
  const line = text.split("\n").find((candidate) => candidate.trim() !== "" && !/^\s*(?:\/\/|\/\*|\*|#)/.test(candidate))?.trim() ?? "";
  return line.length > 100 ? `${line.slice(0, 100)}…` : line;
}
