// The Explain Selection controller against a minimal fake of `vscode` and of the language client: what it sends,
// how chunks reach the panel, and that every run ends (done, stopped, error) — Stop, closing the panel and a newer
// explanation cancel the request.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeEventEmitter, requireWithFakeVscode } from "./fakeVscode";
import type { ExplainChunk, ExplainParams, ExplainResult } from "../../../src/shared/protocol";


class FakeCancellationTokenSource {
  private readonly emitter = new FakeEventEmitter<void>();
  readonly token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    if (this.token.isCancellationRequested) return;
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {}
}

class FakeWebviewPanel {
  title: string;
  iconPath: unknown;
  readonly posted: Array<Record<string, unknown>> = [];
  private readonly messages = new FakeEventEmitter<unknown>();
  private readonly disposeEmitter = new FakeEventEmitter<void>();
  private disposed = false;
  readonly onDidDispose = this.disposeEmitter.event;
  readonly webview = {
    cspSource: "https://*.vscode-cdn.net",
    html: "",
    asWebviewUri: (uri: { path: string }) => ({ toString: () => `https://webview.test${uri.path}` }),
    onDidReceiveMessage: this.messages.event,
    postMessage: (message: Record<string, unknown>): Promise<boolean> => {
      this.posted.push(message);
      return Promise.resolve(true);
    },
  };
  constructor(_viewType: string, title: string) {
    this.title = title;
  }
  reveal(): void {}
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }
  fromWebview(message: unknown): void {
    this.messages.fire(message);
  }
}

interface FakeDocument {
  uri: { scheme: string; path: string; toString(): string };
  languageId: string;
  lineCount: number;
  getText(): string;
  lineAt(line: number): { text: string };
}

function fakeDocument(path: string, text: string, languageId = "typescript"): FakeDocument {
  const lines = text.split("\n");
  return {
    uri: { scheme: "file", path, toString: () => `file://${path}` },
    languageId,
    lineCount: lines.length,
    getText: () => text,
    lineAt: (line: number) => ({ text: lines[line] ?? "" }),
  };
}

const pos = (line: number, character: number) => ({ line, character });
function selection(a: number, b: number, c: number, d: number) {
  return { start: pos(a, b), end: pos(c, d), isEmpty: a === c && b === d };
}

const webviewPanels: FakeWebviewPanel[] = [];
const infoMessages: string[] = [];
let activeEditor: { document: FakeDocument; selection: ReturnType<typeof selection> } | undefined;
let documentSymbols: unknown[] = [];

const fakeVscode = {
  Uri: { joinPath: (base: { path: string }, ...parts: string[]) => ({ path: [base.path, ...parts].join("/") }) },
  ViewColumn: { Beside: -2 },
  EventEmitter: FakeEventEmitter,
  CancellationTokenSource: FakeCancellationTokenSource,
  CodeActionKind: { QuickFix: "quickfix" },
  window: {
    get activeTextEditor() {
      return activeEditor;
    },
    createWebviewPanel: (viewType: string, title: string) => {
      const panel = new FakeWebviewPanel(viewType, title);
      webviewPanels.push(panel);
      return panel;
    },
    showInformationMessage: (message: string) => {
      infoMessages.push(message);
      return Promise.resolve(undefined);
    },
  },
  commands: {
    executeCommand: (command: string) => Promise.resolve(command === "vscode.executeDocumentSymbolProvider" ? documentSymbols : undefined),
  },
  workspace: { asRelativePath: (uri: { path: string }) => uri.path.replace(/^\/work\//, "") },
  env: { clipboard: { writeText: () => Promise.resolve() } },
};

const { ExplainController } = requireWithFakeVscode<typeof import("../../../src/extension/explain/explainCommand")>(fakeVscode, __filename, "../../../src/extension/explain/explainCommand");

interface PendingRequest {
  params: ExplainParams;
  token: FakeCancellationTokenSource["token"];
  resolve(result: ExplainResult): void;
  reject(error: unknown): void;
}

class FakeClient {
  readonly requests: PendingRequest[] = [];
  readonly progress = new Map<string | number, (chunks: ExplainChunk[]) => void>();
  onProgress(_type: unknown, token: string | number, handler: (chunks: ExplainChunk[]) => void) {
    this.progress.set(token, handler);
    return { dispose: () => this.progress.delete(token) };
  }
  sendRequest(_type: unknown, params: ExplainParams, token: FakeCancellationTokenSource["token"]): Promise<ExplainResult> {
    return new Promise((resolve, reject) => this.requests.push({ params, token, resolve, reject }));
  }
  /** Streams chunks for request `index`, as `$/progress` would. */
  stream(index: number, ...chunks: ExplainChunk[]): void {
    const token = this.requests[index]?.params.partialResultToken;
    assert.ok(token !== undefined);
    this.progress.get(token)?.(chunks);
  }
}

const output = { error: () => undefined };
const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  const client = new FakeClient();
  const controller = new ExplainController(client as never, { path: "/ext" } as never, output as never);
  return { client, controller };
}

/** The webview's view of the latest panel: what it was sent after saying "ready". */
function webviewMessages(): Array<Record<string, unknown>> {
  const panel = webviewPanels.at(-1);
  assert.ok(panel);
  panel.fromWebview({ type: "ready" });
  return panel.posted;
}

const CODE = "export function add(a: number, b: number) {\n  return a + b;\n}\n";

describe("Explain Selection controller", () => {
  afterEach(() => {
    for (const panel of webviewPanels) panel.dispose();
    webviewPanels.length = 0;
    infoMessages.length = 0;
    activeEditor = undefined;
    documentSymbols = [];
  });

  test("explains the selection: one request with a partial result token; chunks stream into the panel; done", async () => {
    const { client, controller } = setup();
    activeEditor = { document: fakeDocument("/work/src/add.ts", CODE), selection: selection(0, 0, 2, 1) };
    const running = controller.explainActiveEditor();
    await flush();
    const request = client.requests[0];
    assert.ok(request);
    assert.deepEqual(request.params.range, { start: pos(0, 0), end: pos(2, 1) });
    assert.equal(request.params.textDocument.uri, "file:///work/src/add.ts");
    assert.equal(typeof request.params.partialResultToken, "string");
    assert.equal(controller.panel?.isStreaming, true);

    client.stream(0, { text: "Adds " }, { text: "two numbers." });
    assert.equal(controller.panel?.markdown, "Adds two numbers.");
    request.resolve({ text: "Adds two numbers.", model: "m", stopReason: "done" });
    assert.deepEqual(await running, { outcome: "done", text: "Adds two numbers." });
    assert.equal(controller.panel?.isStreaming, false);
    assert.deepEqual(webviewMessages().map((message) => message.type), ["begin", "append", "finish"]);
    assert.deepEqual(webviewPanels.at(-1)?.posted[0], { type: "begin", runId: 1, meta: { title: "Explain selection", subtitle: "src/add.ts · lines 1–3 · typescript" } });
    assert.equal(client.progress.size, 0, "the progress handler is removed");
  });

  test("no selection: the symbol around the cursor is explained", async () => {
    const { client, controller } = setup();
    documentSymbols = [{ name: "add", range: { start: pos(0, 0), end: pos(2, 1) }, children: [] }];
    activeEditor = { document: fakeDocument("/work/src/add.ts", CODE), selection: selection(1, 4, 1, 4) };
    const running = controller.explainActiveEditor();
    await flush();
    assert.deepEqual(client.requests[0]?.params.range, { start: pos(0, 0), end: pos(2, 1) });
    client.requests[0]?.resolve({ text: "", model: "m", stopReason: "done" });
    await running;
    assert.equal((webviewMessages()[0]?.meta as { title: string }).title, "Explain `add`");
  });

  test("an empty file or no editor: a message, no request, no panel", async () => {
    const { client, controller } = setup();
    assert.equal((await controller.explainActiveEditor()).outcome, "nothing");
    activeEditor = { document: fakeDocument("/work/empty.ts", "\n  \n"), selection: selection(0, 0, 0, 0) };
    const result = await controller.explainActiveEditor();
    assert.equal(result.outcome, "nothing");
    assert.deepEqual(infoMessages, ["Pocket Coder: Open a file and select the code to explain.", "Pocket Coder: This file is empty: there is no code to explain."]);
    assert.equal(client.requests.length, 0);
    assert.equal(webviewPanels.length, 0);
  });

  test("the truncation note arrives first and goes into the panel's header", async () => {
    const { client, controller } = setup();
    activeEditor = { document: fakeDocument("/work/src/add.ts", CODE), selection: selection(0, 0, 2, 1) };
    const running = controller.explainActiveEditor();
    await flush();
    client.stream(0, { text: "", truncationNote: "Only lines 1–2 were explained." }, { text: "Adds." });
    client.requests[0]?.resolve({ text: "Adds.", truncationNote: "Only lines 1–2 were explained.", model: "m", stopReason: "done" });
    assert.deepEqual(await running, { outcome: "done", text: "Adds.", truncationNote: "Only lines 1–2 were explained." });
    const begin = webviewMessages()[0];
    assert.deepEqual((begin?.meta as { note?: string }).note, "Only lines 1–2 were explained.");
    assert.equal(controller.panel?.markdown, "Adds.");
  });

  test("Stop cancels the request and ends the run at once; the late answer changes nothing", async () => {
    const { client, controller } = setup();
    activeEditor = { document: fakeDocument("/work/src/add.ts", CODE), selection: selection(0, 0, 2, 1) };
    const running = controller.explainActiveEditor();
    await flush();
    client.stream(0, { text: "Adds" });
    controller.stop();
    assert.equal(client.requests[0]?.token.isCancellationRequested, true);
    assert.equal(controller.panel?.isStreaming, false, "no spinner after Stop");
    client.stream(0, { text: " more" });
    client.requests[0]?.resolve({ text: "Adds more", model: "m", stopReason: "cancelled" });
    assert.equal((await running).outcome, "stopped");
    assert.equal(controller.panel?.markdown, "Adds");
    assert.deepEqual(webviewMessages().at(-1), { type: "finish", runId: 1, outcome: { kind: "stopped" } });
  });

  test("the webview's Stop button does the same", async () => {
    const { client, controller } = setup();
    activeEditor = { document: fakeDocument("/work/src/add.ts", CODE), selection: selection(0, 0, 2, 1) };
    const running = controller.explainActiveEditor();
    await flush();
    webviewPanels.at(-1)?.fromWebview({ type: "ready" });
    webviewPanels.at(-1)?.fromWebview({ type: "stop", runId: 1 });
    assert.equal(client.requests[0]?.token.isCancellationRequested, true);
    client.requests[0]?.reject({ code: -32800, message: "Request cancelled" });
    assert.equal((await running).outcome, "stopped");
  });

  test("closing the panel cancels the request", async () => {
    const { client, controller } = setup();
    activeEditor = { document: fakeDocument("/work/src/add.ts", CODE), selection: selection(0, 0, 2, 1) };
    const running = controller.explainActiveEditor();
    await flush();
    webviewPanels.at(-1)?.dispose();
    assert.equal(client.requests[0]?.token.isCancellationRequested, true);
    client.requests[0]?.resolve({ text: "", model: "m", stopReason: "cancelled" });
    assert.equal((await running).outcome, "stopped");
  });

  test("a newer explanation cancels the older one, whose late chunks and answer stay out of the panel", async () => {
    const { client, controller } = setup();
    activeEditor = { document: fakeDocument("/work/src/add.ts", CODE), selection: selection(0, 0, 2, 1) };
    const older = controller.explainActiveEditor();
    await flush();
    client.stream(0, { text: "Old " });
    activeEditor = { document: fakeDocument("/work/src/add.ts", CODE), selection: selection(1, 0, 1, 15) };
    const newer = controller.explainActiveEditor();
    await flush();
    assert.equal(client.requests[0]?.token.isCancellationRequested, true);
    assert.equal(client.requests[1]?.token.isCancellationRequested, false);
    assert.notEqual(client.requests[0]?.params.partialResultToken, client.requests[1]?.params.partialResultToken);

    client.stream(0, { text: "late" });
    client.requests[0]?.resolve({ text: "Old late", model: "m", stopReason: "cancelled" });
    assert.equal((await older).outcome, "stopped");
    assert.equal(controller.panel?.isStreaming, true, "the newer run still streams");
    client.stream(1, { text: "New." });
    client.requests[1]?.resolve({ text: "New.", model: "m", stopReason: "done" });
    assert.deepEqual(await newer, { outcome: "done", text: "New." });
    assert.equal(controller.panel?.markdown, "New.");
    assert.equal(webviewPanels.length, 1, "one panel, reused");
  });

  test("a server error ends the run with its message; a stopped server says how to recover", async () => {
    const { client, controller } = setup();
    activeEditor = { document: fakeDocument("/work/src/add.ts", CODE), selection: selection(0, 0, 2, 1) };
    const running = controller.explainActiveEditor();
    await flush();
    client.requests[0]?.reject({ code: -32803, message: "No model is loaded to explain with: choose one." });
    assert.deepEqual(await running, { outcome: "error", text: "", message: "No model is loaded to explain with: choose one." });
    assert.deepEqual(webviewMessages().at(-1), { type: "finish", runId: 1, outcome: { kind: "error", message: "No model is loaded to explain with: choose one." } });

    const again = controller.explainActiveEditor();
    await flush();
    client.requests[1]?.reject({ code: -32097, message: "Pending response rejected since connection got disposed" });
    assert.match((await again).message ?? "", /server stopped while explaining/);
  });

  test("Explain this problem sends the diagnostic with the code around it", async () => {
    const { client, controller } = setup();
    const document = fakeDocument("/work/src/add.ts", CODE);
    (fakeVscode.workspace as Record<string, unknown>).openTextDocument = () => Promise.resolve(document);
    const running = controller.explainProblem(document.uri as never, {
      message: "Type 'string' is not assignable to type 'number'.", source: "ts", code: { value: 2322 },
      range: { start: pos(1, 9), end: pos(1, 14) },
    } as never);
    await flush();
    await flush();
    const params = client.requests[0]?.params;
    assert.deepEqual(params?.diagnostic, { message: "Type 'string' is not assignable to type 'number'.", source: "ts", code: "2322" });
    assert.deepEqual(params?.range, { start: pos(0, 0), end: pos(2, 1) });
    client.requests[0]?.resolve({ text: "Fix the type.", model: "m", stopReason: "done" });
    assert.equal((await running).outcome, "done");
  });
});
