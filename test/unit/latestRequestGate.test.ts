import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { LatestRequestGate, SupersededError } from "../../src/server/completion/LatestRequestGate";

describe("LatestRequestGate", () => {
  test("a new request aborts the one before it", () => {
    const gate = new LatestRequestGate();
    const first = gate.begin();
    const second = gate.begin();
    assert.equal(first.signal.aborted, true);
    assert.ok(first.signal.reason instanceof SupersededError);
    assert.equal(second.signal.aborted, false);
  });

  test("the caller's cancellation aborts its request", () => {
    const gate = new LatestRequestGate();
    const caller = new AbortController();
    const request = gate.begin(caller.signal);
    caller.abort();
    assert.equal(request.signal.aborted, true);
  });

  test("an already-cancelled caller yields an aborted request", () => {
    const gate = new LatestRequestGate();
    const caller = new AbortController();
    caller.abort();
    assert.equal(gate.begin(caller.signal).signal.aborted, true);
  });

  test("a finished request is not aborted by the next one", () => {
    const gate = new LatestRequestGate();
    const first = gate.begin();
    first.end();
    gate.begin();
    assert.equal(first.signal.aborted, false);
  });
});
