import * as assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { EngineError, EngineHttp } from "../../../src/server/engines/http/EngineHttp";

/** A loopback server that answers every request after `delayMs`, as a CPU server reading a long prompt does. */
async function slowServer(delayMs: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_request, response) => {
    setTimeout(() => {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end('data: {"content":"ok"}\n\n');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

test("a generation may stay silent longer than a plain request before it fails as timed out", async () => {
  const server = await slowServer(400);
  const engineHttp = new EngineHttp({ baseUrl: server.url, timeoutMs: 150, generationTimeoutMs: 2_000 });
  try {
    const lines: string[] = [];
    await engineHttp.lines("completion", {}, new AbortController().signal, (line) => lines.push(line));
    assert.deepEqual(lines, ['data: {"content":"ok"}']);

    const plain = await engineHttp.json("GET", "health").then(() => undefined, (error: unknown) => error);
    assert.ok(plain instanceof EngineError, String(plain));
    assert.equal(plain.kind, "timeout");
    assert.match(plain.message, /\/health did not answer within/);
  } finally {
    engineHttp.dispose();
    await server.close();
  }
});

test("a silent generation still fails once its own limit has passed", async () => {
  const server = await slowServer(1_000);
  const engineHttp = new EngineHttp({ baseUrl: server.url, timeoutMs: 100, generationTimeoutMs: 300 });
  try {
    const failed = await engineHttp.lines("completion", {}, new AbortController().signal, () => undefined).then(() => undefined, (error: unknown) => error);
    assert.ok(failed instanceof EngineError, String(failed));
    assert.equal(failed.kind, "timeout");
  } finally {
    engineHttp.dispose();
    await server.close();
  }
});
