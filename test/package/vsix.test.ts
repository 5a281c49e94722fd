// Builds the VSIX for this machine's target once (`scripts/package.mjs`, ~15 s) and checks what is in it:
// only the intended files, only this target's llama.cpp binaries, within the size budget, and that the
// packaged CLI completes with nothing but the VSIX's own node_modules.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CHAT_ANSWER, chatModel, FIM_COMPLETION, fimModel } from "../fixtures/fixtureModels";
import { fileUri, LspTestClient } from "../lsp/LspTestClient";
import { extractZip, listZip, readZipEntry, type ZipEntry } from "./zipReader";

const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");
const MODEL_DIR = path.join(REPO_ROOT, ".test-models");

interface TargetSpec { readonly binaries: readonly string[]; readonly budgetMB: number }
const TARGETS = (JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "scripts/vsix-targets.json"), "utf8")) as { targets: Record<string, TargetSpec> }).targets;
const MANIFEST = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
  name: string; version: string; dependencies: Record<string, string>; devDependencies: Record<string, string>;
};
const HOST_TARGET = `${process.platform}-${process.arch === "arm" ? "armhf" : process.arch}`;
const SPEC = TARGETS[HOST_TARGET];
/** node-llama-cpp's build tools and CLI parser, which the runtime never opens, and what only they need (scripts/package.mjs). */
const LEFT_OUT = ["cmake-js", "yargs", "yargs-parser", "cliui", "node-addon-api", "node-api-headers", "validate-npm-package-name", "ignore", "tar", "minipass"];
/** What only the stubbed downloader (ipull: an HTTP client) and git client (simple-git) need. */
const LEFT_OUT_WITH_STUBS = ["@tinyhttp/content-disposition", "lowdb", "commander", "@reflink/reflink", "@simple-git/argv-parser", "@kwsites/file-exists"];
const STUBS: Record<string, readonly string[]> = { "ipull": ["DownloadStatus", "downloadFile", "downloadSequence"], "simple-git": ["simpleGit"] };
const STUB_MESSAGE = "Pocket Coder never downloads or builds llama.cpp through node-llama-cpp.";

describe(`the ${HOST_TARGET} VSIX`, { skip: SPEC === undefined ? `no VSIX target for ${HOST_TARGET}` : false }, () => {
  let outDir: string;
  let vsixPath: string;
  let zip: Buffer;
  let entries: ZipEntry[];
  let names: string[];
  let packagingSeconds: number;
  /** The VSIX's extension/ folder, extracted: what VS Code runs once it is installed. */
  let installed: string;

  before(() => {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-vsix-test-"));
    const started = Date.now();
    const packaging = spawnSync(process.execPath, [path.join(REPO_ROOT, "scripts/package.mjs"), "--out", outDir], { cwd: REPO_ROOT, encoding: "utf8" });
    assert.equal(packaging.status, 0, `scripts/package.mjs failed:\n${packaging.stdout}\n${packaging.stderr}`);
    packagingSeconds = (Date.now() - started) / 1000;
    vsixPath = path.join(outDir, `${MANIFEST.name}-${HOST_TARGET}-${MANIFEST.version}.vsix`);
    zip = fs.readFileSync(vsixPath);
    entries = listZip(zip);
    names = entries.map((entry) => entry.name);
    installed = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-vsix-installed-"));
    extractZip(zip, "extension/", installed);
  });

  after(() => {
    fs.rmSync(outDir, { recursive: true, force: true });
    if (installed !== undefined) fs.rmSync(installed, { recursive: true, force: true });
  });

  test("is named pocket-coder-<target>-<version>.vsix and declares its target platform", () => {
    const manifest = readZipEntry(zip, entries.find((entry) => entry.name === "extension.vsixmanifest")!).toString("utf8");
    assert.match(manifest, new RegExp(`TargetPlatform="${HOST_TARGET}"`));
    console.log(`# packaged ${path.basename(vsixPath)} in ${packagingSeconds.toFixed(1)} s: ${(zip.length / 1024 / 1024).toFixed(1)} MB, ${names.length} files`);
  });

  test("holds the bundles, media, manifest, README, LICENSE and SECURITY.md", () => {
    for (const required of [
      "extension/package.json", "extension/readme.md", "extension/LICENSE.txt", "extension/SECURITY.md",
      "extension/changelog.md", "extension/THIRD_PARTY_NOTICES.txt",
      "extension/dist/extension.js", "extension/dist/server.js", "extension/dist/cli.js",
      "extension/media/icon.png", "extension/media/explain/dist/explain.js", "extension/media/explain/explain.css",
      "extension/node_modules/node-llama-cpp/package.json",
    ]) {
      assert.ok(names.includes(required), `missing ${required}`);
    }
  });

  test("holds nothing else: no sources, tests, source maps or build outputs", () => {
    const allowed = [
      /^\[Content_Types\]\.xml$/, /^extension\.vsixmanifest$/,
      /^extension\/(package\.json|readme\.md|LICENSE\.txt|SECURITY\.md|changelog\.md|THIRD_PARTY_NOTICES\.txt)$/,
      /^extension\/dist\/(extension|server|cli)\.js$/,
      /^extension\/media\//,
      /^extension\/node_modules\//,
    ];
    const unexpected = names.filter((name) => !allowed.some((pattern) => pattern.test(name)));
    assert.deepEqual(unexpected, []);
    assert.deepEqual(names.filter((name) => /\.(map|d\.ts|tsbuildinfo)$/.test(name)), [], "no source maps or type declarations");
    assert.equal(names.some((name) => name.endsWith("gitRelease.bundle")), false, "llama.cpp's source bundle is only for building, never shipped");
    assert.deepEqual(names.filter((name) => /^extension\/node_modules\/node-llama-cpp\/(llama\/(addon|cmake|toolchains|xpack)\/|llama\/CMakeLists\.txt$|templates\/)/.test(name)), [],
      "node-llama-cpp's build files and project templates are only for building or scaffolding, never shipped");
  });

  test("carries the license notices of everything bundled: the language client and server, the webview's libraries, node-llama-cpp and llama.cpp", () => {
    const notices = readZipEntry(zip, entries.find((entry) => entry.name === "extension/THIRD_PARTY_NOTICES.txt")!).toString("utf8");
    for (const name of ["vscode-languageclient", "vscode-languageserver", "vscode-jsonrpc", "markdown-it", "dompurify", "highlight.js", "node-llama-cpp"]) {
      assert.match(notices, new RegExp(`^${name.replace(".", "\\.")} \\d+\\.\\d+\\.\\d+ \\(`, "m"), name);
    }
    assert.match(notices, /^llama\.cpp .*\nMIT License\n\nCopyright \(c\) 2023-2024 The ggml authors/m);
  });

  test("declares where it runs: a workspace extension, so the model runs on the machine that has the code", () => {
    const packaged = JSON.parse(readZipEntry(zip, entries.find((entry) => entry.name === "extension/package.json")!).toString("utf8")) as Record<string, unknown>;
    assert.deepEqual(packaged["extensionKind"], ["workspace"]);
    assert.equal(packaged["repository"], undefined, "no placeholder repository URL");
  });

  test(`ships exactly this target's llama.cpp binaries: ${SPEC?.binaries.join(", ")}`, () => {
    const binaries = new Set(names.map((name) => /^extension\/node_modules\/@node-llama-cpp\/([^/]+)\//.exec(name)?.[1]).filter((name) => name !== undefined));
    assert.deepEqual([...binaries].sort(), [...(SPEC?.binaries ?? [])].sort());
  });

  test("node_modules holds node-llama-cpp's runtime closure only: no dev tools, nothing esbuild already bundled", () => {
    const topLevel = new Set(names.map((name) => /^extension\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(name)?.[1]).filter((name) => name !== undefined));
    const bundled = Object.keys(MANIFEST.dependencies).filter((name) => name !== "node-llama-cpp");
    for (const name of [...Object.keys(MANIFEST.devDependencies), ...bundled]) assert.equal(topLevel.has(name), false, `${name} must not be in the VSIX`);
    const packaged = JSON.parse(readZipEntry(zip, entries.find((entry) => entry.name === "extension/package.json")!).toString("utf8")) as Record<string, unknown>;
    assert.deepEqual(packaged["dependencies"], { "node-llama-cpp": JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules/node-llama-cpp/package.json"), "utf8")).version });
    assert.equal(packaged["devDependencies"], undefined);
    assert.equal(packaged["scripts"], undefined);
  });

  test("leaves out node-llama-cpp's build tools, CLI parser, downloader and git client: the last two are stubs, nothing else differs", () => {
    const topLevel = new Set(names.map((name) => /^extension\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(name)?.[1]).filter((name) => name !== undefined));
    for (const name of [...LEFT_OUT, ...LEFT_OUT_WITH_STUBS]) {
      assert.ok(fs.existsSync(path.join(REPO_ROOT, "node_modules", name)), `${name} is installed here, so leaving it out is a choice`);
      assert.equal(topLevel.has(name), false, `${name} must not be in the VSIX`);
    }
    for (const name of Object.keys(STUBS)) {
      assert.deepEqual(names.filter((entry) => entry.startsWith(`extension/node_modules/${name}/`)).sort(),
        [`extension/node_modules/${name}/index.js`, `extension/node_modules/${name}/package.json`], name);
    }
    // Every other file is the installed package's own, byte for byte; node-llama-cpp's manifest only lists fewer dependencies.
    const changed: string[] = [];
    for (const entry of entries) {
      const inModules = /^extension\/(node_modules\/.+)$/.exec(entry.name)?.[1];
      if (inModules === undefined || Object.keys(STUBS).some((name) => inModules.startsWith(`node_modules/${name}/`))) continue;
      if (!readZipEntry(zip, entry).equals(fs.readFileSync(path.join(REPO_ROOT, inModules)))) changed.push(inModules);
    }
    assert.deepEqual(changed, ["node_modules/node-llama-cpp/package.json"]);
    const original = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "node_modules/node-llama-cpp/package.json"), "utf8")) as { dependencies: Record<string, string> };
    const staged = JSON.parse(fs.readFileSync(path.join(installed, "node_modules/node-llama-cpp/package.json"), "utf8")) as { dependencies: Record<string, string> };
    assert.deepEqual(Object.keys(original.dependencies).filter((name) => !(name in staged.dependencies)).sort(),
      ["cmake-js", "ignore", "node-addon-api", "validate-npm-package-name", "yargs"]);
  });

  test("the stubs export what node-llama-cpp imports, and each export throws a clear error when used", () => {
    for (const [name, exported] of Object.entries(STUBS)) {
      const stub = path.join(installed, "node_modules", name, "index.js");
      const script = `const stub = await import(${JSON.stringify(stub)});\n` +
        `console.log(JSON.stringify(Object.keys(stub).sort()));\n` +
        `for (const key of Object.keys(stub)) { try { stub[key](); console.log("no error"); } catch (error) { console.log(error.message); } }`;
      const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      assert.equal(result.status, 0, result.stderr);
      const [keys, ...messages] = result.stdout.trim().split("\n");
      assert.deepEqual(JSON.parse(keys!), exported);
      assert.deepEqual(messages, exported.map((key) => `${name}.${key}: ${STUB_MESSAGE}`));
    }
  });

  test(`stays within its size budget (${SPEC?.budgetMB} MB)`, () => {
    assert.ok(zip.length <= (SPEC?.budgetMB ?? 0) * 1024 * 1024, `${(zip.length / 1024 / 1024).toFixed(1)} MB`);
  });

  test("the packaged CLI completes with only the VSIX's own files (the pruned node_modules suffice)", async () => {
    const source = path.join(installed, "add.ts");
    fs.writeFileSync(source, "function add(a, b) {\n  \n}\n");
    const result = spawnSync(process.execPath, [path.join(installed, "dist/cli.js"), "complete", "--model", await fimModel(MODEL_DIR), "--gpu", "cpu", "--threads", "1", source, "2:3"], {
      cwd: installed, encoding: "utf8", timeout: 60_000,
      // No NODE_PATH, and a cwd outside the repository: only the VSIX's node_modules can be found.
      env: { PATH: process.env["PATH"] ?? "", HOME: installed },
    });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout, FIM_COMPLETION);
  });

  test("the packaged CLI's doctor probes the GPU backends, loads the model and measures its speed with only the VSIX's files", async () => {
    const result = spawnSync(process.execPath, [path.join(installed, "dist/cli.js"), "doctor", "--model", await fimModel(MODEL_DIR), "--threads", "1"], {
      cwd: installed, encoding: "utf8", timeout: 120_000, env: { PATH: process.env["PATH"] ?? "", HOME: installed },
    });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^Speed +\d+ tokens\/s generating/m);
    assert.doesNotMatch(`${result.stdout}\n${result.stderr}`, /never downloads or builds/);
  });

  test("the packaged language server completes and explains with only the VSIX's files", async () => {
    const client = await LspTestClient.start({
      serverMain: path.join(installed, "dist/server.js"),
      settings: { model: { path: await chatModel(MODEL_DIR) }, gpu: "cpu", threads: 1, completion: { enabled: true, maxTokens: 64 }, explain: { maxTokens: 64 } },
    });
    try {
      const status = await client.waitForModel();
      assert.equal(status.state, "ready", status.message);
      const uri = fileUri("src/packaged-add.js");
      const code = "function add(a, b) {\n  \n}\n";
      await client.open(uri, code, "javascript");
      assert.equal((await client.complete(uri, { line: 1, character: 2 }))[0]?.insertText, FIM_COMPLETION);
      const exchange = await client.explain({ textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } } });
      assert.equal(exchange.error, undefined, exchange.error?.message);
      assert.equal(exchange.result?.text, CHAT_ANSWER);
    } finally {
      assert.equal(await client.stop(), 0, client.stderr.join(""));
    }
  });
});
