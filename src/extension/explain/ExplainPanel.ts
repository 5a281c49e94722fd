import * as vscode from "vscode";
import { createNonce, renderExplainHtml } from "./explainHtml";
import { parseWebviewMessage, type ExplainMeta, type ExplainOutcome, type HostToWebviewMessage, type WebviewToHostMessage } from "./webviewMessages";

export type { ExplainMeta, ExplainOutcome } from "./webviewMessages";

interface RenderedWaiter {
  runId: number;
  resolve(text: string): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * The one "Explain" webview panel, reused for every explanation. The host keeps the explanation's full state
 * (meta, text so far, outcome), so a webview that loads late or reloads is brought up to date when it says "ready".
 * The webview renders the model's Markdown itself, sanitized; see webview/main.ts.
 */
export class ExplainPanel implements vscode.Disposable {
  static readonly viewType = "pocketCoder.explain";
  private static current: ExplainPanel | undefined;

  private readonly stopEmitter = new vscode.EventEmitter<void>();
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** The user pressed Stop while an explanation was streaming. The caller cancels the request, then calls finish. */
  readonly onDidRequestStop: vscode.Event<void> = this.stopEmitter.event;
  /** The panel was closed (by the user or by dispose()). A later createOrShow makes a new one. */
  readonly onDidDispose: vscode.Event<void> = this.disposeEmitter.event;

  private readonly subscriptions: vscode.Disposable[] = [];
  private webviewReady = false;
  private disposed = false;
  private runId = 0;
  private meta: ExplainMeta | undefined;
  private text = "";
  private outcome: ExplainOutcome | undefined;
  private rendered: { runId: number; textContent: string } | undefined;
  private waiters: RenderedWaiter[] = [];

  /** Shows the panel beside the editor (without taking focus), creating it on first use. */
  static createOrShow(extensionUri: vscode.Uri): ExplainPanel {
    const existing = ExplainPanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      return existing;
    }
    const mediaRoot = vscode.Uri.joinPath(extensionUri, "media", "explain");
    const panel = vscode.window.createWebviewPanel(
      ExplainPanel.viewType,
      "Explain",
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        enableForms: false,
        enableCommandUris: false,
        localResourceRoots: [mediaRoot],
        retainContextWhenHidden: true,
      },
    );
    panel.iconPath = vscode.Uri.joinPath(extensionUri, "media", "icon.png");
    ExplainPanel.current = new ExplainPanel(panel, mediaRoot);
    return ExplainPanel.current;
  }

  private constructor(private readonly panel: vscode.WebviewPanel, mediaRoot: vscode.Uri) {
    const { webview } = panel;
    // Listen before the HTML is set, so the webview's first "ready" is never missed.
    this.subscriptions.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidDispose(() => this.cleanUp()),
    );
    webview.html = renderExplainHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, "dist", "explain.js")).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(mediaRoot, "explain.css")).toString(),
    });
  }

  /** Whether an explanation has begun and not yet finished. */
  get isStreaming(): boolean {
    return this.meta !== undefined && this.outcome === undefined;
  }

  /** Starts a new explanation: clears the panel, shows the header and the "Generating…" spinner. */
  begin(meta: ExplainMeta): void {
    if (this.disposed) return;
    this.runId += 1;
    this.meta = { title: meta.title, subtitle: meta.subtitle, ...(meta.note ? { note: meta.note } : {}) };
    this.text = "";
    this.outcome = undefined;
    this.rendered = undefined;
    this.panel.title = meta.title ? `Explain: ${truncate(meta.title, 40)}` : "Explain";
    this.post({ type: "begin", runId: this.runId, meta: this.meta });
  }

  /** Adds streamed Markdown. Ignored when no explanation is streaming (e.g. chunks arriving after Stop). */
  append(markdownChunk: string): void {
    if (this.disposed || !this.isStreaming || markdownChunk === "") return;
    this.text += markdownChunk;
    this.post({ type: "append", runId: this.runId, text: markdownChunk });
  }

  /** Ends the explanation; the spinner always stops. Only the first finish of a run counts. */
  finish(outcome: ExplainOutcome): void {
    if (this.disposed || !this.isStreaming) return;
    const copy: ExplainOutcome = outcome.kind === "error" ? { kind: "error", message: outcome.message } : { kind: outcome.kind };
    this.outcome = copy;
    this.post({ type: "finish", runId: this.runId, outcome: copy });
  }

  /**
   * For end-to-end tests: resolves with the text content the webview reports once it has rendered the current
   * explanation's final state (after finish). Rejects after `timeoutMs` or when the panel closes.
   */
  waitForRenderedText(timeoutMs = 10_000): Promise<string> {
    if (this.rendered && this.rendered.runId === this.runId) return Promise.resolve(this.rendered.textContent);
    if (this.disposed) return Promise.reject(new Error("The Explain panel is closed."));
    return new Promise<string>((resolve, reject) => {
      const waiter: RenderedWaiter = {
        runId: this.runId,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((other) => other !== waiter);
          reject(new Error(`The Explain webview did not report a rendering within ${timeoutMs} ms.`));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
    });
  }

  /** The Markdown received so far for the current explanation. */
  get markdown(): string {
    return this.text;
  }

  /** Reveals the panel without taking focus. */
  reveal(): void {
    if (!this.disposed) this.panel.reveal(undefined, true);
  }

  dispose(): void {
    this.panel.dispose(); // fires panel.onDidDispose → cleanUp
  }

  private receive(raw: unknown): void {
    const message = parseWebviewMessage(raw);
    if (!message || this.disposed) return;
    switch (message.type) {
      case "ready":
        this.webviewReady = true;
        this.replay();
        return;
      case "stop":
        if (message.runId === this.runId && this.isStreaming) this.stopEmitter.fire();
        return;
      case "copy":
        void this.copy(message.requestId, message.text);
        return;
      case "rendered":
        this.onRendered(message);
        return;
    }
  }

  /** Sends the whole current state: used when the webview (re)loads. */
  private replay(): void {
    if (!this.meta) return;
    this.post({ type: "begin", runId: this.runId, meta: this.meta });
    if (this.text) this.post({ type: "append", runId: this.runId, text: this.text });
    if (this.outcome) this.post({ type: "finish", runId: this.runId, outcome: this.outcome });
  }

  private async copy(requestId: number, text: string): Promise<void> {
    let ok = true;
    try {
      await vscode.env.clipboard.writeText(text);
    } catch {
      ok = false;
    }
    this.post({ type: "copyResult", requestId, ok });
  }

  private onRendered(message: Extract<WebviewToHostMessage, { type: "rendered" }>): void {
    if (message.runId !== this.runId) return;
    this.rendered = { runId: message.runId, textContent: message.textContent };
    const [matching, others] = partition(this.waiters, (waiter) => waiter.runId === message.runId);
    this.waiters = others;
    for (const waiter of matching) {
      clearTimeout(waiter.timer);
      waiter.resolve(message.textContent);
    }
  }

  /** Messages sent before the webview is ready are dropped on purpose: "ready" replays the full state. */
  private post(message: HostToWebviewMessage): void {
    if (!this.webviewReady || this.disposed) return;
    // A message to a webview that is going away is dropped; there is nothing to do about it.
    this.panel.webview.postMessage(message).then(undefined, () => undefined);
  }

  private cleanUp(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (ExplainPanel.current === this) ExplainPanel.current = undefined;
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error("The Explain panel was closed."));
    }
    this.waiters = [];
    this.disposeEmitter.fire();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.stopEmitter.dispose();
    this.disposeEmitter.dispose();
  }
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function partition<T>(items: readonly T[], predicate: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (predicate(item) ? yes : no).push(item);
  return [yes, no];
}
