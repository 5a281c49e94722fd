// ExplainPanel against a minimal fake of the `vscode` module: the host-side protocol (ready/replay, run ids, Stop,
// copy, rendered reports, disposal) without starting VS Code.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import { FakeEventEmitter, requireWithFakeVscode } from "./fakeVscode";
import type { ExplainPanel as Panel } from "../../../src/extension/explain/ExplainPanel"; // type-only: erased at runtime


interface FakeUri {
  path: string;
}

class FakePanel {
  title: string;
  iconPath: unknown;
  reveals = 0;
  readonly posted: unknown[] = [];
  private readonly messages = new FakeEventEmitter<unknown>();
  private readonly disposeEmitter = new FakeEventEmitter<void>();
  private disposed = false;
  readonly onDidDispose = this.disposeEmitter.event;
  readonly webview = {
    cspSource: "https://*.vscode-cdn.net",
    asWebviewUri: (uri: FakeUri) => ({ toString: () => `https://webview.test${uri.path}` }),
    onDidReceiveMessage: this.messages.event,
    postMessage: (message: unknown): Promise<boolean> => {
      this.posted.push(message);
      return Promise.resolve(true);
    },
    set html(value: string) {
      panelHtml.set(this, value);
    },
  };

  constructor(
    readonly viewType: string,
    title: string,
    readonly showOptions: unknown,
    readonly options: { enableScripts?: boolean; enableForms?: boolean; enableCommandUris?: boolean; localResourceRoots?: FakeUri[]; retainContextWhenHidden?: boolean },
  ) {
    this.title = title;
  }

  reveal(): void {
    this.reveals += 1;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
  }

  /** Simulates the webview posting a message to the extension. */
  fromWebview(message: unknown): void {
    this.messages.fire(message);
  }

  takePosted(): unknown[] {
    return this.posted.splice(0);
  }
}

const panelHtml = new WeakMap<object, string>();
const panels: FakePanel[] = [];
const clipboard: string[] = [];
let clipboardFails = false;

const fakeVscode = {
  Uri: { joinPath: (base: FakeUri, ...parts: string[]): FakeUri => ({ path: [base.path, ...parts].join("/") }) },
  ViewColumn: { Beside: -2 },
  EventEmitter: FakeEventEmitter,
  window: {
    createWebviewPanel: (viewType: string, title: string, showOptions: unknown, options: FakePanel["options"]) => {
      const panel = new FakePanel(viewType, title, showOptions, options);
      panels.push(panel);
      return panel;
    },
  },
  env: {
    clipboard: {
      writeText: (text: string): Promise<void> => {
        if (clipboardFails) return Promise.reject(new Error("no clipboard"));
        clipboard.push(text);
        return Promise.resolve();
      },
    },
  },
};

// Serve the fake for `require("vscode")`, then load the module under test.
const { ExplainPanel } = requireWithFakeVscode<typeof import("../../../src/extension/explain/ExplainPanel")>(fakeVscode, __filename, "../../../src/extension/explain/ExplainPanel");

const extensionUri: FakeUri = { path: "/ext" };
const meta = { title: "Explain add", subtitle: "add.ts · lines 3–9 · typescript" };

function open(): { panel: Panel; fake: FakePanel } {
  const panel = ExplainPanel.createOrShow(extensionUri as never);
  const fake = panels.at(-1);
  assert.ok(fake);
  return { panel, fake };
}

const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe("ExplainPanel", () => {
  afterEach(() => {
    for (const panel of panels) panel.dispose();
    panels.length = 0;
    clipboard.length = 0;
    clipboardFails = false;
  });

  test("creates one locked-down panel beside the editor and reuses it", () => {
    const { panel, fake } = open();
    assert.equal(fake.viewType, "pocketCoder.explain");
    assert.deepEqual(fake.showOptions, { viewColumn: -2, preserveFocus: true });
    assert.equal(fake.options.enableScripts, true);
    assert.equal(fake.options.enableForms, false);
    assert.equal(fake.options.enableCommandUris, false);
    assert.equal(fake.options.retainContextWhenHidden, true);
    assert.deepEqual(fake.options.localResourceRoots, [{ path: "/ext/media/explain" }]);

    const html = panelHtml.get(fake.webview) ?? "";
    const nonce = /script-src 'nonce-([0-9a-f]{32})'/.exec(html)?.[1];
    assert.ok(nonce, "the page has a nonce-based script policy");
    assert.match(html, new RegExp(`<script nonce="${nonce}" src="https://webview.test/ext/media/explain/dist/explain.js">`));
    assert.match(html, /href="https:\/\/webview.test\/ext\/media\/explain\/explain.css"/);

    assert.equal(ExplainPanel.createOrShow(extensionUri as never), panel);
    assert.equal(panels.length, 1);
    assert.equal(fake.reveals, 1);
  });

  test("waits for the webview's ready, then replays the whole state", () => {
    const { panel, fake } = open();
    panel.begin({ ...meta, note: "Truncated." });
    panel.append("# Hi\n");
    panel.append("there");
    panel.finish({ kind: "done" });
    assert.deepEqual(fake.takePosted(), [], "nothing is posted before ready");

    fake.fromWebview({ type: "ready" });
    assert.deepEqual(fake.takePosted(), [
      { type: "begin", runId: 1, meta: { ...meta, note: "Truncated." } },
      { type: "append", runId: 1, text: "# Hi\nthere" },
      { type: "finish", runId: 1, outcome: { kind: "done" } },
    ]);

    fake.fromWebview({ type: "ready" }); // the webview reloaded
    assert.equal(fake.takePosted().length, 3);
  });

  test("streams begin/append/finish with a run id; late chunks and second finishes are ignored", () => {
    const { panel, fake } = open();
    fake.fromWebview({ type: "ready" });
    panel.begin(meta);
    assert.equal(panel.isStreaming, true);
    panel.append("a");
    panel.append("");
    panel.finish({ kind: "stopped" });
    panel.append("late");
    panel.finish({ kind: "error", message: "too late" });
    assert.equal(panel.isStreaming, false);
    assert.equal(panel.markdown, "a");
    panel.begin({ ...meta, title: "Second" });
    assert.deepEqual(fake.takePosted(), [
      { type: "begin", runId: 1, meta },
      { type: "append", runId: 1, text: "a" },
      { type: "finish", runId: 1, outcome: { kind: "stopped" } },
      { type: "begin", runId: 2, meta: { ...meta, title: "Second" } },
    ]);
    assert.equal(fake.title, "Explain: Second");
  });

  test("Stop from the webview fires onDidRequestStop only for the streaming run", () => {
    const { panel, fake } = open();
    let stops = 0;
    panel.onDidRequestStop(() => (stops += 1));
    fake.fromWebview({ type: "ready" });
    panel.begin(meta);
    fake.fromWebview({ type: "stop", runId: 0 });
    fake.fromWebview({ type: "stop" });
    fake.fromWebview({ type: "stop", runId: "1" });
    assert.equal(stops, 0);
    fake.fromWebview({ type: "stop", runId: 1 });
    assert.equal(stops, 1);
    panel.finish({ kind: "stopped" });
    fake.fromWebview({ type: "stop", runId: 1 });
    assert.equal(stops, 1);
  });

  test("copies code to the clipboard and reports the result", async () => {
    const { fake } = open();
    fake.fromWebview({ type: "ready" });
    fake.fromWebview({ type: "copy", requestId: 4, text: "const x = 1;\n" });
    await flush();
    assert.deepEqual(clipboard, ["const x = 1;\n"]);
    clipboardFails = true;
    fake.fromWebview({ type: "copy", requestId: 5, text: "y" });
    await flush();
    assert.deepEqual(fake.takePosted(), [
      { type: "copyResult", requestId: 4, ok: true },
      { type: "copyResult", requestId: 5, ok: false },
    ]);
  });

  test("waitForRenderedText resolves with the current run's report only", async () => {
    const { panel, fake } = open();
    fake.fromWebview({ type: "ready" });
    panel.begin(meta);
    const rendered = panel.waitForRenderedText(1_000);
    panel.finish({ kind: "done" });
    fake.fromWebview({ type: "rendered", runId: 0, outcome: "done", textContent: "stale" });
    fake.fromWebview({ type: "rendered", runId: 1, outcome: "done", textContent: "How add works" });
    assert.equal(await rendered, "How add works");
    assert.equal(await panel.waitForRenderedText(1), "How add works", "an existing report answers at once");

    panel.begin(meta);
    await assert.rejects(panel.waitForRenderedText(10), /did not report a rendering within 10 ms/);
  });

  test("closing the panel fires onDidDispose, rejects waiters and lets createOrShow start afresh", async () => {
    const { panel, fake } = open();
    let disposed = 0;
    panel.onDidDispose(() => (disposed += 1));
    fake.fromWebview({ type: "ready" });
    panel.begin(meta);
    const rendered = panel.waitForRenderedText(1_000);
    fake.dispose(); // the user closed the tab
    assert.equal(disposed, 1);
    await assert.rejects(rendered, /closed/);
    panel.append("ignored");
    panel.dispose();
    assert.equal(disposed, 1);
    assert.deepEqual(fake.takePosted(), [{ type: "begin", runId: 1, meta }]);

    const again = ExplainPanel.createOrShow(extensionUri as never);
    assert.notEqual(again, panel);
    assert.equal(panels.length, 2);
  });
});
