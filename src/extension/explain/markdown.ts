// Markdown → safe HTML for the Explain webview. The input is untrusted model output, so two independent layers:
//  1. markdown-it with raw HTML, linkify and images disabled and links limited to http(s)/mailto: its output is safe
//     by construction (every `<`, `>` and `&` in the text is escaped);
//  2. a sanitizer (DOMPurify in the webview) with a closed allow-list, in case layer 1 ever has a bug.
// Pure and DOM-free: the webview injects the sanitizer and the highlighter, and the unit tests inject their own.
import MarkdownIt from "markdown-it";

/** Returns highlighted, HTML-escaped code, or undefined when `language` is unknown (the code is then escaped as plain text). */
export type Highlighter = (code: string, language: string) => string | undefined;
/** Removes anything not on the allow-list from an HTML string. */
export type Sanitizer = (html: string) => string;

export interface MarkdownRenderer {
  /** Renders a whole (possibly partial, mid-stream) document. Never throws on malformed Markdown. */
  render(markdown: string): string;
}

/** The only link targets that become live links; anything else renders as text. */
export const SAFE_LINK_PATTERN = /^(?:https?:\/\/|mailto:)/i;

/** Exactly the elements markdown-it and highlight.js produce with the options below. */
const ALLOWED_TAGS = [
  "a", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "s",
  "span", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
];
const ALLOWED_ATTR = ["href", "title", "class", "start"];

/** The sanitizer's configuration, in DOMPurify's format. A fresh object each call, so no caller can mutate a shared one. */
export function sanitizeConfig(): {
  ALLOWED_TAGS: string[];
  ALLOWED_ATTR: string[];
  ALLOWED_URI_REGEXP: RegExp;
  ALLOW_DATA_ATTR: boolean;
  ALLOW_ARIA_ATTR: boolean;
  ALLOW_UNKNOWN_PROTOCOLS: boolean;
  KEEP_CONTENT: boolean;
} {
  return {
    ALLOWED_TAGS: [...ALLOWED_TAGS],
    ALLOWED_ATTR: [...ALLOWED_ATTR],
    ALLOWED_URI_REGEXP: SAFE_LINK_PATTERN,
    ALLOW_DATA_ATTR: false,
    ALLOW_ARIA_ATTR: false,
    ALLOW_UNKNOWN_PROTOCOLS: false,
    KEEP_CONTENT: true,
  };
}

const HIGHLIGHT_CACHE_SIZE = 64;

export function createMarkdownRenderer(options: { sanitize: Sanitizer; highlight?: Highlighter }): MarkdownRenderer {
  const highlight = options.highlight ? cached(options.highlight) : undefined;
  const md = new MarkdownIt("default", {
    html: false,
    linkify: false,
    typographer: false,
    breaks: false,
    langPrefix: "language-",
    highlight: (code, language) => {
      if (!highlight || !language) return "";
      try {
        return highlight(code, language) ?? "";
      } catch {
        return ""; // markdown-it escapes the code itself
      }
    },
  });
  md.validateLink = (url) => SAFE_LINK_PATTERN.test(url.trim());
  // Images would load from wherever the model points (the CSP blocks them anyway): `![alt](url)` becomes a link.
  md.renderer.rules.image = (tokens, index, renderOptions, env, self) => {
    const token = tokens[index];
    const src = token?.attrGet("src");
    if (!token || typeof src !== "string") return "";
    const alt = self.renderInlineAsText(token.children ?? [], renderOptions, env).trim() || "image";
    const href = md.utils.escapeHtml(src);
    return `<a class="image-link" href="${href}" title="Image: ${href}">${md.utils.escapeHtml(alt)}</a>`;
  };

  // Table alignment comes as inline `style`, which the CSP blocks: turn it into a class.
  const alignToClass: NonNullable<typeof md.renderer.rules.th_open> = (tokens, index, renderOptions, _env, self) => {
    const token = tokens[index];
    const style = token?.attrGet("style");
    if (token && typeof style === "string") {
      token.attrs = token.attrs?.filter(([name]) => name !== "style") ?? null;
      const align = /text-align:\s*(left|center|right)/.exec(style)?.[1];
      if (align) token.attrJoin("class", `align-${align}`);
    }
    return self.renderToken(tokens, index, renderOptions);
  };
  md.renderer.rules.th_open = alignToClass;
  md.renderer.rules.td_open = alignToClass;

  // A webview has no status bar: show where a link goes when hovering it.
  md.renderer.rules.link_open = (tokens, index, renderOptions, _env, self) => {
    const token = tokens[index];
    const href = token?.attrGet("href");
    if (token && typeof href === "string" && !token.attrGet("title")) token.attrSet("title", href);
    return self.renderToken(tokens, index, renderOptions);
  };

  return {
    render(markdown: string): string {
      return options.sanitize(md.render(markdown));
    },
  };
}

/** While streaming, the whole document is re-rendered each frame: finished code blocks are highlighted once. */
function cached(highlight: Highlighter): Highlighter {
  const results = new Map<string, string | undefined>();
  return (code, language) => {
    const key = `${language}\u0000${code}`;
    if (results.has(key)) return results.get(key);
    const result = highlight(code, language);
    if (results.size >= HIGHLIGHT_CACHE_SIZE) {
      const oldest = results.keys().next();
      if (!oldest.done) results.delete(oldest.value);
    }
    results.set(key, result);
    return result;
  };
}
