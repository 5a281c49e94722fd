// Which requests to a remote engine go through a proxy, and to which: pure rules, no network.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { bypassesProxy, proxyAuthorization, proxyLabel, proxyRouteFor, ProxySettingError } from "../../../src/server/engines/http/proxyRoute";
import { normalizeSettings } from "../../../src/shared/settings";

const proxy = (url: string, noProxy: string[] = [], enabled = true, authorization = "") => ({ url, noProxy, enabled, authorization });
const route = (target: string, settings = proxy(""), env: Record<string, string> = {}) => proxyRouteFor(new URL(target), settings, env);

describe("proxyRouteFor", () => {
  test("http.proxy wins over the environment; the environment is read per scheme, then ALL_PROXY", () => {
    assert.equal(route("http://gpu:8080", proxy("http://squid:3128"), { http_proxy: "http://env:1" })?.url.host, "squid:3128");
    assert.equal(route("http://gpu:8080", proxy("http://squid:3128"))?.source, "http.proxy");
    const env = { HTTP_PROXY: "http://plain:1", HTTPS_PROXY: "http://secure:2", ALL_PROXY: "http://all:3" };
    assert.deepEqual([route("http://gpu", undefined, env)?.source, route("https://gpu", undefined, env)?.source], ["HTTP_PROXY", "HTTPS_PROXY"]);
    assert.equal(route("https://gpu", undefined, { https_proxy: "http://lower:4", HTTPS_PROXY: "http://upper:5" })?.url.host, "lower:4");
    assert.equal(route("https://gpu", undefined, { ALL_PROXY: "http://all:3" })?.source, "ALL_PROXY");
    assert.equal(route("https://gpu", undefined, { HTTPS_PROXY: "squid:3128" })?.url.href, "http://squid:3128/", "no scheme reads as http://");
    assert.equal(route("https://gpu"), undefined, "nothing set: direct");
  });

  test("http.proxySupport off (enabled false) connects directly whatever is set", () => {
    assert.equal(route("http://gpu:8080", proxy("http://squid:3128", [], false), { HTTP_PROXY: "http://env:1" }), undefined);
  });

  test("loopback is direct unless <-loopback> (Chromium); NO_PROXY and http.noProxy both exempt", () => {
    for (const host of ["http://localhost:8080", "http://127.0.0.1:8080", "http://127.8.0.1", "http://[::1]:8080", "http://api.localhost"]) {
      assert.equal(route(host, proxy("http://squid:3128")), undefined, host);
    }
    assert.equal(route("http://127.0.0.1:8080", proxy("http://squid:3128", ["<-loopback>"]))?.url.host, "squid:3128");
    assert.equal(route("http://gpu.corp:8080", proxy("http://squid:3128"), { NO_PROXY: "other,.corp" }), undefined);
    assert.equal(route("http://gpu.corp:8080", proxy("http://squid:3128", ["gpu.corp"])), undefined);
  });

  test("an unusable proxy URL is an error naming where it was set, never its password", () => {
    assert.throws(() => route("https://gpu", undefined, { HTTPS_PROXY: "socks5://u:secret@s:1080" }), (error: Error) =>
      error instanceof ProxySettingError && /HTTPS_PROXY is not an http:\/\/ proxy URL/.test(error.message) && !error.message.includes("secret"));
  });
});

describe("NO_PROXY entries", () => {
  const bypass = (target: string, ...entries: string[]) => bypassesProxy(new URL(target), entries);
  test("host, .domain, *.domain and a bare domain cover the domain and its subdomains, nothing else", () => {
    assert.ok(bypass("http://gpu.corp.example:8080", "gpu.corp.example"));
    assert.ok(bypass("http://gpu.corp.example", ".corp.example"));
    assert.ok(bypass("http://corp.example", ".corp.example"));
    assert.ok(bypass("http://a.b.corp.example", "*.corp.example"));
    assert.ok(bypass("http://gpu.corp.example", "corp.example"));
    assert.ok(!bypass("http://gpucorp.example", "corp.example"), "a suffix is not a domain");
    assert.ok(!bypass("http://corp.example.org", "corp.example"));
    assert.ok(bypass("http://GPU.Corp.Example.", "gpu.corp.example"), "case and a trailing dot do not matter");
  });

  test("host:port only for that port (default ports count); * for all; <local> for dotless names", () => {
    assert.ok(bypass("http://gpu:8080", "gpu:8080"));
    assert.ok(!bypass("http://gpu:9090", "gpu:8080"));
    assert.ok(bypass("https://gpu", "gpu:443"));
    assert.ok(bypass("http://anything.example", "*"));
    assert.ok(bypass("http://gpu:8080", "<local>"));
    assert.ok(!bypass("http://gpu.corp:8080", "<local>"));
  });

  test("IP addresses and CIDR ranges, v4 and v6", () => {
    assert.ok(bypass("http://10.1.2.3:8080", "10.0.0.0/8"));
    assert.ok(!bypass("http://11.1.2.3:8080", "10.0.0.0/8"));
    assert.ok(bypass("http://192.168.1.20", "192.168.1.20"));
    assert.ok(!bypass("http://192.168.1.21", "192.168.1.20"));
    assert.ok(bypass("http://[fd00::5]:8080", "fd00::/8"));
    assert.ok(bypass("http://[fd00::5]:8080", "[fd00::5]:8080"));
    assert.ok(!bypass("http://gpu.corp", "10.0.0.0/8"), "a name is not in an address range");
  });
});

describe("proxy credentials", () => {
  test("they become Proxy-Authorization (percent-decoded) and never appear in the label", () => {
    const withCredentials = route("http://gpu:8080", proxy("http://team%40corp:p%3Ass@squid:3128"))!;
    assert.deepEqual(proxyAuthorization(withCredentials), { "proxy-authorization": `Basic ${Buffer.from("team@corp:p:ss").toString("base64")}` });
    assert.equal(proxyLabel(withCredentials), "http://squid:3128 (http.proxy)");
    assert.deepEqual(proxyAuthorization(route("http://gpu:8080", proxy("http://squid:3128"))!), {});
    const given = route("http://gpu:8080", proxy("http://u:p@squid:3128", [], true, "Basic dGVhbTpnaXZlbg=="))!;
    assert.deepEqual(proxyAuthorization(given), { "proxy-authorization": "Basic dGVhbTpnaXZlbg==" }, "http.proxyAuthorization wins");
  });
});

describe("engine.proxy settings", () => {
  test("defaults, a list or NO_PROXY-style string, and a bad URL reported without its password", () => {
    assert.deepEqual(normalizeSettings({}).settings.engine.proxy, { url: "", noProxy: [], enabled: true, authorization: "" });
    const listed = normalizeSettings({ engine: { proxy: { url: "http://u:pw@squid:3128", noProxy: ["a", ".b"], enabled: false, authorization: "Basic x" } } });
    assert.deepEqual(listed.settings.engine.proxy, { url: "http://u:pw@squid:3128", noProxy: ["a", ".b"], enabled: false, authorization: "Basic x" });
    assert.deepEqual(normalizeSettings({ engine: { proxy: { noProxy: "a, .b" } } }).settings.engine.proxy.noProxy, ["a", ".b"]);
    const bad = normalizeSettings({ engine: { proxy: { url: "https://u:secret@squid:3128" } } });
    assert.equal(bad.settings.engine.proxy.url, "");
    assert.match(bad.problems.join("\n"), /http\.proxy\) must be an http:\/\/host:port URL.*got a https:\/\/ URL/);
    assert.ok(!bad.problems.join("\n").includes("secret"));
  });
});
