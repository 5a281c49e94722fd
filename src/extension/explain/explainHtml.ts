// The Explain webview's HTML shell. Pure (no vscode import) so that its security properties are unit-tested.
// The shell is static: everything the model writes is rendered later by the bundled script, after sanitizing.
import { randomBytes } from "node:crypto";

export interface ExplainHtmlOptions {
  /** `webview.cspSource`: the origin the webview's own resources are served from. */
  cspSource: string;
  /** A fresh random value per load (see createNonce). */
  nonce: string;
  /** `webview.asWebviewUri(media/explain/dist/explain.js)`, as a string. */
  scriptUri: string;
  /** `webview.asWebviewUri(media/explain/explain.css)`, as a string. */
  styleUri: string;
}

const NONCE_PATTERN = /^[A-Za-z0-9+/_-]{16,}={0,2}$/;
// A CSP source list is space-separated tokens; anything that could end the directive, the attribute or the tag is refused.
// The one quoted keyword allowed is 'self': VS Code for the Web (code-server) gives "'self' https://*.vscode-cdn.net".
const CSP_SOURCE_TOKEN = "(?:'self'|[^\\s;,\"'<>`\\\\]+)";
const CSP_SOURCE_PATTERN = new RegExp(`^${CSP_SOURCE_TOKEN}(?: ${CSP_SOURCE_TOKEN})*$`);

/** 128 random bits, hex-encoded (hex is a subset of the base64 alphabet the CSP grammar asks for). */
export function createNonce(): string {
  return randomBytes(16).toString("hex");
}

/** The policy: nothing is allowed except our stylesheet and fonts/images from the webview origin, and scripts carrying the nonce. */
export function buildContentSecurityPolicy(cspSource: string, nonce: string): string {
  assertSafe(cspSource, nonce);
  return [
    "default-src 'none'",
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${cspSource}`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** The full document: CSP first, one stylesheet, one nonce'd script, no inline code or event handlers. */
export function renderExplainHtml(options: ExplainHtmlOptions): string {
  const { cspSource, nonce, scriptUri, styleUri } = options;
  const csp = buildContentSecurityPolicy(cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttribute(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${escapeAttribute(styleUri)}" nonce="${nonce}">
  <title>Explain</title>
</head>
<body>
  <div class="app" id="app" data-phase="idle">
    <header class="toolbar">
      <div class="heading">
        <h1 class="title" id="title">Explain</h1>
        <p class="subtitle" id="subtitle"></p>
      </div>
      <div class="controls">
        <span class="status" id="status" role="status" aria-live="polite">
          <span class="spinner" aria-hidden="true"></span><span class="status-text" id="status-text"></span>
        </span>
        <button type="button" class="button" id="stop" title="Stop generating (Escape)" hidden>
          <span class="stop-icon" aria-hidden="true"></span><span>Stop</span>
        </button>
      </div>
    </header>
    <p class="note" id="note" hidden></p>
    <main class="markdown-body" id="content" aria-busy="false"></main>
    <div class="error" id="error" role="alert" hidden>
      <span class="error-icon" aria-hidden="true">!</span>
      <div class="error-body">
        <p class="error-title">The explanation could not be completed.</p>
        <p class="error-message" id="error-message"></p>
      </div>
    </div>
    <p class="empty" id="empty">Select some code and ask Pocket Coder to explain it.</p>
  </div>
  <script nonce="${nonce}" src="${escapeAttribute(scriptUri)}"></script>
</body>
</html>
`;
}

function assertSafe(cspSource: string, nonce: string): void {
  if (!NONCE_PATTERN.test(nonce)) throw new Error("The webview nonce must be at least 16 base64 characters.");
  if (!CSP_SOURCE_PATTERN.test(cspSource)) throw new Error(`Refusing an unexpected webview CSP source: ${JSON.stringify(cspSource)}`);
}

function escapeAttribute(value: string): string {
  // Every attribute in the shell is double-quoted, so single quotes (the CSP's keywords) stay readable.
  return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
