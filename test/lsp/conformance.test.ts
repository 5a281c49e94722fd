// LSP conformance at the edges: the lifecycle (requests before `initialize`, after `shutdown`, two shutdowns
// during a generation) and a message stream that breaks.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import {
  createProtocolConnection,
  ErrorCodes,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
} from "vscode-languageserver-protocol/node";
import { DoctorRequest } from "../../src/shared/protocol";
import { chatModel } from "../fixtures/fixtureModels";
import { fileUri, LspTestClient, REPO_ROOT, SERVER_MAIN } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");

function startRaw() {
  const child = spawn(process.execPath, [SERVER_MAIN, "--stdio"], { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, POCKET_CODER_MODEL: "" } });
  const stderr: string[] = [];
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stderr, exited };
}

async function errorOf(request: Promise<unknown>): Promise<{ code: number; message: string }> {
  try {
    await request;
  } catch (error) {
    return error as { code: number; message: string };
  }
  assert.fail("the request succeeded");
}

describe("the LSP lifecycle", () => {
  test("a request before initialize is ServerNotInitialized; after shutdown InvalidRequest", async () => {
    const { child, exited } = startRaw();
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    try {
      const early = await errorOf(connection.sendRequest(DoctorRequest, { measureSpeed: false }));
      assert.equal(early.code, ErrorCodes.ServerNotInitialized, early.message);
      await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid, rootUri: pathToFileURL(REPO_ROOT).toString(), capabilities: {}, initializationOptions: {}, workspaceFolders: null,
      });
      await connection.sendNotification(InitializedNotification.type, {});
      const report = await connection.sendRequest(DoctorRequest, { measureSpeed: false });
      assert.match(report.text, /\S/);
      assert.equal(await connection.sendRequest(ShutdownRequest.type), null);
      const late = await errorOf(connection.sendRequest(DoctorRequest, { measureSpeed: false }));
      assert.equal(late.code, ErrorCodes.InvalidRequest, late.message);
      await connection.sendNotification(ExitNotification.type);
      assert.equal(await exited, 0);
    } finally {
      connection.dispose();
      child.kill();
    }
  });

  test("two shutdown requests during a generation: the first succeeds, the second is InvalidRequest, never 'Object is disposed'", async () => {
    const modelPath = await chatModel(MODEL_DIR);
    const client = await LspTestClient.start({
      settings: { model: { path: modelPath }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens: 64 }, explain: { maxTokens: 512 } },
    });
    const status = await client.waitForModel();
    assert.equal(status.state, "ready", status.message);
    const uri = fileUri("src/shutdown-long.js");
    // ~3,000 prompt tokens: the explanation is still being evaluated when the shutdowns arrive.
    const code = `${"let x = 1;\n".repeat(190)}function add(a, b) {\n  return a + b;\n}\n`;
    await client.open(uri, code, "javascript");
    const exited = new Promise<number | null>((resolve) => client.process.once("exit", (exitCode) => resolve(exitCode)));
    const explanation = client.explain({ textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 193, character: 0 } } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const outcomes = await Promise.allSettled([
      client.connection.sendRequest(ShutdownRequest.type),
      client.connection.sendRequest(ShutdownRequest.type),
    ]);
    const explained = await explanation;
    await client.connection.sendNotification(ExitNotification.type);
    const exitCode = await exited;
    client.connection.dispose();
    assert.equal(outcomes[0].status, "fulfilled", JSON.stringify(outcomes[0]));
    assert.equal(outcomes[1].status, "rejected");
    const second = (outcomes[1] as PromiseRejectedResult).reason as { code: number; message: string };
    assert.equal(second.code, ErrorCodes.InvalidRequest, second.message);
    for (const text of [second.message, explained.error?.message ?? "", ...client.logs, ...client.stderr]) {
      assert.doesNotMatch(text, /Object is disposed/);
    }
    assert.equal(exitCode, 0);
  });
});

describe("a broken message stream", () => {
  const brokenHeaders: Array<[string, string]> = [
    ["a header without Content-Length", "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}"],
    ["a Content-Length that is not a number", "Content-Length: twelve\r\n\r\n{}"],
    ["garbage bytes before a message", "\u0000\u00ff garbage\r\n\r\n"],
  ];
  for (const [name, bytes] of brokenHeaders) {
    test(`${name}: the server says why on stderr and exits with code 1 so that the client restarts it`, async () => {
      const { child, stderr, exited } = startRaw();
      const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
      connection.listen();
      try {
        await connection.sendRequest(InitializeRequest.type, {
          processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: {}, workspaceFolders: null,
        });
        child.stdin.write(bytes);
        const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve("still running"), 15_000))]);
        assert.equal(code, 1, `exit: ${String(code)}; stderr: ${stderr.join("")}`);
        assert.match(stderr.join(""), /message stream is broken.*(Content-Length|header)/i);
      } finally {
        connection.dispose();
        child.kill();
      }
    });
  }

  test("a body that is not JSON is logged and skipped: the server still answers", async () => {
    const { child, stderr } = startRaw();
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    connection.listen();
    try {
      await connection.sendRequest(InitializeRequest.type, {
        processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: {}, workspaceFolders: null,
      });
      child.stdin.write("Content-Length: 9\r\n\r\n{not json");
      assert.equal(await connection.sendRequest(ShutdownRequest.type), null);
      assert.match(stderr.join(""), /not JSON/);
    } finally {
      connection.dispose();
      child.kill();
    }
  });
});
