// Builds the VSIX for this machine's target once (`scripts/package.mjs`, ~15 s) and checks what is in it:
// only the intended files, only this target's llama.cpp binaries, within the size budget, and that the
// packaged CLI completes with nothing but the VSIX's own node_modules.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FIM_COMPLETION, fimModel } from "../fixtures/fixtureModels";
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

describe(`the ${HOST_TARGET} VSIX`, { skip: SPEC === undefined ? `no VSIX target for ${HOST_TARGET}` : false }, () => {
  let outDir: string;
  let vsixPath: string;
  let zip: Buffer;
  let entries: ZipEntry[];
  let names: string[];
  let packagingSeconds: number;

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
  });

  after(() => {
    fs.rmSync(outDir, { recursive: true, force: true });
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

  test(`stays within its size budget (${SPEC?.budgetMB} MB)`, () => {
    assert.ok(zip.length <= (SPEC?.budgetMB ?? 0) * 1024 * 1024, `${(zip.length / 1024 / 1024).toFixed(1)} MB`);
  });

  test("the packaged CLI completes with only the VSIX's own files (the pruned node_modules suffice)", async () => {
    const installed = fs.mkdtempSync(path.join(os.tmpdir(), "pocket-coder-vsix-installed-"));
    try {
      extractZip(zip, "extension/", installed);
      const source = path.join(installed, "add.ts");
      fs.writeFileSync(source, "function add(a, b) {\n  \n}\n");
      const result = spawnSync(process.execPath, [path.join(installed, "dist/cli.js"), "complete", "--model", await fimModel(MODEL_DIR), "--gpu", "cpu", "--threads", "1", source, "2:3"], {
        cwd: installed, encoding: "utf8", timeout: 60_000,
        // No NODE_PATH, and a cwd outside the repository: only the VSIX's node_modules can be found.
        env: { PATH: process.env["PATH"] ?? "", HOME: installed },
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, FIM_COMPLETION);
    } finally {
      fs.rmSync(installed, { recursive: true, force: true });
    }
  });
});
