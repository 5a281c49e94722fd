// Zero network, proven: the built server goes through initialize, model load and completion (and the CLI
// through doctor and complete) inside a network namespace without interfaces (`unshare -n`), under
// `strace -f -e trace=network`; no IP socket may be created and nothing but a Unix socket connected.
// Plus static checks: no network or telemetry code in src/ or the bundles, except the opt-in downloader and the
// remote engines' HTTP client (used only when pocketCoder.engine.kind names a server).
// Needs strace (apt-get install strace) and util-linux's unshare; says so and skips when absent.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIM_COMPLETION, fimModel } from "../fixtures/fixtureModels";
import { CLI_MAIN, fileUri, LspTestClient, REPO_ROOT } from "./LspTestClient";

const MODEL_DIR = path.join(REPO_ROOT, ".test-models");
/** The one module allowed to open a connection, and only after the user opts in. */
const DOWNLOADER = "src/extension/download/modelDownloader.ts";
/**
 * The remote engines' HTTP client (EngineHttp, its proxy tunnel and proxy rules): used only when pocketCoder.engine.kind
 * names a server (test/lsp/remoteEngine.test.ts traces it).
 */
const ENGINE_HTTP_DIR = "src/server/engines/http/";
const isEngineHttp = (module: string) => module.startsWith(ENGINE_HTTP_DIR);

const hasStrace = spawnSync("strace", ["-V"], { stdio: "ignore" }).status === 0;
/** How to enter a network namespace with no interfaces here: as root, or through a user namespace. */
const NAMESPACE = [["unshare", "-n"], ["unshare", "--net", "--map-root-user"]]
  .find((prefix) => spawnSync(prefix[0]!, [...prefix.slice(1), "true"], { stdio: "ignore" }).status === 0);
const TRACE_SKIP = hasStrace ? false : "strace is not installed (apt-get install strace)";

/** Lines of an strace network trace that show an IP socket, or a connection to anything but a Unix socket. */
export function networkViolations(trace: string): string[] {
  return trace.split("\n").filter((line) => {
    if (/AF_INET6?\b|AF_PACKET|PF_INET/.test(line)) return true;
    return /\bconnect\(/.test(line) && !/sa_family=AF_(UNIX|LOCAL)/.test(line);
  });
}

function tracePrefix(traceFile: string): string[] {
  return [...(NAMESPACE ?? []), "strace", "-f", "-qq", "-e", "trace=network", "-o", traceFile];
}

describe("zero network", () => {
  let dir: string;
  let modelPath: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-net-"));
    modelPath = await fimModel(MODEL_DIR);
    if (NAMESPACE === undefined) console.log("# no network namespace available here: tracing without one");
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("the language server: initialize, model load and completion open no network socket", { skip: TRACE_SKIP }, async () => {
    const traceFile = path.join(dir, "server.trace");
    const client = await LspTestClient.start({
      settings: { model: { path: modelPath }, gpu: "auto", threads: 1, completion: { enabled: true, maxTokens: 32 } },
      wrapper: tracePrefix(traceFile),
    });
    try {
      const status = await client.waitForModel();
      assert.equal(status.state, "ready", status.message);
      const uri = fileUri("src/offline.ts");
      await client.open(uri, "function add(a, b) {\n  \n}\n");
      assert.equal((await client.complete(uri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);
    } finally {
      assert.equal(await client.stop(), 0);
    }
    const trace = fs.readFileSync(traceFile, "utf8");
    assert.ok(trace.length > 0, "strace wrote a trace");
    assert.deepEqual(networkViolations(trace), []);
  });

  test("the CLI: doctor (GPU probing included) and complete open no network socket", { skip: TRACE_SKIP }, async () => {
    const source = path.join(dir, "add.ts");
    fs.writeFileSync(source, "function add(a, b) {\n  \n}\n");
    for (const [name, args] of [
      ["doctor", ["doctor", "--model", modelPath, "--threads", "1"]],
      ["complete", ["complete", "--model", modelPath, "--threads", "1", source, "2:3"]],
    ] as const) {
      const traceFile = path.join(dir, `${name}.trace`);
      const [command, ...rest] = [...tracePrefix(traceFile), process.execPath, CLI_MAIN, ...args];
      const result = spawnSync(command!, rest, { encoding: "utf8", timeout: 120_000 });
      assert.equal(result.status, 0, `${name}: ${result.stderr}`);
      if (name === "complete") assert.equal(result.stdout, FIM_COMPLETION);
      assert.deepEqual(networkViolations(fs.readFileSync(traceFile, "utf8")), [], name);
    }
  });

  test("the trace check itself catches IP sockets and connections", () => {
    assert.deepEqual(networkViolations([
      "123 socketpair(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC, 0, [19, 20]) = 0",
      `123 connect(19, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT`,
    ].join("\n")), []);
    assert.equal(networkViolations("9 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 21").length, 1);
    assert.equal(networkViolations(`9 connect(21, {sa_family=AF_INET6, sin6_port=htons(443)}, 28) = -1 ENETUNREACH`).length, 1);
  });

  test("no source file outside the opt-in downloader imports a network module, calls fetch or sends telemetry", () => {
    const offenders: string[] = [];
    const network = /from\s+["'](node:)?(http|https|http2|net|tls|dgram)["']|require\(["'](node:)?(http|https|http2|net|tls|dgram)["']\)|\bfetch\s*\(|XMLHttpRequest|new\s+WebSocket|["']undici["']/;
    const telemetry = /@vscode\/extension-telemetry|applicationinsights|createTelemetryLogger|\.telemetry\.logEvent|sendTelemetry/;
    for (const file of sourceFiles(path.join(REPO_ROOT, "src"))) {
      const relative = path.relative(REPO_ROOT, file).split(path.sep).join("/");
      const text = fs.readFileSync(file, "utf8");
      if (telemetry.test(text)) offenders.push(`${relative}: telemetry`);
      if (relative !== DOWNLOADER && !isEngineHttp(relative) && network.test(text)) offenders.push(`${relative}: network`);
    }
    assert.deepEqual(offenders, []);
    assert.match(fs.readFileSync(path.join(REPO_ROOT, DOWNLOADER), "utf8"), /from "node:https"/, "the downloader is where the network code is");
  });

  test("the bundles: network modules only in the downloader (extension) and in vscode-jsonrpc's local pipe/socket transports", () => {
    const allowed: Record<string, readonly string[]> = {
      "dist/extension.js": [DOWNLOADER, "node_modules/vscode-jsonrpc/lib/node/main.js"],
      "dist/server.js": ["node_modules/vscode-jsonrpc/lib/node/main.js"],
      "dist/cli.js": ["node_modules/vscode-jsonrpc/lib/node/main.js"],
    };
    const network = /require\(["'](node:)?(http|https|http2|net|tls|dgram)["']\)|\bfetch\(|XMLHttpRequest|new WebSocket\(/g;
    for (const [bundle, permitted] of Object.entries(allowed)) {
      const text = fs.readFileSync(path.join(REPO_ROOT, bundle), "utf8");
      const sections = bundleSections(text);
      assert.ok(sections.length > 10, `${bundle} must be the development build (npm run build), whose module markers this test reads`);
      const found = new Set<string>();
      for (const section of sections) if (section.text.match(network) !== null) found.add(section.module);
      const unexpected = [...found].filter((module) => !permitted.includes(module) && (bundle === "dist/extension.js" || !isEngineHttp(module)));
      assert.deepEqual(unexpected, [], `${bundle}: network code in ${unexpected.join(", ")}`);
      if (bundle === "dist/server.js") assert.equal(found.has(DOWNLOADER), false);
    }
  });
});

/** esbuild's development bundles mark each module with a `// path` comment line; splits the text at those. */
function bundleSections(text: string): { module: string; text: string }[] {
  const sections: { module: string; text: string }[] = [];
  const marker = /^\/\/ ((?:src|node_modules)\/\S+)$/gm;
  let last: { module: string; start: number } | undefined;
  for (const match of text.matchAll(marker)) {
    if (last !== undefined) sections.push({ module: last.module, text: text.slice(last.start, match.index) });
    last = { module: match[1]!, start: match.index };
  }
  if (last !== undefined) sections.push({ module: last.module, text: text.slice(last.start) });
  return sections;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.(ts|mts|cts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}
