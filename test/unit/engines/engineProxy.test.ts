// A remote engine behind an HTTP proxy: the test proxy (test/fixtures/testProxy.ts) in front of the loopback fake
// engine (test/fixtures/fakeEngineServer.ts). The real llama-server behind the proxy is tested in test/lsp/remoteEngine.test.ts.
import { afterEach, describe, test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import { DEFAULT_SETTINGS, type EngineProxySettings, type EngineSettings } from "../../../src/shared/settings";
import { EngineError } from "../../../src/server/engines/http/EngineHttp";
import { openRemoteEngine } from "../../../src/server/engines/openRemoteEngine";
import type { RemoteEngine } from "../../../src/server/engines/RemoteEngine";
import { FakeEngineServer, SPECIAL_TOKENS, type FakeEngineOptions } from "../../fixtures/fakeEngineServer";
import { createSelfSignedCertificate } from "../../fixtures/llamaServer";
import { TestProxy } from "../../fixtures/testProxy";

const ENGINE_HOST = "llama.internal";
const prompt = [
  { kind: "special" as const, text: SPECIAL_TOKENS[0]! }, { kind: "text" as const, text: "function add(a, b) {\n  " },
  { kind: "special" as const, text: SPECIAL_TOKENS[1]! }, { kind: "text" as const, text: "\n}\n" }, { kind: "special" as const, text: SPECIAL_TOKENS[2]! },
];

let cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function open(url: string, proxy: Partial<EngineProxySettings>, extra: Partial<EngineSettings> = {}, env: Record<string, string> = {}): Promise<RemoteEngine> {
  const settings = { ...DEFAULT_SETTINGS.engine, url, ...extra, kind: "llama-server" as const, proxy: { ...DEFAULT_SETTINGS.engine.proxy, ...proxy } };
  const engine = await openRemoteEngine(settings, { onHealth: () => undefined, log: () => undefined, env, timeoutMs: 3000 });
  cleanups.push(() => engine.dispose());
  return engine;
}

async function complete(engine: RemoteEngine): Promise<string> {
  return (await engine.generator.generate(prompt, { maxTokens: 32, stopTexts: [], signal: new AbortController().signal })).text;
}

async function startFake(options: FakeEngineOptions = {}): Promise<FakeEngineServer> {
  const fake = await FakeEngineServer.start(options);
  cleanups.push(() => fake.kill().catch(() => undefined));
  return fake;
}

async function startProxy(options: Parameters<typeof TestProxy.start>[0] = {}): Promise<TestProxy> {
  const proxy = await TestProxy.start({ hosts: { [ENGINE_HOST]: "127.0.0.1" }, ...options });
  cleanups.push(() => proxy.close());
  return proxy;
}

describe("a remote engine behind an HTTP proxy", () => {
  test("http:// engine: every request is an absolute-URI request to the proxy, which alone resolves the engine's name", async () => {
    const fake = await startFake();
    const proxy = await startProxy();
    const engine = await open(`http://${ENGINE_HOST}:${fake.port}`, { url: proxy.url() });
    assert.ok((await complete(engine)).length > 0);
    assert.ok(proxy.requests.length > 0);
    assert.ok(proxy.requests.every((request) => request.method !== "CONNECT" && request.target.startsWith(`http://${ENGINE_HOST}:${fake.port}/`)),
      JSON.stringify(proxy.requests));
    assert.ok(proxy.requests.some((request) => request.target.endsWith("/completion")));
    assert.equal(engine.viaProxy, `http://127.0.0.1:${proxy.port} (http.proxy)`);
  });

  test("https:// engine: a CONNECT tunnel, TLS end to end (the CA file still decides whether the engine is trusted)", async () => {
    const certificate = createSelfSignedCertificate(undefined, [ENGINE_HOST]);
    cleanups.push(() => fs.rmSync(certificate.dir, { recursive: true, force: true }));
    const fake = await startFake({ tls: { certFile: certificate.certFile, keyFile: certificate.keyFile } });
    const proxy = await startProxy();
    const url = `https://${ENGINE_HOST}:${fake.port}`;
    await assert.rejects(open(url, { url: proxy.url() }), (error: EngineError) => /TLS certificate is not trusted/.test(error.message));
    const engine = await open(url, { url: proxy.url() }, { caFile: certificate.certFile });
    assert.ok((await complete(engine)).length > 0);
    assert.ok(proxy.requests.length > 0);
    assert.ok(proxy.requests.every((request) => request.method === "CONNECT" && request.target === `${ENGINE_HOST}:${fake.port}`), JSON.stringify(proxy.requests));
  });

  test("credentials in the proxy URL become Proxy-Authorization; without them the message says the proxy wants them", async () => {
    const fake = await startFake();
    const proxy = await startProxy({ credentials: "team:s3cret" });
    await assert.rejects(open(`http://${ENGINE_HOST}:${fake.port}`, { url: proxy.url() }), (error: EngineError) =>
      /the proxy http:\/\/127\.0\.0\.1:\d+ \(http\.proxy\) asks for credentials \(HTTP 407\)/.test(error.message));
    const engine = await open(`http://${ENGINE_HOST}:${fake.port}`, { url: proxy.url("team:s3cret") });
    assert.ok((await complete(engine)).length > 0);
    assert.equal(proxy.requests.at(-1)?.proxyAuthorization, `Basic ${Buffer.from("team:s3cret").toString("base64")}`);
  });

  test("the proxy down: the error names the proxy and where it was set (here HTTPS_PROXY), never its credentials", async () => {
    const proxy = await TestProxy.start();
    const port = proxy.port;
    await proxy.close();
    for (const scheme of ["http", "https"]) {
      const env = { [`${scheme.toUpperCase()}_PROXY`]: `http://team:s3cret@127.0.0.1:${port}` };
      await assert.rejects(open(`${scheme}://${ENGINE_HOST}:8080`, {}, {}, env), (error: EngineError) => {
        assert.equal(error.kind, "unreachable");
        assert.match(error.message, new RegExp(`cannot reach the proxy http://127\\.0\\.0\\.1:${port} \\(${scheme.toUpperCase()}_PROXY\\): connection refused`));
        assert.ok(!error.message.includes("s3cret"));
        return true;
      });
    }
  });

  test("noProxy and loopback go direct: the proxy sees nothing", async () => {
    const fake = await startFake();
    const proxy = await startProxy();
    assert.ok((await complete(await open(fake.url, { url: proxy.url() }))).length > 0, "loopback");
    assert.ok((await complete(await open(fake.url.replace("127.0.0.1", "localhost"), {}, {}, { HTTP_PROXY: proxy.url(), NO_PROXY: "localhost" }))).length > 0);
    assert.deepEqual(proxy.requests, []);
    assert.ok((await complete(await open(fake.url, { url: proxy.url(), noProxy: ["<-loopback>"] }))).length > 0);
    assert.ok(proxy.requests.length > 0, "<-loopback> sends even loopback through the proxy");
  });
});
