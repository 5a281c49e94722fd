import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { buildContentSecurityPolicy, createNonce, renderExplainHtml } from "../../../src/extension/explain/explainHtml";

const cspSource = "https://*.vscode-cdn.net";
const nonce = "0123456789abcdefABCDEF0123456789";
const media = "https://file%2B.vscode-resource.vscode-cdn.net/home/u/.vscode/extensions/pocket-coder/media/explain";
const options = { cspSource, nonce, scriptUri: `${media}/dist/explain.js`, styleUri: `${media}/explain.css` };

function decode(attribute: string): string {
  return attribute.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function directives(html: string): Map<string, string[]> {
  const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(match?.[1], "the page must declare a Content-Security-Policy");
  const map = new Map<string, string[]>();
  for (const directive of decode(match[1]).split(";")) {
    const [name, ...values] = directive.trim().split(/\s+/);
    if (name) map.set(name, values);
  }
  return map;
}

describe("renderExplainHtml", () => {
  const html = renderExplainHtml(options);

  test("declares the CSP before any resource is referenced", () => {
    const cspAt = html.indexOf('http-equiv="Content-Security-Policy"');
    assert.ok(cspAt > 0);
    for (const tag of ["<link", "<script", "<style", "<img"]) {
      const at = html.indexOf(tag);
      assert.ok(at === -1 || at > cspAt, `${tag} comes after the CSP`);
    }
  });

  test("the policy denies by default and allows only our nonce for scripts", () => {
    const csp = directives(html);
    assert.deepEqual(csp.get("default-src"), ["'none'"]);
    assert.deepEqual(csp.get("script-src"), [`'nonce-${nonce}'`]);
    assert.deepEqual(csp.get("style-src"), [cspSource, `'nonce-${nonce}'`]);
    assert.deepEqual(csp.get("img-src"), [cspSource]);
    assert.deepEqual(csp.get("font-src"), [cspSource]);
    assert.deepEqual(csp.get("base-uri"), ["'none'"]);
    assert.deepEqual(csp.get("form-action"), ["'none'"]);
    const all = [...csp.values()].flat().join(" ");
    for (const forbidden of ["'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "*", "data:", "blob:", "http:", "https:"]) {
      assert.ok(!all.split(" ").includes(forbidden), `the policy must not allow ${forbidden}`);
    }
  });

  test("every script carries the nonce, loads from the media folder and has no inline body", () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 1);
    for (const [, attributes = "", body = ""] of scripts) {
      assert.match(attributes, new RegExp(`\\bnonce="${nonce}"`));
      assert.match(attributes, new RegExp(`\\bsrc="${escapeRegExp(options.scriptUri)}"`));
      assert.equal(body.trim(), "", "no inline script");
    }
    assert.equal((html.match(/<script\b/g) ?? []).length, 1, "no other script tag");
  });

  test("no inline event handlers, inline styles, javascript: URLs or style elements", () => {
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
    assert.doesNotMatch(html, /\sstyle\s*=/i);
    assert.doesNotMatch(html, /javascript:/i);
    assert.doesNotMatch(html, /<style\b/i);
  });

  test("every resource comes from the media folder URI", () => {
    const urls = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => decode(match[1] ?? ""));
    assert.deepEqual(urls.sort(), [options.scriptUri, options.styleUri].sort());
    for (const url of urls) assert.ok(url.startsWith(`${media}/`), url);
    assert.match(html, new RegExp(`<link rel="stylesheet" href="${escapeRegExp(options.styleUri)}" nonce="${nonce}">`));
  });

  test("contains the elements the webview script looks up", () => {
    for (const id of ["app", "title", "subtitle", "note", "content", "status-text", "stop", "error", "error-message"]) {
      assert.match(html, new RegExp(`\\bid="${id}"`), id);
    }
    assert.match(html, /<button type="button" class="button" id="stop"[^>]*hidden>/, "Stop is hidden until streaming starts");
  });

  test("escapes resource URIs so they cannot break out of their attribute", () => {
    const hostile = renderExplainHtml({ ...options, scriptUri: `${media}/x.js"></script><script>alert(1)</script>` });
    assert.equal((hostile.match(/<script\b/g) ?? []).length, 1);
    assert.match(hostile, /&quot;&gt;&lt;\/script&gt;/);
  });

  test("refuses a nonce or CSP source that could widen the policy", () => {
    for (const bad of ["", "short", "abc'def0123456789abcdef", "0123456789abcdef; script-src *", "0123456789abcdef\"", "0123456789abcdef 'unsafe-inline'"]) {
      assert.throws(() => renderExplainHtml({ ...options, nonce: bad }), /nonce/, JSON.stringify(bad));
    }
    for (const bad of ["", "x; script-src *", "'unsafe-inline'", "https://a\"", "https://a\nscript-src *", "a  b", "'self' 'unsafe-eval'", "'self'x"]) {
      assert.throws(() => buildContentSecurityPolicy(bad, nonce), /CSP source/, JSON.stringify(bad));
    }
    // VS Code for the Web (code-server) puts 'self' first.
    assert.match(buildContentSecurityPolicy("'self' https://*.vscode-cdn.net", nonce), /img-src 'self' https:\/\/\*\.vscode-cdn\.net;/);
  });
});

describe("createNonce", () => {
  test("is 128 random bits in a CSP-valid alphabet, fresh each call", () => {
    const nonces = new Set(Array.from({ length: 200 }, () => createNonce()));
    assert.equal(nonces.size, 200);
    for (const value of nonces) {
      assert.match(value, /^[0-9a-f]{32}$/);
      assert.doesNotThrow(() => buildContentSecurityPolicy(cspSource, value));
    }
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
