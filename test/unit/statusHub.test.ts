import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { StatusHub } from "../../src/extension/StatusHub";

describe("StatusHub", () => {
  test("waitForSettled resolves on the first ready, error or disabled status", async () => {
    const hub = new StatusHub();
    const settled = hub.waitForSettled();
    hub.update({ state: "loadingModel", message: "loading" });
    hub.update({ state: "error", message: "bad", problem: { kind: "invalidModel", message: "bad" } });
    hub.update({ state: "ready", message: "ok" });
    assert.equal((await settled).state, "error");
  });

  test("waitFor resolves at once when the current status already matches", async () => {
    const hub = new StatusHub();
    hub.update({ state: "ready", message: "ok" });
    assert.equal((await hub.waitFor((status) => status.state === "ready")).message, "ok");
  });

  test("waitFor rejects after its timeout with the last status in the message", async () => {
    const hub = new StatusHub();
    await assert.rejects(hub.waitFor((status) => status.state === "ready", 10), /Timed out.*starting/);
  });
});
