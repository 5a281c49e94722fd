// The Explain webview: receives streamed Markdown from the extension host and renders it, sanitized, at most once
// per animation frame. Only top-level blocks whose HTML changed are replaced, so finished blocks keep their state
// (text selection, "Copied" feedback) while the last block grows.
import DOMPurify from "dompurify";
import { createMarkdownRenderer, sanitizeConfig } from "../markdown";
import {
  parseHostMessage,
  type ExplainMeta,
  type ExplainOutcome,
  type HostToWebviewMessage,
  type WebviewToHostMessage,
} from "../webviewMessages";
import { highlight, languageLabel } from "./highlighter";

interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type Phase = "idle" | "streaming" | ExplainOutcome["kind"];

interface Block {
  /** The sanitized HTML the block was built from: equal keys mean an unchanged block. */
  key: string;
  node: Node;
}

const vscode = acquireVsCodeApi();
const post = (message: WebviewToHostMessage): void => vscode.postMessage(message);

const purifyConfig = sanitizeConfig();
const renderer = createMarkdownRenderer({ sanitize: (html) => DOMPurify.sanitize(html, purifyConfig), highlight });

const app = byId("app");
const title = byId("title");
const subtitle = byId("subtitle");
const note = byId("note");
const content = byId("content");
const statusText = byId("status-text");
const stopButton = byId("stop", HTMLButtonElement);
const errorBox = byId("error");
const errorMessage = byId("error-message");

const COPY_FEEDBACK_MS = 1600;
const FOLLOW_THRESHOLD_PX = 48;
const RENDER_FALLBACK_MS = 120; // animation frames pause while the panel is hidden; rendering must not

let runId: number | undefined;
let phase: Phase = "idle";
let stopping = false;
let source = "";
let blocks: Block[] = [];
let renderScheduled = false;
let reportPending = false;
let nextCopyRequest = 1;
const copyRequests = new Map<number, HTMLButtonElement>();
const copyTimers = new WeakMap<HTMLButtonElement, number>();

window.addEventListener("message", (event: MessageEvent<unknown>) => {
  const message = parseHostMessage(event.data);
  if (message) handle(message);
});

stopButton.addEventListener("click", requestStop);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && phase === "streaming") {
    event.preventDefault();
    requestStop();
  }
});
content.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target.closest(".copy-button") : null;
  if (target instanceof HTMLButtonElement) copyCode(target);
});

updateChrome();
post({ type: "ready" });

function handle(message: HostToWebviewMessage): void {
  switch (message.type) {
    case "begin":
      begin(message.runId, message.meta);
      return;
    case "append":
      if (message.runId !== runId || phase !== "streaming") return;
      source += message.text;
      scheduleRender();
      return;
    case "finish":
      if (message.runId !== runId || phase !== "streaming") return;
      finish(message.outcome);
      return;
    case "copyResult": {
      const button = copyRequests.get(message.requestId);
      copyRequests.delete(message.requestId);
      if (button) showCopyFeedback(button, message.ok);
      return;
    }
  }
}

function begin(id: number, meta: ExplainMeta): void {
  runId = id;
  phase = "streaming";
  stopping = false;
  source = "";
  blocks = [];
  reportPending = false;
  content.replaceChildren();
  content.classList.remove("is-empty");
  title.textContent = meta.title || "Explain";
  subtitle.textContent = meta.subtitle;
  subtitle.hidden = meta.subtitle === "";
  note.textContent = meta.note ?? "";
  note.hidden = !meta.note;
  errorMessage.textContent = "";
  document.title = meta.title || "Explain";
  updateChrome();
  window.scrollTo({ top: 0 });
}

function finish(outcome: ExplainOutcome): void {
  phase = outcome.kind;
  stopping = false;
  errorMessage.textContent = outcome.kind === "error" ? outcome.message : "";
  reportPending = true;
  updateChrome();
  scheduleRender();
}

function requestStop(): void {
  if (phase !== "streaming" || stopping || runId === undefined) return;
  stopping = true;
  post({ type: "stop", runId });
  updateChrome();
}

/** The toolbar, status, error box and empty state follow the phase; the spinner shows only while streaming. */
function updateChrome(): void {
  app.dataset.phase = phase;
  app.classList.toggle("is-stopping", stopping);
  stopButton.hidden = phase !== "streaming";
  stopButton.disabled = stopping;
  statusText.textContent = phase === "streaming" ? (stopping ? "Stopping…" : "Generating…") : phase === "stopped" ? "Stopped" : "";
  errorBox.hidden = phase !== "error";
  content.setAttribute("aria-busy", String(phase === "streaming"));
}

function scheduleRender(): void {
  if (renderScheduled) return;
  renderScheduled = true;
  const run = (): void => {
    if (!renderScheduled) return;
    renderScheduled = false;
    render();
  };
  requestAnimationFrame(run);
  window.setTimeout(run, RENDER_FALLBACK_MS);
}

function render(): void {
  const follow = phase === "streaming" && isNearBottom();
  const template = document.createElement("template");
  template.innerHTML = renderer.render(source); // sanitized by DOMPurify inside render()
  const fresh = Array.from(template.content.childNodes).filter(
    (node) => node.nodeType === Node.ELEMENT_NODE || (node.textContent ?? "").trim() !== "",
  );

  fresh.forEach((node, index) => {
    const key = node.nodeType === Node.ELEMENT_NODE ? (node as Element).outerHTML : (node.textContent ?? "");
    const existing = blocks[index];
    if (existing?.key === key) return;
    const decorated = decorate(node);
    if (existing) content.replaceChild(decorated, existing.node);
    else content.appendChild(decorated);
    blocks[index] = { key, node: decorated };
  });
  for (const stale of blocks.splice(fresh.length)) stale.node.parentNode?.removeChild(stale.node);

  const finished = phase !== "streaming" && phase !== "idle";
  content.classList.toggle("is-empty", finished && phase !== "error" && blocks.length === 0);
  if (follow) window.scrollTo({ top: document.documentElement.scrollHeight });

  if (reportPending && finished && runId !== undefined) {
    reportPending = false;
    post({ type: "rendered", runId, outcome: phase as ExplainOutcome["kind"], textContent: visibleText() });
  }
}

function isNearBottom(): boolean {
  const root = document.documentElement;
  return root.scrollHeight - root.scrollTop - root.clientHeight < FOLLOW_THRESHOLD_PX;
}

/** Wraps every code block in a frame with a language label and a Copy button. Returns the node to insert. */
function decorate(node: Node): Node {
  if (node.nodeType !== Node.ELEMENT_NODE) return node;
  const element = node as Element;
  if (element.tagName === "PRE") return wrapCodeBlock(element);
  for (const pre of Array.from(element.querySelectorAll("pre"))) wrapCodeBlock(pre);
  return element;
}

function wrapCodeBlock(pre: Element): HTMLElement {
  const code = pre.querySelector("code");
  const language = /(?:^|\s)language-(\S+)/.exec(code?.className ?? "")?.[1] ?? "";

  const block = element("div", "code-block");
  const header = element("div", "code-header");
  const label = element("span", "code-language");
  label.textContent = language ? languageLabel(language) : "Code";
  const button = element("button", "copy-button");
  button.type = "button";
  button.title = "Copy code";
  button.append(icon("copy-icon", ["M3.5 10.5h-1a1 1 0 0 1-1-1v-7a1 1 0 0 1 1-1h7a1 1 0 0 1 1 1v1", "M6.5 4.5h7a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1h-7a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1z"]));
  button.append(icon("check-icon", ["M2.5 8.5l3.5 3.5 7.5-8"]), element("span", "copy-label"));
  setCopyLabel(button, "Copy");
  header.append(label, button);

  pre.replaceWith(block);
  block.append(header, pre);
  return block;
}

function copyCode(button: HTMLButtonElement): void {
  const code = button.closest(".code-block")?.querySelector("pre");
  if (!code) return;
  const requestId = nextCopyRequest++;
  copyRequests.set(requestId, button);
  post({ type: "copy", requestId, text: code.textContent ?? "" });
}

function showCopyFeedback(button: HTMLButtonElement, ok: boolean): void {
  button.classList.toggle("copied", ok);
  button.classList.toggle("copy-failed", !ok);
  setCopyLabel(button, ok ? "Copied" : "Copy failed");
  const previous = copyTimers.get(button);
  if (previous !== undefined) window.clearTimeout(previous);
  copyTimers.set(button, window.setTimeout(() => {
    button.classList.remove("copied", "copy-failed");
    setCopyLabel(button, "Copy");
  }, COPY_FEEDBACK_MS));
}

function setCopyLabel(button: HTMLButtonElement, text: string): void {
  const label = button.querySelector(".copy-label");
  if (label) label.textContent = text;
}

/** The explanation's visible text, without the code blocks' toolbar labels. */
function visibleText(): string {
  const clone = content.cloneNode(true) as HTMLElement;
  for (const header of Array.from(clone.querySelectorAll(".code-header"))) header.remove();
  return clone.textContent ?? "";
}

/** A 16×16 stroked icon built with DOM calls (no markup strings, no inline styles). */
function icon(className: string, paths: readonly string[]): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("icon", className);
  for (const d of paths) {
    const path = document.createElementNS(ns, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}

function byId(id: string): HTMLElement;
function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T;
function byId(id: string, type: { new (): HTMLElement; prototype: HTMLElement } = HTMLElement): HTMLElement {
  const node = document.getElementById(id);
  if (!(node instanceof type)) throw new Error(`The Explain page lacks #${id}.`);
  return node;
}
