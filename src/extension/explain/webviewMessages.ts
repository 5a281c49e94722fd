// Messages between the Explain panel (extension host) and its webview.
// Pure and DOM-free: imported by both sides. Every message that crosses the boundary is validated on receipt,
// because the webview renders untrusted model output and must never be able to make the host do more than
// the few things listed here.

/** How an explanation ended. */
export type ExplainOutcome = { kind: "done" } | { kind: "stopped" } | { kind: "error"; message: string };

/** What the panel's header shows for one explanation. */
export interface ExplainMeta {
  /** Short heading, e.g. "Explain `add`". */
  title: string;
  /** One line of context, e.g. "add.ts · lines 3–9 · typescript". */
  subtitle: string;
  /** Optional remark shown above the explanation, e.g. that the selection was truncated. */
  note?: string;
}

/** Host → webview. `runId` identifies one explanation; messages for an older run are ignored. */
export type HostToWebviewMessage =
  | { type: "begin"; runId: number; meta: ExplainMeta }
  | { type: "append"; runId: number; text: string }
  | { type: "finish"; runId: number; outcome: ExplainOutcome }
  | { type: "copyResult"; requestId: number; ok: boolean };

/** Webview → host. */
export type WebviewToHostMessage =
  /** The webview's script is listening: (re)send the current state. Sent again after a reload. */
  | { type: "ready" }
  /** The user pressed Stop (or Escape) while run `runId` was streaming. */
  | { type: "stop"; runId: number }
  /** Copy `text` (a code block) to the clipboard; the host answers with `copyResult`. */
  | { type: "copy"; requestId: number; text: string }
  /** The final rendering of run `runId` is on screen; `textContent` is its visible text (for tests). */
  | { type: "rendered"; runId: number; outcome: ExplainOutcome["kind"]; textContent: string };

/** Upper bounds on what one message may carry; larger messages are rejected, not truncated. */
export const MESSAGE_LIMITS = {
  /** One streamed chunk or one copied code block. */
  text: 1_000_000,
  /** Title, subtitle, note, error message. */
  label: 2_000,
  /** The rendered text content reported back. */
  renderedText: 4_000_000,
} as const;

type Fields = Record<string, unknown>;

function isRecord(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

function isText(value: unknown, maxLength: number): value is string {
  return typeof value === "string" && value.length <= maxLength;
}

function parseMeta(value: unknown): ExplainMeta | undefined {
  if (!isRecord(value)) return undefined;
  const { title, subtitle, note } = value;
  if (!isText(title, MESSAGE_LIMITS.label) || !isText(subtitle, MESSAGE_LIMITS.label)) return undefined;
  if (note === undefined) return { title, subtitle };
  return isText(note, MESSAGE_LIMITS.label) ? { title, subtitle, note } : undefined;
}

/** Parses an outcome; an error message longer than the label limit is rejected. */
export function parseOutcome(value: unknown): ExplainOutcome | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.kind) {
    case "done":
      return { kind: "done" };
    case "stopped":
      return { kind: "stopped" };
    case "error":
      return isText(value.message, MESSAGE_LIMITS.label) ? { kind: "error", message: value.message } : undefined;
    default:
      return undefined;
  }
}

/**
 * Validates a message received by the webview. Returns a fresh object holding only the known fields,
 * or undefined for anything malformed.
 */
export function parseHostMessage(value: unknown): HostToWebviewMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case "begin": {
      const meta = parseMeta(value.meta);
      return isId(value.runId) && meta ? { type: "begin", runId: value.runId, meta } : undefined;
    }
    case "append":
      return isId(value.runId) && isText(value.text, MESSAGE_LIMITS.text) ? { type: "append", runId: value.runId, text: value.text } : undefined;
    case "finish": {
      const outcome = parseOutcome(value.outcome);
      return isId(value.runId) && outcome ? { type: "finish", runId: value.runId, outcome } : undefined;
    }
    case "copyResult":
      return isId(value.requestId) && typeof value.ok === "boolean" ? { type: "copyResult", requestId: value.requestId, ok: value.ok } : undefined;
    default:
      return undefined;
  }
}

/**
 * Validates a message received by the extension host from the webview. Returns a fresh object holding only
 * the known fields, or undefined for anything malformed.
 */
export function parseWebviewMessage(value: unknown): WebviewToHostMessage | undefined {
  if (!isRecord(value)) return undefined;
  switch (value.type) {
    case "ready":
      return { type: "ready" };
    case "stop":
      return isId(value.runId) ? { type: "stop", runId: value.runId } : undefined;
    case "copy":
      return isId(value.requestId) && isText(value.text, MESSAGE_LIMITS.text) ? { type: "copy", requestId: value.requestId, text: value.text } : undefined;
    case "rendered": {
      const { runId, outcome, textContent } = value;
      if (!isId(runId) || !isText(textContent, MESSAGE_LIMITS.renderedText)) return undefined;
      if (outcome !== "done" && outcome !== "stopped" && outcome !== "error") return undefined;
      return { type: "rendered", runId, outcome, textContent };
    }
    default:
      return undefined;
  }
}
