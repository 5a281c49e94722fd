import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ErrorCodes, ResponseError } from "vscode-languageserver/node";
import { ServerLifecycle } from "../../src/server/lsp/ServerLifecycle";
import { onTransportError } from "../../src/server/lsp/transportErrors";

const codeOf = (run: () => unknown): number | undefined => {
  try {
    run();
  } catch (error) {
    return error instanceof ResponseError ? error.code : -1;
  }
  return undefined;
};

describe("ServerLifecycle", () => {
  test("requests run only between initialize and shutdown", async () => {
    const lifecycle = new ServerLifecycle();
    const handler = lifecycle.guard((value: number) => value * 2);
    assert.equal(codeOf(() => handler(1)), ErrorCodes.ServerNotInitialized);
    lifecycle.initialize();
    assert.equal(handler(2), 4);
    await lifecycle.shutdown(async () => undefined);
    assert.equal(codeOf(() => handler(3)), ErrorCodes.InvalidRequest);
  });

  test("the shutdown work runs once; a second shutdown is an invalid request", async () => {
    const lifecycle = new ServerLifecycle();
    lifecycle.initialize();
    let runs = 0;
    let finish = () => undefined as void;
    const first = lifecycle.shutdown(() => new Promise<void>((resolve) => { runs++; finish = resolve; }));
    await assert.rejects(lifecycle.shutdown(async () => { runs++; }), (error: ResponseError<void>) => error.code === ErrorCodes.InvalidRequest);
    finish();
    await first;
    assert.equal(runs, 1);
  });
});

describe("onTransportError", () => {
  test("a broken header exits with code 1 and says why; a body that is not JSON is only logged", () => {
    const logs: string[] = [];
    const exits: number[] = [];
    onTransportError(new Error("Header must provide a Content-Length property.\n{}"), (message) => logs.push(message), (code) => exits.push(code));
    assert.deepEqual(exits, [1]);
    assert.match(logs[0] ?? "", /broken \(Header must provide a Content-Length property\.\)/);
    onTransportError(new SyntaxError("Unexpected token n in JSON"), (message) => logs.push(message), (code) => exits.push(code));
    assert.deepEqual(exits, [1]);
    assert.match(logs[1] ?? "", /not JSON/);
  });
});
