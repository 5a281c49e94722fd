import * as assert from "node:assert/strict";
import { test } from "node:test";
import { actionsForProblem } from "../../src/extension/problemActions";

test("a refused API key offers to set the key, not to pick a model file", () => {
  assert.deepEqual(actionsForProblem("engineAuth"), ["setEngineApiKey", "showLogs"]);
});

test("an engine that cannot be reached or does not serve the model offers the engine settings", () => {
  for (const kind of ["engineUnreachable", "engineModelNotFound", "engineFailed"] as const) {
    assert.deepEqual(actionsForProblem(kind), ["openEngineSettings", "showLogs"], kind);
  }
});

test("model file problems offer another file; an internal error a restart", () => {
  for (const kind of ["modelNotFound", "unreadableModel", "invalidModel", "noFimSupport", "loadFailed"] as const) {
    assert.deepEqual(actionsForProblem(kind), ["selectModel", "showLogs"], kind);
  }
  assert.deepEqual(actionsForProblem("internal"), ["restartServer", "showLogs"]);
});
