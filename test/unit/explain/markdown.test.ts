import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { createMarkdownRenderer, sanitizeConfig, type Highlighter, type Sanitizer } from "../../../src/extension/explain/markdown";

// jsdom, DOMPurify and highlight.js are loaded untyped on purpose: their declarations pull `lib: dom` into the whole
// Node project (highlight.js has `/// <reference lib="dom" />`, jsdom has no bundled types). These minimal shapes are
// all the tests need.
interface TestElement {
  tagName: string;
  className: string;
  textContent: string | null;
  attributes: ArrayLike<{ name: string; value: string }>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): TestElement | null;
  querySelectorAll(selector: string): ArrayLike<TestElement>;
}
interface TestWindow {
  document: { createElement(tag: "div"): TestElement & { innerHTML: string } };
}
interface HighlightJs {
  registerLanguage(name: string, language: unknown): void;
  getLanguage(name: string): unknown;
  highlight(code: string, options: { language: string; ignoreIllegals: boolean }): { value: string };
}

const load = createRequire(__filename);
const { JSDOM } = load("jsdom") as { JSDOM: new (html: string) => { window: TestWindow } };
const createDOMPurify = load("dompurify") as (window: TestWindow) => { sanitize(html: string, config: object): string };
const hljs = load("highlight.js/lib/core") as HighlightJs;
hljs.registerLanguage("typescript", load("highlight.js/lib/languages/typescript"));
hljs.registerLanguage("python", load("highlight.js/lib/languages/python"));

const { window } = new JSDOM("<!DOCTYPE html><body></body>");
const purify = createDOMPurify(window);
const domPurify: Sanitizer = (html) => purify.sanitize(html, sanitizeConfig());
const noSanitizer: Sanitizer = (html) => html;
const highlight: Highlighter = (code, language) =>
  hljs.getLanguage(language) ? hljs.highlight(code, { language, ignoreIllegals: true }).value : undefined;

/** What the webview uses: markdown-it + highlight.js + DOMPurify. */
const webview = createMarkdownRenderer({ sanitize: domPurify, highlight });
/** markdown-it alone: must already be safe by construction. */
const markdownOnly = createMarkdownRenderer({ sanitize: noSanitizer, highlight });

function parse(html: string): TestElement {
  const container = window.document.createElement("div");
  container.innerHTML = html;
  return container;
}

function all(root: TestElement, selector: string): TestElement[] {
  return Array.from(root.querySelectorAll(selector));
}

/** The properties every rendering of untrusted text must have, whatever the input. */
function assertInert(html: string): void {
  const root = parse(html);
  for (const element of all(root, "*")) {
    assert.ok(!["SCRIPT", "IMG", "IFRAME", "OBJECT", "EMBED", "STYLE", "LINK", "META", "FORM", "INPUT", "SVG", "MATH"].includes(element.tagName), `no <${element.tagName}>`);
    for (const { name } of Array.from(element.attributes)) {
      assert.ok(!/^on/i.test(name), `no ${name} handler`);
      assert.ok(!["style", "src", "srcset", "action", "formaction"].includes(name.toLowerCase()), `no ${name} attribute`);
    }
  }
  for (const link of all(root, "a")) {
    const href = link.getAttribute("href");
    if (href !== null) assert.match(href, /^(?:https?:\/\/|mailto:)/i); // an <a> without href is not a link
  }
}

const hostile = [
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "[x](javascript:alert(1))",
  "[x](JaVaScRiPt:alert(1))",
  "[x](javascript&#58;alert(1))",
  "[x](  javascript:alert(1) )",
  "[x](vbscript:msgbox(1))",
  "[x](data:text/html,<script>alert(1)</script>)",
  "[x](file:///etc/passwd)",
  "[run](command:workbench.action.terminal.new)",
  "<javascript:alert(1)>",
  "![pixel](https://tracker.example/p.png)",
  "![x](javascript:alert(1))",
  '<a href="javascript:alert(1)">x</a>',
  "<svg onload=alert(1)>",
  "<iframe src=https://evil.example></iframe>",
  '<div style="background:url(javascript:alert(1))">x</div>',
  "```ts\" onmouseover=\"alert(1)\nconst x = 1;\n```",
  "[x][ref]\n\n[ref]: javascript:alert(1)",
  "| a |\n|---|\n| <img src=x onerror=alert(1)> |",
];

describe("Markdown rendering of untrusted model output", () => {
  test("raw <img onerror> renders as visible text, never as an element", () => {
    for (const renderer of [webview, markdownOnly]) {
      const html = renderer.render("Look: <img src=x onerror=alert(1)>");
      assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
      const root = parse(html);
      assert.equal(all(root, "img").length, 0);
      assert.equal(root.textContent?.trim(), "Look: <img src=x onerror=alert(1)>");
    }
  });

  test("<script> renders as text", () => {
    for (const renderer of [webview, markdownOnly]) {
      const html = renderer.render('<script>alert("xss")</script>\n\nInline <script>x()</script> too.');
      assert.equal(all(parse(html), "script").length, 0);
      assert.match(html, /&lt;script&gt;alert\((?:"|&quot;)xss(?:"|&quot;)\)&lt;\/script&gt;/);
      assert.match(parse(html).textContent ?? "", /Inline <script>x\(\)<\/script> too\./);
    }
  });

  test("javascript: and other dangerous links are not live links", () => {
    for (const renderer of [webview, markdownOnly]) {
      const root = parse(renderer.render("[x](javascript:alert(1)) and [run](command:workbench.action.terminal.new)"));
      assert.equal(all(root, "a").length, 0);
      assert.match(root.textContent ?? "", /\[x\]\(javascript:alert\(1\)\)/);
    }
  });

  test("every hostile input is inert, with and without the sanitizer", () => {
    for (const input of hostile) {
      for (const renderer of [webview, markdownOnly]) {
        assert.doesNotThrow(() => assertInert(renderer.render(input)), input);
        assertInert(renderer.render(`Some text ${input} more text`));
      }
    }
  });

  test("http(s) and mailto links stay live and show their target on hover", () => {
    const root = parse(webview.render("See [the docs](https://example.com/a?b=1) or <https://example.org> or [mail](mailto:a@example.com)."));
    const links = all(root, "a");
    assert.deepEqual(links.map((link) => link.getAttribute("href")), ["https://example.com/a?b=1", "https://example.org", "mailto:a@example.com"]);
    assert.equal(links[0]?.getAttribute("title"), "https://example.com/a?b=1");
  });

  test("bare URLs are not auto-linked (linkify is off)", () => {
    assert.equal(all(parse(webview.render("Visit https://example.com now")), "a").length, 0);
  });

  test("images become labelled links and never load", () => {
    const root = parse(webview.render("![diagram](https://example.com/d.png)"));
    assert.equal(all(root, "img").length, 0);
    const link = root.querySelector("a.image-link");
    assert.equal(link?.getAttribute("href"), "https://example.com/d.png");
    assert.equal(link?.textContent, "diagram");
  });

  test("code fences get a language class and highlighting", () => {
    const root = parse(webview.render("```ts\nconst answer: number = 42; // yes\n```"));
    const code = root.querySelector("pre > code");
    assert.equal(code?.className, "language-ts");
    assert.ok(all(root, "span.hljs-keyword").some((span) => span.textContent === "const"));
    assert.ok(all(root, "span.hljs-comment").length > 0);
    assert.equal(code?.textContent, "const answer: number = 42; // yes\n");
  });

  test("unknown languages get their class and plain, escaped text", () => {
    const root = parse(webview.render("```brainfart\n<b>not bold</b>\n```"));
    const code = root.querySelector("pre > code");
    assert.equal(code?.className, "language-brainfart");
    assert.equal(all(root, "b").length, 0);
    assert.equal(code?.textContent, "<b>not bold</b>\n");
  });

  test("a fence info string cannot inject attributes", () => {
    const root = parse(webview.render('```ts" onmouseover="alert(1)\nx\n```'));
    const code = root.querySelector("pre > code");
    assert.equal(code?.getAttribute("onmouseover"), null);
    assert.equal(code?.className, 'language-ts"');
  });

  test("a highlighter that throws falls back to escaped plain code", () => {
    const broken = createMarkdownRenderer({ sanitize: domPurify, highlight: () => { throw new Error("boom"); } });
    const code = parse(broken.render("```ts\nif (a < b) {}\n```")).querySelector("pre > code");
    assert.equal(code?.textContent, "if (a < b) {}\n");
  });

  test("tables render with alignment classes instead of inline styles (the CSP blocks those)", () => {
    const html = webview.render("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |");
    assert.doesNotMatch(html, /style=/);
    const cells = all(parse(html), "td").map((cell) => cell.className);
    assert.deepEqual(cells, ["align-left", "align-center", "align-right"]);
  });

  test("headings, lists, emphasis and inline code come through", () => {
    const root = parse(webview.render("## Steps\n\n1. **Bold** and *em*\n2. `a < b`\n\n- item\n\n> quote\n\n---"));
    assert.equal(root.querySelector("h2")?.textContent, "Steps");
    assert.equal(all(root, "ol > li").length, 2);
    assert.equal(root.querySelector("strong")?.textContent, "Bold");
    assert.equal(root.querySelector("em")?.textContent, "em");
    assert.equal(root.querySelector("li code")?.textContent, "a < b");
    assert.equal(all(root, "ul > li").length, 1);
    assert.equal(all(root, "blockquote").length, 1);
    assert.equal(all(root, "hr").length, 1);
  });
});

describe("Markdown rendering mid-stream", () => {
  const document = [
    "# How `add` works",
    "",
    "It returns the **sum** of [its](https://example.com) arguments.",
    "",
    "```ts",
    "export function add(a: number, b: number): number {",
    "  return a + b; // <img src=x onerror=alert(1)>",
    "}",
    "```",
    "",
    "| a | b |",
    "|:--|--:|",
    "| 1 | 2 |",
    "",
    "- done <script>alert(1)</script>",
  ].join("\n");

  test("an unclosed code fence renders as a code block without throwing", () => {
    const partial = "Here is the code:\n\n```ts\nfunction add(a: number, b: number) {\n  return a";
    const root = parse(webview.render(partial));
    const code = root.querySelector("pre > code.language-ts");
    assert.ok(code, "the open fence is already a code block");
    assert.match(code.textContent ?? "", /return a\n?$/);
    assert.match(root.querySelector("p")?.textContent ?? "", /Here is the code:/);
  });

  test("every prefix of a streamed document renders and stays inert", () => {
    for (let end = 0; end <= document.length; end += 1) {
      const prefix = document.slice(0, end);
      const html = markdownOnly.render(prefix);
      assertInert(html);
      if (end % 17 === 0 || end === document.length) assertInert(webview.render(prefix));
    }
  });

  test("an unfinished link or emphasis does not become markup early", () => {
    assert.equal(all(parse(webview.render("See [the docs](https://exa")), "a").length, 0);
    assert.equal(all(parse(webview.render("This is **bo")), "strong").length, 0);
  });

  test("finished code blocks are highlighted once, not on every frame", () => {
    let calls = 0;
    const counting = createMarkdownRenderer({ sanitize: noSanitizer, highlight: (code, language) => { calls += 1; return highlight(code, language); } });
    const text = "```ts\nconst a = 1;\n```\n\nMore text";
    for (let frame = 0; frame < 20; frame += 1) counting.render(`${text} ${frame}`);
    assert.equal(calls, 1);
  });
});

describe("sanitizeConfig (the second layer, on its own)", () => {
  test("strips scripts, handlers, styles and dangerous URLs even from raw HTML", () => {
    const dirty = [
      "<p onclick=alert(1) style=color:red>text</p>",
      "<script>alert(1)</script>",
      "<img src=x onerror=alert(1)>",
      '<a href="javascript:alert(1)">js</a>',
      '<a href="command:workbench.action.terminal.new">cmd</a>',
      '<a href="https://ok.example" target="_blank">ok</a>',
      "<iframe src=https://evil.example></iframe>",
      "<svg><script>alert(1)</script></svg>",
      "<form action=https://evil.example><input name=q></form>",
      '<span data-x="1" class="hljs-keyword">const</span>',
    ].join("");
    const clean = domPurify(dirty);
    assertInert(clean);
    const root = parse(clean);
    assert.deepEqual(all(root, "a").map((link) => link.getAttribute("href")), [null, null, "https://ok.example"]);
    assert.equal(root.querySelector("a[target]"), null);
    assert.equal(root.querySelector("span")?.className, "hljs-keyword");
    assert.equal(root.querySelector("span")?.getAttribute("data-x"), null);
  });

  test("returns a fresh configuration each time", () => {
    const first = sanitizeConfig();
    first.ALLOWED_TAGS.push("script");
    assert.ok(!sanitizeConfig().ALLOWED_TAGS.includes("script"));
  });
});
