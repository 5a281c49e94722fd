import * as path from "node:path";
import * as vscode from "vscode";
import type { LanguageClient } from "vscode-languageclient/node";
import { ErrorCodes, LSPErrorCodes } from "vscode-languageserver-protocol";
import { ExplainRequest, type ExplainDiagnostic, type ExplainParams } from "../../shared/protocol";
import { ExplainPanel, type ExplainMeta } from "./ExplainPanel";
import { describeTarget, resolveExplainTarget, resolveProblemTarget, titleOf, type ExplainTarget, type SymbolLike } from "./explainTarget";

export const EXPLAIN_SELECTION_COMMAND = "pocketCoder.explainSelection";
/** Run by the "Explain this problem" code action, with (uri, diagnostic). Hidden from the Command Palette. */
export const EXPLAIN_PROBLEM_COMMAND = "pocketCoder.explainProblem";

/** Documents the language client syncs to the server (its documentSelector). */
const EXPLAINABLE_SCHEMES = new Set(["file", "untitled"]);
/** Waiting longer than this for document symbol providers is not worth it: the indentation block is used instead. */
const SYMBOLS_TIMEOUT_MS = 1500;

/** How one run of the command ended; the command returns it (end-to-end tests use it). */
export interface ExplainRunResult {
  readonly outcome: "done" | "stopped" | "error" | "nothing";
  /** The explanation's Markdown (what the panel received). */
  readonly text: string;
  readonly truncationNote?: string;
  /** For "error" and "nothing": what the user was told. */
  readonly message?: string;
}

interface Run {
  readonly cancellation: vscode.CancellationTokenSource;
  readonly panel: ExplainPanel;
}

/**
 * Explain Selection: picks the code (selection, else the enclosing symbol or block), opens the Explain panel,
 * and streams the server's explanation into it. Stop and closing the panel cancel the request; a newer
 * explanation cancels the older one. Every run ends the panel's spinner: done, stopped or error.
 */
export class ExplainController implements vscode.Disposable {
  private current: Run | undefined;
  private lastPanel: ExplainPanel | undefined;
  private runs = 0;

  constructor(private readonly client: LanguageClient, private readonly extensionUri: vscode.Uri, private readonly output: vscode.LogOutputChannel) {}

  /** The panel of the latest explanation, while it is open. */
  get panel(): ExplainPanel | undefined {
    return this.current?.panel ?? this.lastPanel;
  }

  async explainActiveEditor(): Promise<ExplainRunResult> {
    const editor = vscode.window.activeTextEditor;
    if (editor === undefined) return this.nothing("Open a file and select the code to explain.");
    const { document, selection } = editor;
    if (!EXPLAINABLE_SCHEMES.has(document.uri.scheme)) return this.nothing("Pocket Coder explains files on disk and untitled files only.");
    if (document.getText().trim() === "") return this.nothing("This file is empty: there is no code to explain.");
    const lines = linesOf(document);
    const symbols = selection.isEmpty ? await documentSymbols(document.uri) : [];
    const target = resolveExplainTarget({ lines, selection, symbols });
    if (target === undefined) return this.nothing("There is no code to explain here: select some code or put the cursor in it.");
    return this.run(document, target);
  }

  async explainProblem(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<ExplainRunResult> {
    const document = await vscode.workspace.openTextDocument(uri);
    if (!EXPLAINABLE_SCHEMES.has(document.uri.scheme)) return this.nothing("Pocket Coder explains files on disk and untitled files only.");
    const target = resolveProblemTarget(linesOf(document), diagnostic.range, await documentSymbols(uri));
    const code = typeof diagnostic.code === "object" ? diagnostic.code.value : diagnostic.code;
    return this.run(document, target, {
      message: diagnostic.message,
      ...(diagnostic.source === undefined ? {} : { source: diagnostic.source }),
      ...(code === undefined ? {} : { code: String(code) }),
    });
  }

  /** As the panel's Stop button: cancels the running request and ends the panel's run at once. */
  stop(): void {
    const run = this.current;
    if (run === undefined) return;
    run.cancellation.cancel();
    run.panel.finish({ kind: "stopped" });
  }

  dispose(): void {
    this.current?.cancellation.cancel();
    this.current = undefined;
  }

  private async run(document: vscode.TextDocument, target: ExplainTarget, diagnostic?: ExplainDiagnostic): Promise<ExplainRunResult> {
    // A newer explanation replaces the older one: cancel it; its late messages no longer reach the panel.
    this.current?.cancellation.cancel();
    const cancellation = new vscode.CancellationTokenSource();
    const panel = ExplainPanel.createOrShow(this.extensionUri);
    const run: Run = { cancellation, panel };
    this.current = run;
    this.lastPanel = panel;
    const isCurrent = () => this.current === run;

    const fileName = document.uri.scheme === "file" ? vscode.workspace.asRelativePath(document.uri, false) : path.basename(document.uri.path);
    const meta: ExplainMeta = {
      title: diagnostic === undefined ? titleOf(target) : "Explain problem",
      subtitle: describeTarget(fileName, target.range, document.languageId),
    };
    panel.begin(meta);

    const partialResultToken = `pocketCoder.explain.${process.pid}.${++this.runs}`;
    let text = "";
    let truncationNote: string | undefined;
    const showNote = (note: string) => {
      if (truncationNote !== undefined) return;
      truncationNote = note;
      // The note arrives before any text: showing it restarts the (still empty) run with the note in its header.
      if (isCurrent() && panel.markdown === "" && panel.isStreaming) panel.begin({ ...meta, note });
    };
    const subscriptions: vscode.Disposable[] = [
      this.client.onProgress(ExplainRequest, partialResultToken, (chunks) => {
        if (!isCurrent()) return;
        for (const chunk of chunks) {
          if (chunk.truncationNote !== undefined) showNote(chunk.truncationNote);
          if (chunk.text !== "") {
            text += chunk.text;
            panel.append(chunk.text);
          }
        }
      }),
      panel.onDidRequestStop(() => this.stop()),
      panel.onDidDispose(() => cancellation.cancel()),
    ];

    const params: ExplainParams = {
      textDocument: { uri: document.uri.toString() },
      range: { start: target.range.start, end: target.range.end },
      ...(diagnostic === undefined ? {} : { diagnostic }),
      partialResultToken,
    };
    try {
      const result = await this.client.sendRequest(ExplainRequest, params, cancellation.token);
      if (result.truncationNote !== undefined) showNote(result.truncationNote);
      if (text === "" && result.text !== "" && isCurrent()) {
        // A client or server without partial results: the whole text comes with the answer.
        text = result.text;
        panel.append(result.text);
      }
      const outcome = result.stopReason === "cancelled" || cancellation.token.isCancellationRequested ? "stopped" : "done";
      if (isCurrent()) panel.finish({ kind: outcome });
      return { outcome, text, ...(truncationNote === undefined ? {} : { truncationNote }) };
    } catch (error) {
      if (cancellation.token.isCancellationRequested || isCancellation(error)) {
        if (isCurrent()) panel.finish({ kind: "stopped" });
        return { outcome: "stopped", text };
      }
      const message = describeError(error);
      this.output.error(`Explain failed: ${message}`);
      if (isCurrent()) panel.finish({ kind: "error", message });
      return { outcome: "error", text, message };
    } finally {
      for (const subscription of subscriptions) subscription.dispose();
      cancellation.dispose();
      if (isCurrent()) this.current = undefined;
    }
  }

  private nothing(message: string): ExplainRunResult {
    void vscode.window.showInformationMessage(`Pocket Coder: ${message}`);
    return { outcome: "nothing", text: "", message };
  }
}

/** "Explain this problem" on every diagnostic under the cursor (at most three). */
export class ExplainProblemActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const diagnostics = context.diagnostics.slice(0, 3);
    return diagnostics.map((diagnostic) => {
      const title = diagnostics.length === 1
        ? "Explain this problem (Pocket Coder)"
        : `Explain "${shorten(diagnostic.message, 40)}" (Pocket Coder)`;
      const action = new vscode.CodeAction(title, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.command = { command: EXPLAIN_PROBLEM_COMMAND, title, arguments: [document.uri, diagnostic] };
      return action;
    });
  }
}

/** Registers the commands and the code action provider; returns the controller (the API exposes it to tests). */
export function registerExplain(context: vscode.ExtensionContext, client: LanguageClient, output: vscode.LogOutputChannel): ExplainController {
  const controller = new ExplainController(client, context.extensionUri, output);
  context.subscriptions.push(
    controller,
    vscode.commands.registerCommand(EXPLAIN_SELECTION_COMMAND, () => controller.explainActiveEditor()),
    vscode.commands.registerCommand(EXPLAIN_PROBLEM_COMMAND, (uri: vscode.Uri, diagnostic: vscode.Diagnostic) => controller.explainProblem(uri, diagnostic)),
    vscode.languages.registerCodeActionsProvider([...EXPLAINABLE_SCHEMES].map((scheme) => ({ scheme })), new ExplainProblemActions(), ExplainProblemActions.metadata),
  );
  return controller;
}

async function documentSymbols(uri: vscode.Uri): Promise<SymbolLike[]> {
  const symbols = Promise.resolve(vscode.commands.executeCommand<SymbolLike[] | undefined>("vscode.executeDocumentSymbolProvider", uri))
    .then((found) => found ?? [], () => []);
  const timeout = new Promise<SymbolLike[]>((resolve) => setTimeout(() => resolve([]), SYMBOLS_TIMEOUT_MS));
  return Promise.race([symbols, timeout]);
}

function linesOf(document: vscode.TextDocument): string[] {
  const lines: string[] = [];
  for (let line = 0; line < document.lineCount; line++) lines.push(document.lineAt(line).text);
  return lines;
}

/** A JSON-RPC error answer (ResponseError), recognised by shape: the client may bundle its own copy of the class. */
function responseError(error: unknown): { code: number; message: string } | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === "number" && typeof message === "string" ? { code, message } : undefined;
}

function isCancellation(error: unknown): boolean {
  const code = responseError(error)?.code;
  return code === LSPErrorCodes.RequestCancelled || code === LSPErrorCodes.ServerCancelled;
}

function describeError(error: unknown): string {
  const response = responseError(error);
  const text = response?.message ?? (error instanceof Error ? error.message : String(error));
  if (response?.code === ErrorCodes.PendingResponseRejected || /connection (got )?(disposed|closed)/i.test(text)) {
    return "The Pocket Coder server stopped while explaining. It restarts by itself; run Explain again in a moment.";
  }
  if (response !== undefined) {
    if (response.code === ErrorCodes.ConnectionInactive || /not running/i.test(response.message)) {
      return "The Pocket Coder server is not running. Run \"Pocket Coder: Restart Server\", or see \"Pocket Coder: Show Logs\".";
    }
    return response.message;
  }
  return `Explaining failed: ${text}`;
}

function shorten(text: string, max: number): string {
  const line = text.split("\n")[0] ?? text;
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
