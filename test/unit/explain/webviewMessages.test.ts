import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  MESSAGE_LIMITS,
  parseHostMessage,
  parseOutcome,
  parseWebviewMessage,
  type HostToWebviewMessage,
  type WebviewToHostMessage,
} from "../../../src/extension/explain/webviewMessages";

/** What postMessage does to a message: structured cloning, which for these plain objects equals a JSON round trip. */
const overTheWire = (message: unknown): unknown => JSON.parse(JSON.stringify(message));

describe("parseHostMessage (host → webview)", () => {
  const valid: HostToWebviewMessage[] = [
    { type: "begin", runId: 1, meta: { title: "Explain add", subtitle: "add.ts · lines 3–9 · typescript" } },
    { type: "begin", runId: 2, meta: { title: "t", subtitle: "s", note: "Only the first 200 lines were sent." } },
    { type: "append", runId: 2, text: "# Heading\n\n```ts\nconst" },
    { type: "append", runId: 2, text: "" },
    { type: "finish", runId: 2, outcome: { kind: "done" } },
    { type: "finish", runId: 2, outcome: { kind: "stopped" } },
    { type: "finish", runId: 2, outcome: { kind: "error", message: "The model crashed." } },
    { type: "copyResult", requestId: 7, ok: true },
  ];

  test("accepts every well-formed message unchanged", () => {
    for (const message of valid) assert.deepEqual(parseHostMessage(overTheWire(message)), message);
  });

  test("returns a fresh object holding only the known fields", () => {
    const raw = { type: "append", runId: 1, text: "x", extra: "<script>", __proto__hack: 1 };
    const parsed = parseHostMessage(raw);
    assert.deepEqual(parsed, { type: "append", runId: 1, text: "x" });
    assert.notEqual(parsed, raw);
    const begin = parseHostMessage({ type: "begin", runId: 1, meta: { title: "t", subtitle: "s", html: "<b>" } });
    assert.deepEqual(begin, { type: "begin", runId: 1, meta: { title: "t", subtitle: "s" } });
  });

  test("rejects anything malformed", () => {
    const invalid: unknown[] = [
      null,
      undefined,
      "begin",
      42,
      [],
      {},
      { type: "unknown", runId: 1 },
      { type: "begin", runId: 1 },
      { type: "begin", runId: 1, meta: { title: "t" } },
      { type: "begin", runId: 1, meta: { title: 1, subtitle: "s" } },
      { type: "begin", runId: 1, meta: { title: "t", subtitle: "s", note: 5 } },
      { type: "begin", runId: -1, meta: { title: "t", subtitle: "s" } },
      { type: "append", runId: 1.5, text: "x" },
      { type: "append", runId: "1", text: "x" },
      { type: "append", runId: 1, text: 5 },
      { type: "append", runId: Number.MAX_SAFE_INTEGER + 1, text: "x" },
      { type: "finish", runId: 1 },
      { type: "finish", runId: 1, outcome: { kind: "exploded" } },
      { type: "finish", runId: 1, outcome: { kind: "error" } },
      { type: "finish", runId: 1, outcome: "done" },
      { type: "copyResult", requestId: 1, ok: "yes" },
      { type: "copyResult", ok: true },
    ];
    for (const message of invalid) assert.equal(parseHostMessage(message), undefined, JSON.stringify(message));
  });

  test("rejects oversized text instead of truncating it", () => {
    assert.ok(parseHostMessage({ type: "append", runId: 1, text: "x".repeat(MESSAGE_LIMITS.text) }));
    assert.equal(parseHostMessage({ type: "append", runId: 1, text: "x".repeat(MESSAGE_LIMITS.text + 1) }), undefined);
    const longTitle = "t".repeat(MESSAGE_LIMITS.label + 1);
    assert.equal(parseHostMessage({ type: "begin", runId: 1, meta: { title: longTitle, subtitle: "" } }), undefined);
  });
});

describe("parseWebviewMessage (webview → host)", () => {
  const valid: WebviewToHostMessage[] = [
    { type: "ready" },
    { type: "stop", runId: 3 },
    { type: "copy", requestId: 1, text: "const x = 1;\n" },
    { type: "rendered", runId: 3, outcome: "done", textContent: "How add works" },
    { type: "rendered", runId: 3, outcome: "error", textContent: "" },
  ];

  test("accepts every well-formed message unchanged", () => {
    for (const message of valid) assert.deepEqual(parseWebviewMessage(overTheWire(message)), message);
  });

  test("drops unknown fields, e.g. a command the host must never run", () => {
    assert.deepEqual(parseWebviewMessage({ type: "ready", command: "workbench.action.terminal.new" }), { type: "ready" });
  });

  test("rejects anything malformed", () => {
    const invalid: unknown[] = [
      null,
      "ready",
      { type: "READY" },
      { type: "executeCommand", command: "x" },
      { type: "stop" },
      { type: "stop", runId: -2 },
      { type: "copy", text: "x" },
      { type: "copy", requestId: 1, text: ["x"] },
      { type: "copy", requestId: 1, text: "x".repeat(MESSAGE_LIMITS.text + 1) },
      { type: "rendered", runId: 1, outcome: "streaming", textContent: "x" },
      { type: "rendered", runId: 1, outcome: "done" },
      { type: "rendered", outcome: "done", textContent: "x" },
    ];
    for (const message of invalid) assert.equal(parseWebviewMessage(message), undefined, JSON.stringify(message).slice(0, 80));
  });
});

describe("parseOutcome", () => {
  test("keeps only the fields of the outcome's kind", () => {
    assert.deepEqual(parseOutcome({ kind: "done", message: "ignored" }), { kind: "done" });
    assert.deepEqual(parseOutcome({ kind: "error", message: "boom" }), { kind: "error", message: "boom" });
    assert.equal(parseOutcome({ kind: "error", message: "m".repeat(MESSAGE_LIMITS.label + 1) }), undefined);
  });
});
