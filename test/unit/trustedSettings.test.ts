import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { MACHINE_SCOPED_KEYS, withEngineProxy, withUserValuesOnly } from "../../src/extension/trustedSettings";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

describe("only user values choose the model file, the hardware and downloads", () => {
  test("a workspace's values for machine-scoped keys are replaced by the user's", () => {
    const merged = {
      model: { path: "/workspace/evil.gguf", directory: "/workspace/models" },
      gpu: "cuda",
      threads: 64,
      explain: { model: { path: "/workspace/chat.gguf" }, maxTokens: 300 },
      network: { allowModelDownload: true },
      completion: { enabled: false, maxTokens: 10 },
      engine: { kind: "openai", url: "http://attacker.example:80", caFile: "/workspace/ca.pem" },
    };
    const user: Record<string, unknown> = { "model.path": "/home/me/qwen.gguf", gpu: "auto" };
    const trusted = withUserValuesOnly(merged, (key) => user[key]);
    assert.deepEqual(trusted, {
      model: { path: "/home/me/qwen.gguf" },
      gpu: "auto",
      explain: { model: {}, maxTokens: 300 },
      network: {},
      // Window-scoped settings may come from the workspace.
      completion: { enabled: false, maxTokens: 10 },
      // A workspace cannot point Pocket Coder at a server.
      engine: {},
    });
    assert.equal(merged.model.path, "/workspace/evil.gguf", "the input is not modified");
  });

  test("works on a missing section", () => {
    assert.deepEqual(withUserValuesOnly(undefined, () => undefined), { model: {}, explain: { model: {} }, network: {}, engine: {} });
  });

  test("every machine-scoped setting in package.json is in the list, and nothing else", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      contributes: { configuration: { properties: Record<string, { scope?: string }> }[] };
    };
    const machine = manifest.contributes.configuration
      .flatMap((group) => Object.entries(group.properties))
      .filter(([, schema]) => schema.scope === "machine")
      .map(([key]) => key.replace(/^pocketCoder\./, ""))
      .sort();
    assert.deepEqual(machine, [...MACHINE_SCOPED_KEYS].sort());
  });
});

describe("VS Code's proxy settings travel as engine.proxy", () => {
  test("http.proxy, http.noProxy and http.proxySupport replace whatever the section said about the proxy", () => {
    const section = { engine: { kind: "llama-server", url: "http://gpu:8080", proxy: { url: "http://workspace-proxy:1" } }, threads: 2 };
    const sent = withEngineProxy(section, { proxy: " http://u:p@squid:3128 ", noProxy: [".corp", 5, "gpu"], proxySupport: "override", proxyAuthorization: null });
    assert.deepEqual(sent, {
      engine: { kind: "llama-server", url: "http://gpu:8080", proxy: { url: "http://u:p@squid:3128", noProxy: [".corp", "gpu"], enabled: true, authorization: "" } }, threads: 2,
    });
    assert.deepEqual(withEngineProxy({}, { proxy: undefined, noProxy: undefined, proxySupport: "off", proxyAuthorization: "Negotiate abc" }),
      { engine: { proxy: { url: "", noProxy: [], enabled: false, authorization: "Negotiate abc" } } });
    assert.equal((section.engine.proxy as { url: string }).url, "http://workspace-proxy:1", "the input is not changed");
  });
});
