// Reliability: a bounded request storm as an editor makes while someone types fast, with explanations alongside.
// Asserts correctness and bounds only (every request answered or cancelled, memory flat, still serving), never
// tight timings: the CI machine may be slow and shared.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { CancellationTokenSource, LSPErrorCodes } from "vscode-languageserver-protocol/node";
import { FIM_COMPLETION } from "../fixtures/fixtureModels";
import { startChatModelServer } from "./chatModelServer";
import { fileUri, type LspTestClient } from "./LspTestClient";

const REQUESTS_PER_SECOND = 100;
const STORM_SECONDS = 10;
const MB = 1024 * 1024;

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0) * 1024;
}

describe("a request storm", { skip: process.platform !== "linux" && "reads /proc" }, () => {
  let client: LspTestClient;

  before(async () => {
    client = await startChatModelServer();
  });

  after(async () => {
    assert.equal(await client.stop(), 0);
  });

  test(`${REQUESTS_PER_SECOND} completions/s for ${STORM_SECONDS} s with edits and explanations: all answered or cancelled, memory flat`, async (t) => {
    const uri = fileUri("src/storm.ts");
    const lineOf = (n: number) => `const value${n} = ${n};\n`;
    let text = "function add(a, b) {\n  \n}\n";
    await client.open(uri, text);
    const explainUri = fileUri("src/storm-explain.js");
    const explainCode = "function add(a, b) {\n  return a + b;\n}\n";
    await client.open(explainUri, explainCode, "javascript");
    // Warm, then measure.
    assert.equal((await client.complete(uri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);
    const pid = client.process.pid!;
    const rssBefore = rssBytes(pid);

    const total = REQUESTS_PER_SECOND * STORM_SECONDS;
    const outcomes: Array<Promise<"answered" | "cancelled">> = [];
    const explanations: Array<Promise<string>> = [];
    let previous: CancellationTokenSource | undefined;
    let lastInsertText: unknown;
    const startedAt = performance.now();
    for (let index = 0; index < total; index++) {
      // Typing: a line is added above the cursor's line, as an editor sends it, then a completion for the new text.
      text = lineOf(index) + text;
      await client.replaceText(uri, text);
      previous?.cancel();
      const cancel = new CancellationTokenSource();
      previous = cancel;
      outcomes.push(client.complete(uri, { line: index + 2, character: 2 }, cancel).then(
        (items) => {
          if (index === total - 1) lastInsertText = items[0]?.insertText;
          return "answered" as const;
        },
        (error: { code?: number; message?: string }) => {
          if (error.code === LSPErrorCodes.RequestCancelled) return "cancelled" as const;
          throw new Error(`request ${index} failed: ${error.code} ${error.message}`);
        },
      ));
      if (index % REQUESTS_PER_SECOND === 0) {
        explanations.push(client.explain({ textDocument: { uri: explainUri }, range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } } })
          .then((exchange) => exchange.error?.message ?? exchange.result?.stopReason ?? "no result"));
      }
      // Paced by the clock, not by a fixed sleep, so that a slow send does not stretch the storm.
      const due = startedAt + ((index + 1) * 1000) / REQUESTS_PER_SECOND;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    const sentMs = performance.now() - startedAt;
    const results = await Promise.all(outcomes);
    const settledMs = performance.now() - startedAt;
    const explained = await Promise.all(explanations);
    const rssAfter = rssBytes(pid);

    const answered = results.filter((result) => result === "answered").length;
    const figures = `${total} completions sent in ${(sentMs / 1000).toFixed(1)} s, all settled at ${(settledMs / 1000).toFixed(1)} s: ` +
      `${answered} answered, ${total - answered} cancelled; ${explained.length} explanations (${[...new Set(explained)].join(", ")}); ` +
      `RSS before ${(rssBefore / MB).toFixed(0)} MB, after ${(rssAfter / MB).toFixed(0)} MB`;
    t.diagnostic(figures);
    assert.equal(results.length, total);
    assert.equal(results.at(-1), "answered", figures);
    assert.equal(lastInsertText, FIM_COMPLETION, figures);
    assert.ok(explained.every((outcome) => outcome === "done" || outcome === "cancelled"), figures);
    assert.ok(rssAfter - rssBefore < 50 * MB, figures);

    // Still serving, with the right answer for the text as it is now.
    const [item] = await client.complete(uri, { line: total + 1, character: 2 });
    assert.equal(item?.insertText, FIM_COMPLETION, figures);
  });
});
